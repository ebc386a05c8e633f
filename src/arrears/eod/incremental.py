"""Incremental end-of-day runs: recompute only the loans whose figures can have changed.

A loan's row as of D is a function of the book and D. Between the previous run (as of P < D,
book read at time R) and this one it can only differ if

- the loan's ledger inputs changed: `Loan.ledger_changed_at` >= R − margin ("changed"; every
  writer of schedules, payments, charges and terms marks it, see book.services.loans_touch),
  or the loan is not in P's snapshot ("new"), or its product's terms changed ("product");
- or D itself moves a figure. The engine uses the date only through dated things, so it is
  enough to look for each of them between P and D:
  - anything overdue or unpaid penalty at P: DPD grows, penalty accrues daily ("overdue");
  - a limitation deadline in [P, D): the loan becomes time-barred ("limitation");
  - an installment due in (P, D], or due on P and not settled on P ("due"): it falls due
    (DPD, overdue amounts, held credit applied on its due date);
  - a charge dated in (P, D] ("charge"), a payment dated in (P, D] ("payment") — already in
    the book at R but not yet counted at P;
  - fees the product's cap held back at P (charged − waived − paid by P more than the fees
    owed at P) on a loan with an installment still to fall due: the cap's allowance grows
    with the days a principal is current, too ("fee_cap"; overdue days are "overdue");
  - restart events outside the ledger (notice, promise, plan, acknowledgement, lawsuit) that
    are new, moved or gone since P's run saw them, or took effect in (P, D] ("restart"):
    compared per loan by a signature of all of them (eod.limitation reads them in order).
  - the State Council calendar is part of the configuration: editing it makes the run full.

Every other loan is carried forward: its row as of P is copied to D with one INSERT … SELECT.
Two things are not per loan. The pre-due list comes straight from the schedule for every loan
(nothing is paid before its due date, so an installment due in (D, D + N] owes its whole
amount as of D). The borrower rule classifies a borrower's loans together: the carried loans
of the recomputed loans' borrowers ("peers") are counted by the engine with their previous
exposure and DPD, and those whose class moves are re-classed after the copy. A loan deleted
since P took its exposure out of its borrower's class without saying who the borrower was, so
with the borrower rule on a day after deletions is read in full (`full_instead`).

The property test (tests/test_incremental.py) checks on random books and random changes that
an incremental run writes exactly what a full run writes.

The margin covers writers whose transaction began before R but committed after the previous
run took its snapshot (their mark is older than R). On PostgreSQL R is also moved back to
the start of the oldest transaction open at the time; on SQLite the margin alone covers it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone

from arrears.book.models import Product
from arrears.eod import engine, limitation, loader
from arrears.eod.config import EodConfig
from arrears.eod.models import EodRun

# Bump when the engine's rules change, so the first run after an upgrade is full.
# 2: fees capped with the product's all-in rate cap; 3: the legal cap binds too, and a cap
# is an annual figure (a day's charges at most cap / 365); 4: limitation events in date order
# (only the debtor's own act revives an expired period), holidays, the 20-year limit
ENGINE_VERSION = 4

REASONS = (
    "changed",
    "new",
    "product",
    "overdue",
    "limitation",
    "due",
    "charge",
    "payment",
    "restart",
    "fee_cap",
)

EXTERNAL_SCHEMA = {"loan_id": pl.Int64, "event_date": pl.Date, "signature": pl.Int64}


def _setting(name: str, default):
    value = os.environ.get(name)
    if value is None:
        value = getattr(settings, name, default)
    return value


def change_margin() -> dt.timedelta:
    """ARREARS_EOD_CHANGE_MARGIN_SECONDS (environment or setting; default an hour)."""
    return dt.timedelta(seconds=float(_setting("ARREARS_EOD_CHANGE_MARGIN_SECONDS", 3600)))


def max_share() -> float:
    """ARREARS_EOD_INCREMENTAL_MAX_SHARE: above this share of loans to recompute, read all.

    Reading a subset goes through indexes loan by loan; past about half the book a plain
    full read is as fast, and the results are identical either way.
    """
    return float(_setting("ARREARS_EOD_INCREMENTAL_MAX_SHARE", 0.5))


def _digest(value) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, default=str, ensure_ascii=True).encode()
    ).hexdigest()


def run_basis(config: EodConfig) -> dict:
    """What a run's figures rest on besides the book: configuration, engine and products.

    A different configuration hash makes the next run full; a product whose terms changed
    gets its loans recomputed.
    """
    config_hash = _digest(
        {
            "engine": ENGINE_VERSION,
            "config": dataclasses.asdict(config),
            "sources": limitation.restart_sources(config.restart_kinds),
            "ledger_kinds": sorted(limitation.LEDGER_KINDS),
            # The law's caps (rule packs and the LPR table): an edit changes past figures
            # of many loans at once, so the next run is full.
            "caps": list(loader.caps_frame().iter_rows()),
        }
    )
    products = {
        str(row[0]): _digest(row[1:])[:16]
        for row in Product.objects.order_by("id").values_list(
            "id",
            "product_type",
            "day_count",
            "grace_days",
            "rate_cap",
            "penalty_base",
            "arrears_tolerance_fen",
            "allocation_order",
        )
    }
    return {"config": config_hash, "products": products}


def previous_run(*, as_of: dt.date, basis: dict, full: bool = False) -> tuple[EodRun | None, str]:
    """The run to carry forward from, or None and why this run must be full."""
    if full:
        return None, "full run asked for"
    latest = EodRun.objects.filter(status=EodRun.Status.DONE).order_by("-as_of", "-id").first()
    if latest is None:
        return None, "no previous run"
    if latest.as_of >= as_of:
        return None, f"not after the latest run ({latest.as_of}): back-dated or repeated"
    if latest.book_read_at is None or not latest.basis:
        return None, "the previous run kept no incremental basis"
    if latest.basis.get("config") != basis["config"]:
        return None, "configuration, engine or restart sources changed"
    return latest, ""


def read_time() -> dt.datetime:
    """When this run's view of the book begins; call first thing in loader.book_snapshot.

    PostgreSQL: also no later than the start of any other open transaction in this
    database, whose writes this snapshot cannot see however old their marks are.
    """
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT LEAST(statement_timestamp(), (SELECT MIN(xact_start) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'))"
        )
        (value,) = cur.fetchone()
    return value


def temp_tables_create() -> None:
    """The run's work tables (before book_snapshot: a read-only transaction cannot CREATE)."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS eod_seed"
            " (loan_id BIGINT NOT NULL, reason VARCHAR(12) NOT NULL)"
        )
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS eod_recompute (loan_id BIGINT PRIMARY KEY)")
        cur.execute("DELETE FROM eod_seed")
        cur.execute("DELETE FROM eod_recompute")


def temp_tables_drop() -> None:
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS eod_seed")
        cur.execute("DROP TABLE IF EXISTS eod_recompute")


@contextmanager
def index_probes() -> Iterator[None]:
    """PostgreSQL: read the recomputed loans' rows loan by loan through the loan_id indexes.

    Without statistics on how few loans the temp table names among the big tables' rows,
    the planner hashes or merges whole tables (seq scans of 16M allocations); nested loops
    over the loan_id indexes were measured twice as fast at 15% of a 1M-loan book.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_hashjoin = off")
        cur.execute("SET LOCAL enable_mergejoin = off")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET enable_hashjoin")
            cur.execute("RESET enable_mergejoin")


def external_events(as_of: dt.date, config: EodConfig) -> pl.DataFrame:
    """Per loan, the restart events from sources outside the ledger as of `as_of`: the latest
    day one took effect and a signature of them all (every event counts now, not only the
    latest: an earlier one can decide whether a later one still interrupts)."""
    q = loader.q_events(as_of, config, ledger=False)
    if q is None:
        return pl.DataFrame(schema=EXTERNAL_SCHEMA)
    events = loader.fetch(*q)
    return (
        events.with_columns(
            pl.when(pl.col("actor") == limitation.CREDITOR)
            .then(pl.col("reached_on"))
            .otherwise(pl.col("event_date"))
            .alias("eff")
        )
        # A demand that has not reached the debtor by `as_of` acts on nothing yet.
        .filter(pl.col("eff").is_not_null() & (pl.col("eff") <= pl.lit(as_of)))
        .sort("loan_id", "eff", "kind", "actor", "event_date", "revive_only")
        .group_by("loan_id", maintain_order=True)
        .agg(
            pl.col("eff").max().alias("event_date"),
            pl.concat_str(
                pl.col("eff").cast(pl.String),
                pl.col("kind"),
                pl.col("actor"),
                pl.col("event_date").cast(pl.String),
                separator="|",
            )
            .str.join(";")
            .hash(0)
            .reinterpret(signed=True)
            .alias("signature"),
        )
        .sort("loan_id")
    )


def _insert_ids(ids: list[int], reason: str) -> None:
    if not ids:
        return
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO eod_seed (loan_id, reason) VALUES (%s, %s)", [(i, reason) for i in ids]
        )


def select(
    *,
    previous: EodRun,
    as_of: dt.date,
    config: EodConfig,
    basis: dict,
    external_now: pl.DataFrame,
) -> dict:
    """Fill eod_recompute with the loans to recompute; return counts per reason.

    Runs inside the load's snapshot, so the choice and the figures read agree.
    """
    p, d = previous.as_of, as_of
    since = previous.book_read_at - change_margin()
    seed = "INSERT INTO eod_seed (loan_id, reason) "
    changed_products = [
        int(pid)
        for pid, fp in basis["products"].items()
        if previous.basis.get("products", {}).get(pid) != fp
    ]
    with connection.cursor() as cur:
        cur.execute(
            seed + "SELECT id, 'changed' FROM book_loan WHERE ledger_changed_at >= %s",
            [connection.ops.adapt_datetimefield_value(since)],
        )
        # Anti-join: SQLite is faster with NOT IN; PostgreSQL must not get it (past work_mem a
        # NOT IN subplan is rescanned per row), and plans NOT EXISTS as a hash anti-join.
        absent = (
            "NOT EXISTS (SELECT 1 FROM eod_loansnapshot s WHERE s.as_of = %s AND s.loan_id = l.id)"
            if connection.vendor == "postgresql"
            else "l.id NOT IN (SELECT s.loan_id FROM eod_loansnapshot s WHERE s.as_of = %s)"
        )
        cur.execute(seed + f"SELECT l.id, 'new' FROM book_loan l WHERE {absent}", [p])
        if changed_products:
            marks = ", ".join(["%s"] * len(changed_products))
            cur.execute(
                seed + f"SELECT id, 'product' FROM book_loan WHERE product_id IN ({marks})",
                changed_products,
            )
        overdue = (
            "dpd > 0 OR overdue_principal_fen > 0 OR overdue_interest_fen > 0 OR penalty_fen > 0"
        )
        cur.execute(
            seed + f"SELECT loan_id, CASE WHEN {overdue} THEN 'overdue' ELSE 'limitation' END"
            " FROM eod_loansnapshot WHERE as_of = %s"
            f" AND ({overdue} OR (limitation_deadline >= %s AND limitation_deadline < %s))",
            [p, p, d],
        )
        # Falling due in (P, D]; or due on P itself and not settled on P: unpaid (in part)
        # today, or paid with money dated after P. (Nothing is ever paid before its due date,
        # and held credit is spent on the due date, so a settled one stays settled.)
        cur.execute(
            seed + "SELECT DISTINCT loan_id, 'due' FROM book_installment"
            " WHERE due_on > %s AND due_on <= %s",
            [p, d],
        )
        cur.execute(
            seed + "SELECT DISTINCT i.loan_id, 'due' FROM book_installment i WHERE i.due_on = %s"
            " AND (i.principal_paid_fen + i.interest_paid_fen"
            " < i.principal_due_fen + i.interest_due_fen"
            " OR EXISTS (SELECT 1 FROM book_payment y WHERE y.loan_id = i.loan_id"
            " AND y.paid_on > %s))",
            [p, p],
        )
        cur.execute(
            seed + "SELECT DISTINCT loan_id, 'charge' FROM book_charge"
            " WHERE charged_on > %s AND charged_on <= %s",
            [p, d],
        )
        cur.execute(
            seed + "SELECT DISTINCT loan_id, 'payment' FROM book_payment"
            " WHERE paid_on > %s AND paid_on <= %s",
            [p, d],
        )
        # Fees held back by the cap at P (charged and unpaid by P more than the fees P's row
        # says were owed) while the cap's allowance can still grow without an overdue day:
        # an installment is still to fall due, its principal current. (Overdue days are the
        # 'overdue' reason; a changed loan is 'changed'.) Charges are few; each one's fee
        # rows come through the charge_id index.
        cur.execute(
            seed + "SELECT x.loan_id, 'fee_cap' FROM (SELECT c.loan_id,"
            " c.amount_fen - c.waived_fen - COALESCE((SELECT SUM(a.amount_fen)"
            " FROM book_allocation a WHERE a.charge_id = c.id AND a.effective_on <= %s), 0)"
            " AS left_fen FROM book_charge c JOIN book_loan l ON l.id = c.loan_id"
            " WHERE c.charged_on <= %s"
            " AND l.ledger_changed_at < %s"
            " AND EXISTS (SELECT 1 FROM book_installment i"
            " WHERE i.loan_id = c.loan_id AND i.due_on > %s)) x"
            " JOIN eod_loansnapshot s ON s.as_of = %s AND s.loan_id = x.loan_id"
            " GROUP BY x.loan_id, s.fees_fen HAVING SUM(x.left_fen) > s.fees_fen",
            [p, p, connection.ops.adapt_datetimefield_value(since), p, p],
        )
    external_then = loader.fetch(
        f"SELECT loan_id, {loader._date('event_date')}, signature FROM eod_externalrestart"
        f" WHERE as_of = {loader._lit(p)}",
        EXTERNAL_SCHEMA,
    )
    moved = (
        external_now.join(external_then, on="loan_id", how="full", coalesce=True, suffix="_then")
        .filter(
            pl.col("event_date").ne_missing(pl.col("event_date_then"))
            | pl.col("signature").ne_missing(pl.col("signature_then"))
        )
        .get_column("loan_id")
        .to_list()
    )
    _insert_ids(moved, "restart")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO eod_recompute (loan_id) SELECT DISTINCT s.loan_id FROM eod_seed s"
            " WHERE EXISTS (SELECT 1 FROM book_loan l WHERE l.id = s.loan_id)"
        )
        cur.execute("SELECT reason, COUNT(DISTINCT loan_id) FROM eod_seed GROUP BY reason")
        reasons = {r: 0 for r in REASONS} | {r: int(n) for r, n in cur.fetchall()}
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE eod_recompute")  # so the loads below plan for its real size
        cur.execute("SELECT COUNT(*) FROM eod_recompute")
        (total,) = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM book_loan")
        (loans,) = cur.fetchone()
    # P's rows are previous.loans; every loan there either still exists or was deleted, and
    # every existing loan is there unless it is 'new'.
    deleted = previous.loans - (int(loans) - reasons["new"])
    return {
        "previous_run": previous.pk,
        "previous_as_of": p.isoformat(),
        "changed_since": since.isoformat(),
        "reasons": reasons,
        "recompute": int(total),
        "loans": int(loans),
        "deleted": max(0, deleted),
    }


def full_instead(selection: dict, config: EodConfig) -> str:
    """Why the selected day should be read in full after all, or "" to go on incrementally."""
    share = selection["recompute"] / max(1, selection["loans"])
    if share > max_share():
        return (
            f"{selection['recompute']} of {selection['loans']} loans to"
            f" recompute, more than {max_share():.0%}"
        )
    if selection["deleted"] and config.borrower_np_share_bp is not None:
        # The borrower rule classed the other loans of a deleted loan's borrower with its
        # exposure; the book no longer says who that borrower was.
        return f"{selection['deleted']} loans deleted since the previous run (borrower rule)"
    return ""


PEER_SCHEMA = {
    "loan_id": pl.Int64,
    "borrower_id": pl.Int64,
    "dpd": pl.Int64,
    "outstanding_principal": pl.Int64,
    "overdue_interest": pl.Int64,
    "classification": pl.String,
}


def load_peers(previous_as_of: dt.date) -> pl.DataFrame:
    """What the borrower rule needs of the other loans of the recomputed loans' borrowers.

    They are carried, but the rule classifies a borrower's loans together, so the engine
    counts their (unchanged) exposure and DPD (engine.compute's `peers`) and says which class
    each has now; `reclassify` then corrects the few whose class moved.
    """
    return loader.fetch(
        "SELECT s.loan_id, l.borrower_id, s.dpd, s.outstanding_principal_fen,"
        " s.overdue_interest_fen, s.classification"
        " FROM eod_loansnapshot s JOIN book_loan l ON l.id = s.loan_id"
        f" WHERE s.as_of = {loader._lit(previous_as_of)}"
        " AND NOT EXISTS (SELECT 1 FROM eod_recompute r WHERE r.loan_id = s.loan_id)"
        " AND l.borrower_id IN (SELECT b.borrower_id FROM book_loan b"
        " WHERE b.id IN (SELECT loan_id FROM eod_recompute))",
        PEER_SCHEMA,
    )


def reclassified(peers: pl.DataFrame, classes: pl.DataFrame | None) -> pl.DataFrame:
    """Peers whose class the borrower rule changed: loan_id, the class it was, the new one."""
    if classes is None or peers.height == 0:
        return pl.DataFrame(
            schema={"loan_id": pl.Int64, "was": pl.String, "classification": pl.String}
        )
    return (
        peers.select("loan_id", pl.col("classification").alias("was"))
        .join(classes, on="loan_id", how="inner")
        .filter(pl.col("was") != pl.col("classification"))
        .select("loan_id", "was", "classification")
    )


def reclassify(as_of: dt.date, moved: pl.DataFrame) -> None:
    """Set the new class on carried rows whose borrower crossed the non-performing line."""
    if moved.height == 0:
        return
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE eod_loansnapshot SET classification = %s WHERE as_of = %s AND loan_id = %s",
            [(c, as_of, i) for i, c in moved.select("loan_id", "classification").iter_rows()],
        )


PRE_DUE_SCHEMA = {
    "loan_id": pl.Int64,
    "installment_id": pl.Int64,
    "number": pl.Int64,
    "due_on": pl.Date,
    "amount_due": pl.Int64,
}


def pre_due(as_of: dt.date, config: EodConfig) -> pl.DataFrame:
    """The pre-due list of every loan straight from the schedule (what the engine gives),
    before credit: services nets it with engine.pre_due_net_of_credit and pre_due_credit.

    Nothing is paid before its due date (docs/ledger.md), so an installment due in
    (D, D + N] still owes its whole principal and interest as of D, less held credit.
    """
    horizon = as_of + dt.timedelta(days=config.pre_due_days)
    return loader.fetch(
        "SELECT loan_id, id, number, "
        f"{loader._date('due_on')}, principal_due_fen + interest_due_fen FROM book_installment"
        f" WHERE due_on > {loader._lit(as_of)} AND due_on <= {loader._lit(horizon)}"
        " AND principal_due_fen + interest_due_fen > 0",
        PRE_DUE_SCHEMA,
    )


def pre_due_credit(as_of: dt.date, config: EodConfig) -> pl.DataFrame:
    """Credit held as of D by every loan with an installment in the pre-due window."""
    return loader.fetch(*loader.q_credit(as_of, as_of + dt.timedelta(days=config.pre_due_days)))


def recompute_reasons() -> dict[int, set[str]]:
    """Loan → the reasons it was chosen, from the last selection (for tests and reports)."""
    with connection.cursor() as cur:
        cur.execute("SELECT loan_id, reason FROM eod_seed")
        rows = cur.fetchall()
        cur.execute("SELECT loan_id FROM eod_recompute")
        chosen = [r[0] for r in cur.fetchall()]
    out: dict[int, set[str]] = {loan_id: set() for loan_id in chosen}
    for loan_id, reason in rows:
        out.setdefault(loan_id, set()).add(reason)
    for found in out.values():
        if not found:
            found.add("borrower")
    return out


SNAPSHOT_VALUES = (
    "dpd, bucket, classification, overdue_principal_fen, overdue_interest_fen, penalty_fen,"
    " fees_fen, outstanding_principal_fen, total_due_fen, limitation_deadline, time_barred"
)


def carry_forward(*, previous_as_of: dt.date, as_of: dt.date) -> int:
    """Copy the previous day's rows of every loan not recomputed to `as_of`; return the count."""
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO eod_loansnapshot (as_of, loan_id, {SNAPSHOT_VALUES})"
            f" SELECT %s, s.loan_id, {', '.join('s.' + c.strip() for c in SNAPSHOT_VALUES.split(','))}"
            " FROM eod_loansnapshot s WHERE s.as_of = %s"
            " AND NOT EXISTS (SELECT 1 FROM eod_recompute r WHERE r.loan_id = s.loan_id)"
            " AND EXISTS (SELECT 1 FROM book_loan l WHERE l.id = s.loan_id)",
            [as_of, previous_as_of],
        )
        return cur.rowcount


_GROUPS = (
    "bucket, classification, CASE WHEN dpd > 0 THEN 1 ELSE 0 END,"
    " CASE WHEN time_barred THEN 1 ELSE 0 END"
)


def _grouped(as_of: dt.date, recomputed: bool) -> pl.DataFrame:
    """One day's rows of the recomputed (or of all other) loans, grouped as engine.totals."""
    which = "" if recomputed else "NOT "
    return loader.fetch(
        f"SELECT {_GROUPS}, COUNT(*), SUM(total_due_fen), SUM(outstanding_principal_fen)"
        f" FROM eod_loansnapshot s WHERE s.as_of = {loader._lit(as_of)}"
        f" AND {which}EXISTS (SELECT 1 FROM eod_recompute r WHERE r.loan_id = s.loan_id)"
        f" GROUP BY {_GROUPS}",
        engine.GROUP_SCHEMA,
    )


def carried_summary(
    *,
    previous: EodRun,
    as_of: dt.date,
    carried: int,
    moved: pl.DataFrame,
    config: EodConfig,
) -> dict:
    """Totals of the carried rows, for the summary (engine.totals form).

    The previous run's summary less its rows of the loans recomputed now, with the
    re-classed peers moved between classes: a read of the recomputed loans' rows only. If
    rows went missing (a loan deleted since), the day's carried rows are totalled instead.
    """
    then = engine.totals(_grouped(previous.as_of, recomputed=True), config)
    if previous.summary.get("loans", -1) - then["loans"] != carried:
        return engine.totals(_grouped(as_of, recomputed=False), config)
    out = engine.totals_add(previous.summary, then, -1)
    for was, now in moved.select("was", "classification").iter_rows():
        out["by_class"][was] = out["by_class"].get(was, 0) - 1
        out["by_class"][now] = out["by_class"].get(now, 0) + 1
    return out
