"""Judging promises to pay (承诺还款, PTP) from the payments on the loan.

One rule, two forms: `judge_promise` for one promise over plain values (the reference, used
when a payment is posted or a page is shown) and `judge_promises`, the same rule set-based
over Polars frames for the end-of-day run. A property test proves they agree.

The rule, for a promise of `amount_fen` made on `created_on` to pay by `promised_on`:

- deadline = promised_on + grace_days;
- the payments that count are those on the promise's loan dated from created_on through the
  deadline, and known by the as-of date (paid_on ≤ as_of: a back-dated run sees only the
  payments it would have seen that day);
- **kept** once they add up to at least amount − tolerance (and at least 1 fen: a tolerance
  as large as the promise does not make "nothing paid" a kept promise). A promise paid early
  is kept at once, so the case page shows it the day the payment is imported;
- otherwise **pending** while as_of ≤ deadline;
- after the deadline, **partly_kept** if something was paid within the window, **broken** if
  nothing was.

A payment on the promised date counts (kept); one a day later counts only with grace.
Several open promises on one loan each count every payment in their own window; the service
that records a new promise supersedes the loan's pending one, so in practice windows do not
overlap. Money is integer fen throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import polars as pl

Status = Literal["pending", "kept", "partly_kept", "broken"]
STATUSES: tuple[Status, ...] = ("pending", "kept", "partly_kept", "broken")

PROMISE_COLUMNS = ("promise_id", "loan_id", "created_on", "promised_on", "amount_fen")
PAYMENT_COLUMNS = ("loan_id", "paid_on", "amount_fen")


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (fen or days), got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value}")
    return value


def judge_promise(
    *,
    amount_fen: int,
    created_on: dt.date,
    promised_on: dt.date,
    payments: Iterable[tuple[dt.date, int]],
    as_of: dt.date,
    tolerance_fen: int = 0,
    grace_days: int = 0,
) -> Status:
    """Judge one promise as of `as_of` from its loan's payments, given as (paid_on, amount_fen)."""
    _check_int("amount_fen", amount_fen, 1)
    _check_int("tolerance_fen", tolerance_fen, 0)
    _check_int("grace_days", grace_days, 0)
    if promised_on < created_on:
        raise ValueError("promised_on is before the promise was made")
    deadline = promised_on + dt.timedelta(days=grace_days)
    window_end = min(deadline, as_of)
    paid = 0
    for paid_on, amount in payments:
        _check_int("payment amount_fen", amount, 0)
        if created_on <= paid_on <= window_end:
            paid += amount
    if paid >= max(amount_fen - tolerance_fen, 1):
        return "kept"
    if as_of <= deadline:
        return "pending"
    return "partly_kept" if paid > 0 else "broken"


def _require(df: pl.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s): {', '.join(missing)}")
    for c in columns:
        if df[c].null_count():
            raise ValueError(f"{what}.{c} has nulls")
    for c in ("amount_fen", "tolerance_fen", "grace_days"):
        if c in df.columns and not df.schema[c].is_integer():
            raise TypeError(f"{what}.{c} must be an integer column (fen/days), not {df.schema[c]}")
    for c in ("created_on", "promised_on", "paid_on"):
        if c in df.columns and df.schema[c] != pl.Date:
            raise TypeError(f"{what}.{c} must be pl.Date, not {df.schema[c]}")


def judge_promises(
    promises: pl.DataFrame,
    payments: pl.DataFrame,
    *,
    as_of: dt.date,
    tolerance_fen: int = 0,
    grace_days: int = 0,
) -> pl.DataFrame:
    """Judge every promise at once, with the same rule as `judge_promise`.

    promises: promise_id (unique), loan_id, created_on (Date), promised_on (Date),
              amount_fen (integer > 0); optional tolerance_fen and grace_days columns
              override the arguments per row (e.g. per product), nulls taking the argument.
    payments: loan_id, paid_on (Date), amount_fen (integer).

    Returns one row per promise, in the input order: promise_id, loan_id, deadline (Date:
    promised_on + grace), paid_fen (Int64: what counted, through min(deadline, as_of)) and
    status (pending | kept | partly_kept | broken).
    """
    _check_int("tolerance_fen", tolerance_fen, 0)
    _check_int("grace_days", grace_days, 0)
    _require(promises, PROMISE_COLUMNS, "promises")
    _require(payments, PAYMENT_COLUMNS, "payments")
    if promises["promise_id"].is_duplicated().any():
        raise ValueError("promises.promise_id must be unique")
    if (promises["amount_fen"] <= 0).any():
        raise ValueError("promises.amount_fen must be > 0")
    if (promises["promised_on"] < promises["created_on"]).any():
        raise ValueError("promises.promised_on is before created_on")

    tol = (
        pl.col("tolerance_fen").cast(pl.Int64).fill_null(tolerance_fen)
        if "tolerance_fen" in promises.columns
        else pl.lit(tolerance_fen, dtype=pl.Int64)
    )
    grace = (
        pl.col("grace_days").cast(pl.Int64).fill_null(grace_days)
        if "grace_days" in promises.columns
        else pl.lit(grace_days, dtype=pl.Int64)
    )
    base = promises.select(
        pl.col("promise_id"),
        pl.col("loan_id"),
        pl.col("created_on"),
        pl.col("amount_fen").cast(pl.Int64),
        (pl.col("promised_on") + pl.duration(days=grace)).alias("deadline"),
        tol.alias("_tol"),
    )
    if (base["_tol"] < 0).any():
        raise ValueError("promises.tolerance_fen must be ≥ 0")
    as_of_lit = pl.lit(as_of, dtype=pl.Date)
    base = base.with_columns(pl.min_horizontal("deadline", as_of_lit).alias("_window_end"))

    pays = payments.select(
        pl.col("loan_id"), pl.col("paid_on"), pl.col("amount_fen").cast(pl.Int64).alias("_pay")
    ).filter(pl.col("paid_on") <= as_of_lit)
    if base.height:
        # Only payments that can fall in some window reach the join (loan × payment rows).
        pays = pays.filter(pl.col("paid_on") >= base["created_on"].min())
    paid = (
        base.select("promise_id", "loan_id", "created_on", "_window_end")
        .join(pays, on="loan_id", how="inner")
        .filter(pl.col("paid_on").is_between(pl.col("created_on"), pl.col("_window_end")))
        .group_by("promise_id")
        .agg(pl.col("_pay").sum().alias("paid_fen"))
    )
    need = pl.max_horizontal(pl.col("amount_fen") - pl.col("_tol"), pl.lit(1, dtype=pl.Int64))
    return (
        base.join(paid, on="promise_id", how="left", maintain_order="left")
        .with_columns(pl.col("paid_fen").fill_null(0).cast(pl.Int64))
        .select(
            "promise_id",
            "loan_id",
            "deadline",
            "paid_fen",
            pl.when(pl.col("paid_fen") >= need)
            .then(pl.lit("kept"))
            .when(as_of_lit <= pl.col("deadline"))
            .then(pl.lit("pending"))
            .when(pl.col("paid_fen") > 0)
            .then(pl.lit("partly_kept"))
            .otherwise(pl.lit("broken"))
            .alias("status"),
        )
    )
