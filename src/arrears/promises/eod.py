"""The end-of-day phase `promises`: judge promises to pay from the payments, set-based.

Two queries read (1) the promises made by the as-of date that are pending, or judged but with a
deadline inside the look-back window (ARREARS_PROMISE_LOOKBACK_DAYS, default 31: a payment
imported late but dated inside a promise's window still turns it kept), with their product's
tolerance, grace, fee and credit rule, and (2) the payments on their loans, waivers excluded (a
waiver is not money from the debtor). `judging.judge_promises` judges them all at once, as of
the run's date. Only changed rows are written back (status, paid, judged_on), in bulk, with one
audit entry each.

On the transition to broken, and only then (so running a day again adds nothing):
- the product's broken-promise fee (Product.broken_promise_fee_fen > 0) becomes a book Charge
  (kind broken_promise, dated the run's day), linked from the promise; the loans are replayed
  (book.services.loans_replay, which also marks them changed for the next run);
- with Product.negative_credit_on_broken_promise, the borrower's negative_credit_on is set to
  the run's day (if not set already).
When a late payment turns a broken promise kept (or partly kept), its fee is waived
(Charge.waived_fen = amount; the charge row stays) and the loan replayed.

The charge is dated the run's day but the day's snapshot was written before this phase runs:
the fee shows in the next run's figures (the loan is marked changed, so it is recomputed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import connection, transaction

from arrears.book.models import WAIVER_CHANNELS, Charge
from arrears.core.audit import audit_record_many
from arrears.eod.loader import _date, fetch
from arrears.eod.phases import EodPhaseContext
from arrears.promises.judging import judge_promises
from arrears.promises.selectors import lookback_days

JUDGED = ("kept", "partly_kept", "broken")

PROMISE_SCHEMA = {
    "promise_id": pl.Int64,
    "loan_id": pl.Int64,
    "borrower_id": pl.Int64,
    "created_on": pl.Date,
    "promised_on": pl.Date,
    "amount_fen": pl.Int64,
    "status_before": pl.Utf8,
    "paid_before": pl.Int64,
    "fee_charge_id": pl.Int64,
    "tolerance_fen": pl.Int64,
    "grace_days": pl.Int64,
    "fee_fen": pl.Int64,
    "negative_credit": pl.Int64,
}
PAYMENT_SCHEMA = {"loan_id": pl.Int64, "paid_on": pl.Date, "amount_fen": pl.Int64}


def _lit(day: dt.date) -> str:
    return f"'{day.isoformat()}'"  # a date object's ISO form: nothing to inject


def _candidates_where(as_of: dt.date, earliest_promised: dt.date) -> str:
    judged = ", ".join(f"'{s}'" for s in JUDGED)
    return (
        f"p.created_on <= {_lit(as_of)} AND (p.status = 'pending'"
        f" OR (p.status IN ({judged}) AND p.promised_on >= {_lit(earliest_promised)}))"
    )


def load(as_of: dt.date, lookback: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The promises to judge (with their product's rules) and their loans' payments."""
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(promise_grace_days) FROM book_product")
        max_grace = int(cur.fetchone()[0] or 0)
    # A coarse bound in SQL (any product's grace); the exact deadline test is done below.
    earliest = as_of - dt.timedelta(days=lookback + max_grace)
    where = _candidates_where(as_of, earliest)
    promises = fetch(
        "SELECT p.id, p.loan_id, p.borrower_id,"
        f" {_date('p.created_on')}, {_date('p.promised_on')}, p.amount_fen,"
        " p.status, p.paid_fen, p.fee_charge_id,"
        " pr.promise_tolerance_fen, pr.promise_grace_days, pr.broken_promise_fee_fen,"
        " CASE WHEN pr.negative_credit_on_broken_promise THEN 1 ELSE 0 END"
        " FROM promises_promise p JOIN book_loan l ON l.id = p.loan_id"
        " JOIN book_product pr ON pr.id = l.product_id"
        f" WHERE {where}",
        PROMISE_SCHEMA,
    )
    window_start = as_of - dt.timedelta(days=lookback)
    promises = promises.filter(
        (pl.col("status_before") == "pending")
        | (
            pl.col("promised_on") + pl.duration(days=pl.col("grace_days"))
            >= pl.lit(window_start, dtype=pl.Date)
        )
    )
    if promises.is_empty():
        return promises, pl.DataFrame(schema=PAYMENT_SCHEMA)
    since = promises["created_on"].min()
    waivers = ", ".join(f"'{c}'" for c in WAIVER_CHANNELS)
    payments = fetch(
        f"SELECT y.loan_id, {_date('y.paid_on')}, y.amount_fen FROM book_payment y"
        f" WHERE y.paid_on >= {_lit(since)} AND y.paid_on <= {_lit(as_of)}"
        f" AND y.channel NOT IN ({waivers})"
        f" AND y.loan_id IN (SELECT p.loan_id FROM promises_promise p WHERE {where})",
        PAYMENT_SCHEMA,
    )
    return promises, payments


def judge(promises: pl.DataFrame, payments: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The loaded promises with their new status and paid_fen (columns `status`, `paid_fen`)."""
    out = judge_promises(promises, payments, as_of=as_of)
    return promises.join(
        out.select("promise_id", "paid_fen", "status"), on="promise_id", maintain_order="left"
    )


def promises_eod_phase(ctx: EodPhaseContext) -> dict[str, Any]:
    """Judge the promises as of ctx.as_of; only on the latest day (see the module docstring)."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    as_of = ctx.as_of
    actor = ctx.actor if ctx.actor is not None and ctx.actor.pk else None
    promises, payments = load(as_of, lookback_days())
    counts = {"judged": promises.height, "kept": 0, "partly_kept": 0, "broken": 0}
    counts.update({"fees": 0, "fees_fen": 0, "fees_waived": 0, "negative_credit": 0})
    if promises.is_empty():
        return counts
    judged = judge(promises, payments, as_of)
    changed = judged.filter(
        (pl.col("status") != pl.col("status_before"))
        | (pl.col("paid_fen") != pl.col("paid_before"))
    )
    if changed.is_empty():
        return counts
    moved = changed.filter(pl.col("status") != pl.col("status_before"))
    for status in ("kept", "partly_kept", "broken"):
        counts[status] = moved.filter(pl.col("status") == status).height
    to_broken = moved.filter(pl.col("status") == "broken")
    fee_rows = to_broken.filter((pl.col("fee_fen") > 0) & pl.col("fee_charge_id").is_null())
    waive_rows = moved.filter(
        (pl.col("status_before") == "broken") & pl.col("fee_charge_id").is_not_null()
    )
    flag_borrowers = (
        to_broken.filter(pl.col("negative_credit") == 1)["borrower_id"].unique().sort().to_list()
    )

    audits: list[tuple[str, str, Any, Any, Any]] = []
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE promises_promise SET status = %s, paid_fen = %s, judged_on = %s"
                " WHERE id = %s",
                [
                    (r["status"], r["paid_fen"], as_of, r["promise_id"])
                    for r in changed.iter_rows(named=True)
                ],
            )
        for r in changed.iter_rows(named=True):
            audits.append(
                (
                    "promise.judge",
                    "promise",
                    r["promise_id"],
                    {"status": r["status_before"], "paid_fen": r["paid_before"]},
                    {"status": r["status"], "paid_fen": r["paid_fen"], "as_of": as_of},
                )
            )
        replay: set[int] = set()
        if not fee_rows.is_empty():
            replay |= _charge_fees(fee_rows, as_of, audits)
            counts["fees"] = fee_rows.height
            counts["fees_fen"] = int(fee_rows["fee_fen"].sum())
        if not waive_rows.is_empty():
            waived = _waive_fees(waive_rows, as_of, audits)
            replay |= waived
            counts["fees_waived"] = len(waived)
        if replay:
            from arrears.book.services import loans_replay

            loans_replay(replay)
        if flag_borrowers:
            counts["negative_credit"] = _flag_negative_credit(flag_borrowers, as_of, audits)
        audit_bulk(actor=actor, source="eod", items=audits)
    return counts


def _charge_fees(rows: pl.DataFrame, as_of: dt.date, audits: list) -> set[int]:
    """One broken-promise Charge per promise, linked back; returns the loans to replay."""
    records = rows.select("promise_id", "loan_id", "fee_fen").to_dicts()
    charges = Charge.objects.bulk_create(
        [
            Charge(
                loan_id=r["loan_id"],
                kind=Charge.Kind.BROKEN_PROMISE,
                charged_on=as_of,
                amount_fen=r["fee_fen"],
                note=f"promise {r['promise_id']}",
            )
            for r in records
        ],
        batch_size=1000,
    )
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE promises_promise SET fee_charge_id = %s WHERE id = %s",
            [(c.pk, r["promise_id"]) for c, r in zip(charges, records, strict=True)],
        )
    for c, r in zip(charges, records, strict=True):
        audits.append(
            (
                "charge.add",
                "loan",
                r["loan_id"],
                None,
                {
                    "charge": c.pk,
                    "kind": Charge.Kind.BROKEN_PROMISE.value,
                    "amount_fen": r["fee_fen"],
                    "charged_on": as_of,
                    "promise": r["promise_id"],
                },
            )
        )
    return {r["loan_id"] for r in records}


def _waive_fees(rows: pl.DataFrame, as_of: dt.date, audits: list) -> set[int]:
    """Waive (not delete) the fees of promises no longer broken; returns the loans to replay."""
    by_charge = {r["fee_charge_id"]: r for r in rows.to_dicts()}
    open_charges = list(
        Charge.objects.filter(pk__in=list(by_charge)).values(
            "pk", "loan_id", "amount_fen", "waived_fen"
        )
    )
    open_charges = [c for c in open_charges if c["waived_fen"] < c["amount_fen"]]
    if not open_charges:
        return set()
    # paid_fen goes to 0 with the waiver (the CHECK paid + waived ≤ amount holds), and the
    # replay then gives what the fee had taken of the payments to the loan's other dues.
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE book_charge SET waived_fen = amount_fen, paid_fen = 0 WHERE id = %s",
            [(c["pk"],) for c in open_charges],
        )
    for c in open_charges:
        r = by_charge[c["pk"]]
        audits.append(
            (
                "charge.waive",
                "loan",
                c["loan_id"],
                {"charge": c["pk"], "waived_fen": c["waived_fen"]},
                {
                    "charge": c["pk"],
                    "waived_fen": c["amount_fen"],
                    "reason": "promise_no_longer_broken",
                    "promise": r["promise_id"],
                    "status": r["status"],
                    "as_of": as_of,
                },
            )
        )
    return {c["loan_id"] for c in open_charges}


def _flag_negative_credit(borrower_ids: list[int], as_of: dt.date, audits: list) -> int:
    from arrears.book.models import Borrower

    fresh = list(
        Borrower.objects.filter(pk__in=borrower_ids, negative_credit_on__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not fresh:
        return 0
    Borrower.objects.filter(pk__in=fresh, negative_credit_on__isnull=True).update(
        negative_credit_on=as_of
    )
    for pk in fresh:
        audits.append(
            (
                "borrower.negative_credit",
                "borrower",
                pk,
                {"negative_credit_on": None},
                {"negative_credit_on": as_of, "reason": "broken_promise"},
            )
        )
    return len(fresh)


def audit_bulk(*, actor, source: str, items: list[tuple[str, str, Any, Any, Any]]) -> int:
    """Append one audit entry per (event, object_type, object_id, before, after), in bulk
    (core.audit.audit_record_many: the same chain, lock and hash as audit_record)."""
    return audit_record_many(actor=actor, items=items, source=source)


def promises_case_closed_phase(ctx: EodPhaseContext) -> dict[str, Any]:
    """A case that ends, ends cleanly: its promises still pending after the day's judging are
    closed as superseded (the case closed: nothing is left to promise), set-based.

    Runs after `promises` (order 10) has judged the day, so a promise the closing payment
    kept is already kept; what is left pending is a promise of a later date the borrower no
    longer needs to keep. One UPDATE and one audit entry per promise; a rerun finds none.
    """
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    from arrears.promises.models import Promise

    stale = Promise.objects.filter(status=Promise.Status.PENDING, case__status="closed")
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return {"superseded": 0}
    with transaction.atomic():
        Promise.objects.filter(pk__in=stale.values("pk")).update(
            status=Promise.Status.SUPERSEDED, judged_on=ctx.as_of
        )
        audit_record_many(
            actor=ctx.actor if ctx.actor is not None and ctx.actor.pk else None,
            source="eod",
            items=[
                (
                    "promise.supersede",
                    "promise",
                    pk,
                    {"status": "pending"},
                    {"status": "superseded", "reason": "case_closed", "as_of": ctx.as_of},
                )
                for pk in ids
            ],
        )
    return {"superseded": len(ids)}
