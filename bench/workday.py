"""Benchmark of the end-of-day work on cases: strategy, allocation, rotation and queues together
(see bench/README.md, "End-of-day work: allocation, rotation and queues together").

    .venv/bin/python bench/workday.py --db sqlite   [--loans 1000000] [--cases 100000] [--collectors 200]
    .venv/bin/python bench/workday.py --db postgres [--loans 1000000]
    .venv/bin/python bench/workday.py --db sqlite --loans 20000 --cases 2000   # a quick look

Builds one throwaway database with bench/_book.py (a temp ARREARS_VAR_DIR for SQLite; the
PostgreSQL database `arrears_bench_workday`, dropped and recreated): 1,000,000 loans, their
as-of snapshot, 100,000 open cases in the allocation mix, 200 collectors, disputes,
suspensions, broken promises and the strategies' history. Then, in a fresh process, runs the
end-of-day phases that turn the day's delinquency into work — `strategy` (60, the due
actions the queues read), `allocation` (62), `rotation` (64), `assists` (66) and `queues`
(70) — taken from the phase registry and called as `eod.services.eod_run` calls them: in
order, `fn(EodPhaseContext(...))`, all inside one transaction. Then the next day: the book
moved on as the engine would leave it (snapshot carried with DPD + 1, 1% new cases opened;
not timed) and the same phases again. Prints seconds per phase, moves, queue entries, peak
RSS, and a table row for bench/README.md. Never touches var/arrears.sqlite3.

`--phase build` then `--phase run` (same --db and --var-dir) split the two; a book runs once
(its cases have moved), build again to repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book import (  # noqa: E402  (bench/_book.py)
    AS_OF,
    BUCKET_SQL,
    DRAW_SEED,
    book_main,
    peak_mb,
    with_defaults,
)

PG_NAME = "arrears_bench_workday"
WORKDAY = ("strategy", "allocation", "rotation", "assists", "queues")
NEW_CASES_SHARE = 0.01


class _QueueSteps(logging.Handler):
    """The queue phase logs its steps' seconds (they stay out of the run's summary)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds: dict = {}

    def emit(self, record):
        if record.msg.startswith("queues for") and isinstance(record.args, tuple):
            self.seconds = dict(record.args[-1] or {})


def workday(as_of: dt.date) -> dict:
    """The phases of WORKDAY as the end-of-day run calls them (eod.services.eod_run): from the
    registry, in order, inside the run's one transaction; timed each, and whole with commit."""
    from django.db import transaction

    from arrears.book.models import Loan
    from arrears.cases.models import CaseAssignment
    from arrears.core.models import AuditEntry
    from arrears.eod.phases import EodPhaseContext, eod_phases

    phases = [p for p in eod_phases() if p.name in WORKDAY]
    assert tuple(p.name for p in phases) == WORKDAY, [p.name for p in phases]
    steps = _QueueSteps()
    log = logging.getLogger("arrears.queues.engine")
    level = log.level
    log.addHandler(steps)
    log.setLevel(logging.INFO)
    moves0, audit0 = CaseAssignment.objects.count(), AuditEntry.objects.count()
    started = dt.datetime.now(dt.UTC)
    ctx = EodPhaseContext(as_of=as_of, is_latest=True, actor=None)
    seconds, summary = {}, {}
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            for phase in phases:
                clock = time.perf_counter()
                summary[phase.name] = phase.fn(ctx) or {}
                seconds[phase.name] = round(time.perf_counter() - clock, 2)
            clock = time.perf_counter()
        seconds["commit"] = round(time.perf_counter() - clock, 2)
    finally:
        log.removeHandler(steps)
        log.setLevel(level)
    seconds["total"] = round(time.perf_counter() - t0, 2)
    strategy, queues = summary["strategy"], summary["queues"]
    return {
        "as_of": as_of.isoformat(),
        "seconds": seconds,
        "queue_steps": steps.seconds,
        "strategy": {k: strategy.get(k) for k in ("cases", "due", "skipped", "handovers_live")},
        "allocation": summary["allocation"],
        "rotation": summary["rotation"],
        "assists": summary["assists"],
        "queues": {k: v for k, v in queues.items() if k != "on"},
        "moves": CaseAssignment.objects.count() - moves0,
        "audit_entries": AuditEntry.objects.count() - audit0,
        # What would make the next end-of-day recompute loans (eod.incremental's "changed").
        "loans_marked_changed": Loan.objects.filter(ledger_changed_at__gte=started).count(),
        "peak_rss_mb": round(peak_mb()),
    }


def next_day(day: dt.date, share: float = NEW_CASES_SHARE) -> dict:
    """The book as the engine's run of `day` would leave it for these phases (not timed): the
    previous snapshot carried with DPD + 1 for the late loans, `share` of the open cases'
    number opened on current loans that fell due, the open cases' DPD and bucket moved on."""
    import polars as pl
    from django.db import connection, transaction

    from arrears.cases.models import Case
    from arrears.eod.models import LoanSnapshot
    from arrears.eod.services import bulk_insert

    prev = day - dt.timedelta(days=1)
    t0 = time.perf_counter()
    grown = {
        "as_of": "%s",
        "dpd": "CASE WHEN dpd > 0 THEN dpd + 1 ELSE 0 END",
        "bucket": BUCKET_SQL.format(d="(CASE WHEN dpd > 0 THEN dpd + 1 ELSE 0 END)"),
    }
    cols = [f.column for f in LoanSnapshot._meta.concrete_fields if not f.primary_key]
    n_new = round(Case.objects.filter(status=Case.Status.OPEN).count() * share)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM eod_loansnapshot WHERE as_of = %s", [day])
        cur.execute(
            f"INSERT INTO eod_loansnapshot ({', '.join(cols)})"
            f" SELECT {', '.join(grown.get(c, c) for c in cols)}"
            " FROM eod_loansnapshot WHERE as_of = %s",
            [day, prev],
        )
        cur.execute(
            "SELECT s.loan_id, l.borrower_id, l.principal_fen FROM eod_loansnapshot s"
            " JOIN book_loan l ON l.id = s.loan_id WHERE s.as_of = %s AND s.dpd = 0"
            " AND s.loan_id %% 7 = 3 AND NOT EXISTS"
            " (SELECT 1 FROM cases_case c WHERE c.loan_id = s.loan_id) ORDER BY s.loan_id",
            [day],
        )
        fresh = cur.fetchall()[:n_new]
        for loan, _b, principal in fresh:
            cur.execute(
                "UPDATE eod_loansnapshot SET dpd = 1, bucket = 'M1',"
                " classification = 'special_mention', total_due_fen = %s,"
                " overdue_principal_fen = %s WHERE as_of = %s AND loan_id = %s",
                [principal // 12, principal // 12, day, loan],
            )
        first = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        now = dt.datetime.now(dt.UTC).isoformat()
        cases = pl.DataFrame(
            {
                "id": list(range(first, first + len(fresh))),
                "loan_id": [r[0] for r in fresh],
                "borrower_id": [r[1] for r in fresh],
            },
            schema={"id": pl.Int64, "loan_id": pl.Int64, "borrower_id": pl.Int64},
        ).with_columns(
            pl.lit(day).alias("opened_on"),
            pl.lit("open").alias("status"),
            pl.lit("").alias("close_reason"),
            pl.lit("M1").alias("bucket"),
            pl.lit(1).alias("dpd"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        )
        cur.execute(
            "UPDATE cases_case SET dpd = dpd + 1,"
            f" bucket = {BUCKET_SQL.format(d='(dpd + 1)')} WHERE status = 'open'"
        )
        bulk_insert("cases_case", with_defaults("cases_case", cases))
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'),"
                " (SELECT MAX(id) FROM cases_case))"
            )
            cur.execute("ANALYZE eod_loansnapshot")
            cur.execute("ANALYZE cases_case")
    return {"new_cases": len(fresh), "seconds": round(time.perf_counter() - t0, 2)}


def run() -> dict:
    from arrears.cases.models import CaseAssignment

    if CaseAssignment.objects.exists():
        sys.exit("this book has been run already (cases moved): build it again")
    from django.test import override_settings

    with override_settings(ARREARS_STRATEGY_DRAW_SEED=DRAW_SEED):
        first = workday(AS_OF)
        between = next_day(AS_OF + dt.timedelta(days=1))
        second = workday(AS_OF + dt.timedelta(days=1))
    return {"day1": first, "between": between, "day2": second, "peak_rss_mb": round(peak_mb())}


def table_row(db: str, args, result: dict) -> str:
    """| database | book | day 1: strategy / allocation / rotation / assists / queues / commit
    | day 1 total | moves | day 2 total | moves | peak RSS | load |"""

    def parts(day):
        s = day["seconds"]
        return " / ".join(f"{s[k]:.1f}" for k in (*WORKDAY, "commit"))

    d1, d2 = result["day1"], result["day2"]
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[db]
    return (
        f"| {name} | {args.loans:,} / {args.cases:,} / {args.collectors} "
        f"| {parts(d1)} | **{d1['seconds']['total']:.1f} s** | {d1['moves']:,} "
        f"| {parts(d2)} | **{d2['seconds']['total']:.1f} s** | {d2['moves']:,} "
        f"| {result['peak_rss_mb']:,} MiB | {result['machine']['load']} |"
    )


def main() -> None:
    args, result = book_main(__file__, __doc__, PG_NAME, run)
    if result is not None:
        print(table_row(args.db, args, result))


if __name__ == "__main__":
    main()
