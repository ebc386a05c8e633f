"""Read the loan book set-based into Polars frames for the engine.

PostgreSQL: `COPY (SELECT …) TO STDOUT (FORMAT csv)` streamed through psycopg 3 and parsed
by Polars' multi-threaded CSV reader. SQLite: the raw sqlite3 cursor, fetched in large
batches (dates as integer days, which are cheaper to build in Python than strings).
Whole tables, no ORM objects, no per-loan queries.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from django.conf import settings
from django.db import connection, transaction

from arrears.eod import engine, limitation
from arrears.eod.config import EodConfig

BATCH = 1_000_000


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _date(col: str) -> str:
    """A date column in the form this vendor's fetch path wants (see _fetch)."""
    if _is_pg():
        return col
    # Days since 1970-01-01: julianday('1970-01-01') is 2440587.5.
    return f"CAST(julianday({col}) - 2440587.5 AS INTEGER)"


def _lit(day: dt.date) -> str:
    return f"'{day.isoformat()}'"


def _fetch_raw(raw, vendor: str, sql: str, schema: dict) -> pl.DataFrame:
    """Run a SELECT whose columns are `schema` (in order) on a DB-API connection."""
    if vendor == "postgresql":
        chunks: list[bytes] = []
        with raw.cursor() as cur:
            with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for data in copy:
                    chunks.append(bytes(data))
        if not chunks:
            return pl.DataFrame(schema=schema)
        data = b"".join(chunks)
        chunks.clear()
        read_schema = {k: (pl.Int64 if v == pl.Boolean else v) for k, v in schema.items()}
        df = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            new_columns=list(schema),
            schema=read_schema,
        )
        return df.with_columns(
            [pl.col(k).cast(pl.Boolean) for k, v in schema.items() if v == pl.Boolean]
        )
    fetch_schema = {k: (pl.Int64 if v in (pl.Date, pl.Boolean) else v) for k, v in schema.items()}
    cur = raw.cursor()
    try:
        cur.execute(sql)
        frames = []
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            frames.append(pl.DataFrame(rows, schema=fetch_schema, orient="row"))
            del rows
    finally:
        cur.close()
    df = pl.concat(frames) if frames else pl.DataFrame(schema=fetch_schema)
    casts = []
    for k, v in schema.items():
        if v == pl.Date:
            casts.append(pl.col(k).cast(pl.Int32).cast(pl.Date))
        elif v == pl.Boolean:
            casts.append(pl.col(k).cast(pl.Boolean))
    return df.with_columns(casts) if casts else df


def fetch(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a SELECT on Django's connection (inside its current transaction)."""
    connection.ensure_connection()
    return _fetch_raw(connection.connection, connection.vendor, sql, schema)


def _worker_fetch(target: dict, sql: str, schema: dict) -> pl.DataFrame:
    """In a worker process: open a plain connection and fetch (no Django needed)."""
    if target["vendor"] == "postgresql":
        import psycopg

        with psycopg.connect(**target["params"]) as raw:
            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # The parent's snapshot: every worker sees the book exactly as the parent does.
            raw.execute(f"SET TRANSACTION SNAPSHOT '{target['snapshot']}'")
            return _fetch_raw(raw, "postgresql", sql, schema)
    import sqlite3

    raw = sqlite3.connect(target["path"], timeout=30)
    try:
        return _fetch_raw(raw, "sqlite", sql, schema)
    finally:
        raw.close()


def _parallel_target() -> dict | None:
    """How a worker process reaches this database, or None (in-memory SQLite) if it cannot."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cur.fetchone()
        params = {
            "dbname": s["NAME"],
            "user": s.get("USER") or None,
            "password": s.get("PASSWORD") or None,
            "host": s.get("HOST") or None,
            "port": s.get("PORT") or None,
        }
        return {
            "vendor": "postgresql",
            "snapshot": snapshot,
            "params": {k: v for k, v in params.items() if v},
        }
    name = str(s["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
        return None
    return {"vendor": "sqlite", "path": name}


def _scan(col: str) -> str:
    # SQLite would answer a date range through the due_on index and then fetch most of the
    # table row by row, three times slower than a plain scan; `+col` keeps it off the index.
    return col if _is_pg() else f"+{col}"


# Incremental runs read only the loans in this temp table (see eod.incremental).
SUBSET = "loan_id IN (SELECT loan_id FROM eod_recompute)"


def _where(*conds: str) -> str:
    conds = tuple(c for c in conds if c)
    return f" WHERE {' AND '.join(conds)}" if conds else ""


def q_installments(horizon: dt.date | None = None, subset: bool = False) -> tuple[str, dict]:
    """Installments, one row each; only those due by `horizon` when given (see q_future)."""
    where = _where(
        f"{_scan('due_on')} <= {_lit(horizon)}" if horizon else "", SUBSET if subset else ""
    )
    return (
        "SELECT id, loan_id, number, "
        f"{_date('due_on')}, principal_due_fen, interest_due_fen FROM book_installment{where}",
        engine.INSTALLMENTS_SCHEMA,
    )


def q_future(horizon: dt.date, subset: bool = False) -> tuple[str, dict]:
    """Installments due after `horizon`, summed per loan (engine.compute's `future`)."""
    where = _where(f"{_scan('due_on')} > {_lit(horizon)}", SUBSET if subset else "")
    return (
        f"SELECT loan_id, SUM(principal_due_fen), {_date('MAX(due_on)')} FROM book_installment"
        f"{where} GROUP BY loan_id",
        engine.FUTURE_SCHEMA,
    )


COMPONENT_CODES = {1: "fee", 2: "penalty", 3: "interest", 4: "principal"}


def q_allocations(as_of: dt.date, subset: bool = False) -> tuple[str, dict]:
    # Credit rows are money held, not debt paid; rows after the as-of date do not count yet.
    # The engine does not need loan_id here, and small integer codes fetch faster than text.
    codes = " ".join(f"WHEN '{v}' THEN {k}" for k, v in COMPONENT_CODES.items())
    return (
        f"SELECT installment_id, charge_id, CASE component {codes} END, amount_fen, "
        f"{_date('effective_on')} FROM book_allocation "
        f"WHERE effective_on <= {_lit(as_of)} AND component <> 'credit'"
        + (f" AND {SUBSET}" if subset else ""),
        {
            "installment_id": pl.Int64,
            "charge_id": pl.Int64,
            "component": pl.Int64,
            "amount": pl.Int64,
            "effective_on": pl.Date,
        },
    )


def _allocations_frame(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.col("component").replace_strict(COMPONENT_CODES, return_dtype=pl.String),
        pl.lit(None, pl.Int64).alias("loan_id"),
    ).select(list(engine.ALLOCATIONS_SCHEMA))


def q_credit(as_of: dt.date, horizon: dt.date) -> tuple[str, dict]:
    """Credit held as of D (paid by D, not applied by D) by the loans with an installment due
    in (D, horizon]: the pre-due list is net of it (engine.pre_due_net_of_credit)."""
    return (
        "SELECT p.loan_id, SUM(p.amount_fen) - COALESCE((SELECT SUM(a.amount_fen)"
        " FROM book_allocation a WHERE a.loan_id = p.loan_id"
        f" AND a.effective_on <= {_lit(as_of)} AND a.component <> 'credit'), 0)"
        f" FROM book_payment p WHERE p.paid_on <= {_lit(as_of)} AND p.loan_id IN"
        f" (SELECT loan_id FROM book_installment WHERE due_on > {_lit(as_of)}"
        f" AND due_on <= {_lit(horizon)}) GROUP BY p.loan_id",
        engine.CREDIT_SCHEMA,
    )


def q_charges(as_of: dt.date, subset: bool = False) -> tuple[str, dict]:
    return (
        f"SELECT id, loan_id, {_date('charged_on')}, amount_fen, waived_fen FROM book_charge "
        f"WHERE charged_on <= {_lit(as_of)}" + (f" AND {SUBSET}" if subset else ""),
        engine.CHARGES_SCHEMA,
    )


def q_loans(subset: bool = False) -> tuple[str, dict]:
    # Rates have six decimal places, so rate × 1e6 is a whole number (core.money.rate_ppm).
    return (
        "SELECT id, borrower_id, product_id, "
        "CAST(ROUND(penalty_rate * 1000000) AS BIGINT), "
        f"CAST(ROUND(annual_rate * 1000000) AS BIGINT), {_date('disbursed_on')} FROM book_loan"
        + (" WHERE id IN (SELECT loan_id FROM eod_recompute)" if subset else ""),
        engine.LOANS_SCHEMA,
    )


def q_products() -> tuple[str, dict]:
    return (
        "SELECT id, day_count, grace_days, CAST(ROUND(rate_cap * 1000000) AS BIGINT), "
        "CASE WHEN penalty_base = 'principal_interest' THEN 1 ELSE 0 END, "
        "arrears_tolerance_fen FROM book_product",
        engine.PRODUCTS_SCHEMA,
    )


def q_events(
    as_of: dt.date, config: EodConfig, subset: bool = False, ledger: bool | None = None
) -> tuple[str, dict] | None:
    sql = limitation.events_sql(as_of, config.restart_kinds, subset=subset, ledger=ledger)
    if sql is None:
        return None
    return (
        f"SELECT loan_id, {_date('event_date')}, kind, actor, {_date('reached_on')}, revive_only"
        f" FROM ({sql}) AS ev",
        engine.EVENTS_SCHEMA,
    )


def load_workers() -> int:
    """Loader processes: env ARREARS_EOD_LOAD_WORKERS, else the setting, else 1.

    Workers only pay off with idle cores: each result crosses a pipe (pickled Arrow) and each
    worker holds its table twice while it does, so on a busy 2-core machine one is as fast.
    """
    value = os.environ.get("ARREARS_EOD_LOAD_WORKERS")
    if value is None:
        value = getattr(settings, "ARREARS_EOD_LOAD_WORKERS", 1)
    return max(1, int(value))


def load_book(
    as_of: dt.date, config: EodConfig, *, workers: int | None = None, subset: bool = False
) -> dict[str, pl.DataFrame]:
    """Every frame the engine needs, as keyword arguments for engine.compute.

    With `workers` > 1 (ARREARS_EOD_LOAD_WORKERS; default 1) the tables are read by that many
    worker processes at once — reading rows is CPU-bound in Python, so processes, not threads.
    On PostgreSQL they share this transaction's snapshot (pg_export_snapshot), so the frames
    are one consistent picture. Workers see only committed data: a caller inside an outer
    transaction (tests, a caller's atomic block) must pass workers=1.

    With `subset` only the loans in the eod_recompute temp table are read (an incremental
    run); a temp table is this connection's own, so the load is then in-process.
    """
    horizon = as_of + dt.timedelta(days=config.pre_due_days)
    # Largest first, so the pool's tail is short.
    queries = {
        "allocations": q_allocations(as_of, subset),
        "installments": q_installments(horizon, subset),
        "events": q_events(as_of, config, subset),
        "loans": q_loans(subset),
        "future": q_future(horizon, subset),
        "charges": q_charges(as_of, subset),
        "products": q_products(),
        # An incremental run nets the pre-due list of every loan itself (services).
        "credit": None if subset else q_credit(as_of, horizon),
    }
    if workers is None:
        workers = load_workers()
    if subset:
        workers = 1
    target = _parallel_target() if workers > 1 else None
    frames: dict[str, pl.DataFrame] = {}
    if target is None:
        for name, q in queries.items():
            frames[name] = fetch(*q) if q else engine.empty(engine.EVENTS_SCHEMA)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: a forked child would share (and could close) this process's DB connection.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {
                name: pool.submit(_worker_fetch, target, *q) for name, q in queries.items() if q
            }
            for name in queries:
                frames[name] = (
                    futures[name].result()
                    if name in futures
                    else engine.empty(engine.EVENTS_SCHEMA)
                )
    frames["allocations"] = _allocations_frame(frames["allocations"])
    frames["caps"] = caps_frame()
    return frames


def caps_frame() -> pl.DataFrame:
    """The law's cap periods of every product (book.terms.legal_cap_periods), as a frame."""
    from arrears.book.models import Product
    from arrears.book.terms import legal_cap_periods

    rows = legal_cap_periods(Product.objects.order_by("id"))
    return pl.DataFrame(
        {
            "product_id": [r.product_id for r in rows],
            "from_on": [r.from_on for r in rows],
            "cap_ppm": [r.cap_ppm for r in rows],
        },
        schema=engine.CAPS_SCHEMA,
    )


@contextmanager
def book_snapshot() -> Iterator[int | None]:
    """Hold one consistent view of the book while it is loaded; yields the worker count to use.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction, shared with the worker processes.
    SQLite: a deferred read transaction (WAL: writers are not blocked, and Django's
    IMMEDIATE transactions would block them for the whole load). Inside a caller's
    transaction the load stays in-process (workers cannot see uncommitted rows).
    """
    if connection.in_atomic_block:
        yield 1
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield None
    else:
        # Parallel workers read outside this transaction: their view is as consistent as
        # separate reads under concurrent writes can be; with workers=1 it is exact.
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN DEFERRED")
        try:
            yield None
        finally:
            raw.execute("COMMIT")


def load_previous_dpd(as_of: dt.date) -> pl.DataFrame | None:
    """DPD per loan from the latest snapshot before `as_of` (for newly delinquent and cured)."""
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(as_of) FROM eod_loansnapshot WHERE as_of < %s", [as_of])
        (prev,) = cur.fetchone()
    if prev is None:
        return None
    if isinstance(prev, str):
        prev = dt.date.fromisoformat(prev)
    return fetch(
        f"SELECT loan_id, dpd FROM eod_loansnapshot WHERE as_of = {_lit(prev)} AND dpd > 0",
        {"loan_id": pl.Int64, "dpd": pl.Int64},
    )
