"""The end-of-day run: load the book, compute, and write snapshot, pre-due list and cases.

Everything the run writes lands in ONE transaction together with its EodRun row, so a
process killed at any moment (SIGKILL included) leaves either the previous state or the
complete new one, and running the same as-of again replaces that day's rows with identical
ones.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from arrears.cases.services import cases_sync
from arrears.core.audit import audit_record
from arrears.core.models import User
from arrears.eod import engine, incremental, loader
from arrears.eod.config import EodConfig, eod_config
from arrears.eod.models import EodRun
from arrears.eod.phases import EodPhaseContext, eod_phases

SNAPSHOT_COLUMNS = [
    "as_of",
    "loan_id",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal_fen",
    "overdue_interest_fen",
    "penalty_fen",
    "fees_fen",
    "outstanding_principal_fen",
    "total_due_fen",
    "limitation_deadline",
    "time_barred",
]
PRE_DUE_COLUMNS = ["as_of", "loan_id", "installment_number", "due_on", "amount_due_fen"]
SQLITE_BATCH = 50_000
_PG_LOCK_KEY = 0x454F4452  # "EODR": one end-of-day run at a time


def _test_pause(phase: str) -> None:
    """Test hook: ARREARS_EOD_TEST_PAUSE_AT=<phase> makes the run stop there so a test can kill it."""
    if os.environ.get("ARREARS_EOD_TEST_PAUSE_AT") == phase:
        print(f"EOD-PAUSED {phase}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("ARREARS_EOD_TEST_PAUSE_SECONDS", "600")))


def snapshot_frame(result: engine.EodResult) -> pl.DataFrame:
    return result.loans.select(
        pl.lit(result.as_of).alias("as_of"),
        "loan_id",
        "dpd",
        "bucket",
        "classification",
        pl.col("overdue_principal").alias("overdue_principal_fen"),
        pl.col("overdue_interest").alias("overdue_interest_fen"),
        pl.col("penalty").alias("penalty_fen"),
        pl.col("fees").alias("fees_fen"),
        pl.col("outstanding_principal").alias("outstanding_principal_fen"),
        pl.col("total_due").alias("total_due_fen"),
        "limitation_deadline",
        "time_barred",
    )


def pre_due_frame(result: engine.EodResult) -> pl.DataFrame:
    return result.pre_due.select(
        pl.lit(result.as_of).alias("as_of"),
        "loan_id",
        pl.col("number").alias("installment_number"),
        "due_on",
        pl.col("amount_due").alias("amount_due_fen"),
    )


def bulk_insert(table: str, df: pl.DataFrame, progress=None) -> None:
    """Insert a frame into a table: COPY on PostgreSQL, big executemany batches on SQLite."""
    if df.height == 0:
        return
    cols = ", ".join(df.columns)
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        df.write_csv(buf, include_header=False)
        with connection.connection.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
                view = buf.getbuffer()
                step = 8 << 20
                for start in range(0, len(view), step):
                    copy.write(view[start : start + step])
                del view
        if progress is not None:
            progress(df.height)
        return
    # SQLite stores dates as ISO text and booleans as 0/1.
    df = df.with_columns(
        [pl.col(c).dt.to_string("%Y-%m-%d") for c, t in df.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in df.schema.items() if t == pl.Boolean]
    )
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(df.columns))})"
    raw = connection.connection
    for start in range(0, df.height, SQLITE_BATCH):
        chunk = df.slice(start, SQLITE_BATCH)
        raw.executemany(sql, chunk.iter_rows())
        if progress is not None:
            progress(chunk.height)


class _Phases:
    """Seconds per phase, and a progress bar that advances by phase (and by rows written)."""

    def __init__(self, progress: bool, total_rows: int = 0):
        self.timings: dict[str, float] = {}
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(total=100, desc="eod", unit="%", leave=False, file=sys.stderr)

    @contextmanager
    def __call__(self, name: str, weight: int = 0) -> Iterator[None]:
        if self.bar is not None:
            self.bar.set_description(f"eod: {name}")
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0) + time.perf_counter() - start, 3)
            if self.bar is not None and weight:
                self.bar.update(weight)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def eod_compute(*, as_of: dt.date, config: EodConfig | None = None) -> engine.EodResult:
    """Compute (without writing) every loan's figures as of a date."""
    config = config or eod_config()
    with loader.book_snapshot() as workers:
        frames = loader.load_book(as_of, config, workers=workers)
    return engine.compute(**frames, as_of=as_of, config=config)


def eod_run(
    *,
    as_of: dt.date,
    actor: User | None = None,
    progress: bool = False,
    config: EodConfig | None = None,
    full: bool = False,
) -> EodRun:
    """Run end-of-day for `as_of`: snapshot every loan, refresh the pre-due list, sync cases.

    Incremental by default: when the latest completed run is of an earlier day with the same
    configuration, only loans whose figures can have changed are recomputed and the others'
    rows are carried forward (eod.incremental; `full=True`, `arrears eod --full`, recomputes
    all). Back-dated and repeated days always run in full.

    Cases follow only the latest day: a back-dated run (as-of before the latest completed
    run) rewrites that day's snapshot but leaves today's cases alone.
    """
    config = config or eod_config()
    started_at = timezone.now()
    phases = _Phases(progress)
    tables = False
    try:
        basis = incremental.run_basis(config)
        previous, full_reason = incremental.previous_run(as_of=as_of, basis=basis, full=full)
        selection: dict = {}
        if previous is not None:
            incremental.temp_tables_create()
            tables = True
        with phases("load", 35):
            with loader.book_snapshot() as workers:
                book_read_at = incremental.read_time()
                external = incremental.external_events(as_of, config)
                if previous is not None:
                    clock = time.perf_counter()
                    selection = incremental.select(
                        previous=previous,
                        as_of=as_of,
                        config=config,
                        basis=basis,
                        external_now=external,
                    )
                    selection["select_s"] = round(time.perf_counter() - clock, 3)
                    full_reason = incremental.full_instead(selection, config)
                    if full_reason:
                        previous = None
                peers = pre_due = None
                if previous is None:
                    frames = loader.load_book(as_of, config, workers=workers)
                else:
                    with incremental.index_probes():
                        frames = loader.load_book(as_of, config, workers=workers, subset=True)
                    if config.borrower_np_share_bp is not None:
                        peers = incremental.load_peers(previous.as_of)
                    pre_due = incremental.pre_due(as_of, config)
                    credit = incremental.pre_due_credit(as_of, config)
                previous_dpd = loader.load_previous_dpd(as_of)
        _test_pause("loaded")
        with phases("compute", 15):
            result = engine.compute(
                **frames,
                as_of=as_of,
                config=config,
                peers=None if peers is None else peers.drop("classification"),
            )
            del frames
            moved = None
            if previous is not None:
                # Incremental: the schedule's pre-due list for every loan, and the carried
                # loans whose class the borrower rule changed.
                moved = incremental.reclassified(
                    peers if peers is not None else engine.empty(incremental.PEER_SCHEMA),
                    result.peers,
                )
                # Any loan with credit and something owed is recomputed (overdue or fee_cap),
                # so its total due is in this run's rows.
                pre_due = engine.pre_due_net_of_credit(pre_due, credit, result.loans)
                result = engine.EodResult(as_of=as_of, loans=result.loans, pre_due=pre_due)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
            with phases("write", 40):
                with connection.cursor() as cur:
                    cur.execute("DELETE FROM eod_loansnapshot WHERE as_of = %s", [as_of])
                    cur.execute("DELETE FROM eod_predue WHERE as_of = %s", [as_of])
                snap = snapshot_frame(result)
                half = snap.height // 2
                bulk_insert("eod_loansnapshot", snap.slice(0, half))
                _test_pause("snapshot_half")
                bulk_insert("eod_loansnapshot", snap.slice(half))
                del snap
                carried = 0
                carried_totals = None
                if previous is not None:
                    clock = time.perf_counter()
                    carried = incremental.carry_forward(previous_as_of=previous.as_of, as_of=as_of)
                    _test_pause("carried")
                    incremental.reclassify(as_of, moved)
                    carried_totals = incremental.carried_summary(
                        previous=previous, as_of=as_of, carried=carried, moved=moved, config=config
                    )
                    selection["carry_s"] = round(time.perf_counter() - clock, 3)
                bulk_insert("eod_predue", pre_due_frame(result))
                _external_write(as_of, external)
                if connection.vendor == "postgresql":
                    # Fresh statistics, or the planner takes a million new rows for none and
                    # the case queries below crawl (150 s instead of 2 s at 1M loans).
                    with connection.cursor() as cur:
                        cur.execute("ANALYZE eod_loansnapshot")
            summary = engine.summarise(result, previous_dpd, config, carried=carried_totals)
            summary.update(book_and_written_off(as_of, summary, config))
            _test_pause("snapshot_written")
            with phases("cases", 10):
                latest = (
                    EodRun.objects.filter(status=EodRun.Status.DONE)
                    .order_by("-as_of")
                    .values_list("as_of", flat=True)
                    .first()
                )
                opened = closed = 0
                is_latest = latest is None or as_of >= latest
                if is_latest:
                    opened, closed = cases_sync(as_of=as_of)
                    with connection.cursor() as cur:
                        # Only the latest day's sightings are compared by the next run.
                        cur.execute("DELETE FROM eod_externalrestart WHERE as_of < %s", [as_of])
            ctx = EodPhaseContext(as_of=as_of, is_latest=is_latest, actor=actor)
            for phase in eod_phases():
                with phases(phase.name):
                    summary[phase.name] = phase.fn(ctx) or {}
            if previous is not None:
                mode, detail = (
                    EodRun.Mode.INCREMENTAL,
                    {
                        **selection,
                        "borrower_peers": 0 if peers is None else peers.height,
                        "reclassified": moved.height,
                        "carried": carried,
                    },
                )
            else:
                mode, detail = EodRun.Mode.FULL, {"reason": full_reason}
                if selection:
                    detail["selection"] = selection
            run = EodRun.objects.create(
                as_of=as_of,
                started_at=started_at,
                finished_at=timezone.now(),
                status=EodRun.Status.DONE,
                actor=actor if actor is not None and actor.pk else None,
                loans=summary["loans"],
                delinquent=summary["delinquent"],
                newly_delinquent=summary["newly_delinquent"],
                cured=summary["cured"],
                cases_opened=opened,
                cases_closed=closed,
                pre_due=summary["pre_due"],
                timings=phases.timings,
                summary=summary,
                mode=mode,
                book_read_at=book_read_at,
                basis=basis,
                recomputed=result.loans.height,
                carried=carried,
                mode_detail=detail,
            )
            audit_record(
                actor=actor,
                event="eod.run",
                object_type="eod_run",
                object_id=run.pk,
                after={
                    "as_of": as_of.isoformat(),
                    "loans": run.loans,
                    "opened": opened,
                    "mode": mode,
                    "recomputed": run.recomputed,
                },
                source="cli" if actor is None else "web",
            )
            _test_pause("before_commit")
        # Timings after commit include the commit itself.
        EodRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        run.refresh_from_db()
        return run
    except Exception as exc:
        EodRun.objects.create(
            as_of=as_of,
            started_at=started_at,
            finished_at=timezone.now(),
            status=EodRun.Status.FAILED,
            actor=actor if actor is not None and actor.pk else None,
            timings=phases.timings,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    finally:
        if tables:
            try:
                incremental.temp_tables_drop()
            except DatabaseError:
                pass  # the transaction is already lost; temp tables end with the session
        phases.close()


def book_and_written_off(as_of: dt.date, summary: dict, config: EodConfig) -> dict:
    """The day's figures that count as the book, and the written-off ledger's (docs/writeoff.md).

    A loan written off on or before the day (`book_loan.written_off_on`) leaves the book but
    keeps its snapshot row: its debt runs on (accrual continues off-balance, within the cap).
    The summary's top-level figures stay those of every row (an incremental run builds on
    them), so `book` = all rows − `written_off`, both in engine.totals form, read from the
    day's written snapshot: the same whether the day ran in full or incrementally.
    """
    day = loader._lit(as_of)
    groups = loader.fetch(
        f"SELECT {incremental._GROUPS}, COUNT(*), SUM(s.total_due_fen),"
        " SUM(s.outstanding_principal_fen)"
        " FROM eod_loansnapshot s JOIN book_loan l ON l.id = s.loan_id"
        f" WHERE s.as_of = {day} AND l.written_off_on <= {day}"
        f" GROUP BY {incremental._GROUPS}",
        engine.GROUP_SCHEMA,
    )
    written_off = engine.totals(groups, config)
    book = engine.totals_add(summary, written_off, -1)
    out = {}
    for name, part in (("book", book), ("written_off", written_off)):
        out[name] = {
            "loans": part["loans"],
            "delinquent": part["delinquent"],
            "time_barred": part["time_barred"],
            "by_bucket": {
                label: part["by_bucket"].get(label, {"loans": 0, "total_due": 0, "principal": 0})
                for label, _ in config.buckets
            },
            "by_class": {c: n for c, n in sorted(part["by_class"].items()) if n},
        }
    return out


def _external_write(as_of: dt.date, external: pl.DataFrame) -> None:
    """Keep the day's restart events from outside the ledger for the next run to compare."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM eod_externalrestart WHERE as_of = %s", [as_of])
    bulk_insert(
        "eod_externalrestart",
        external.select(pl.lit(as_of).alias("as_of"), "loan_id", "event_date", "signature"),
    )
