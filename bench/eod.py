"""Benchmark of the end-of-day engine on a synthetic book (see bench/README.md).

    .venv/bin/python bench/eod.py --db sqlite   [--loans 1000000] [--baseline 10000]
    .venv/bin/python bench/eod.py --db postgres [--loans 1000000]

Builds a throwaway database (a temp ARREARS_VAR_DIR for SQLite; the PostgreSQL database
`arrears_bench_eod`, dropped and recreated) with N loans, ~12 installments each, payments and
allocations for a realistic mix (most loans pay on time, ~15% stop paying, some pay part),
written with bulk SQL (COPY on PostgreSQL, executemany on SQLite). Then, in a fresh process,
runs eod_run for the as-of date, prints loans/s, phase timings and peak RSS; imports payments
for 1% of the loans (--changes) through the normal bulk path and runs the next day (incremental)
and the same day again in full for the ratio; then the per-loan ORM baseline
(bench/eod_baseline.py) on a sample, reporting the speed ratio. Never touches
var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book import (  # noqa: E402  (bench/_book.py: what the benchmarks share)
    AS_OF,
    build_then_run,
    machine,
    peak_mb,
    pg_recreate,
    setup_django,
    with_defaults,
)

PG_NAME = "arrears_bench_eod"


def _setup_django(db: str, var_dir: str | None) -> None:
    setup_django(db, var_dir, PG_NAME)


# --------------------------------------------------------------------------- build


def synth(n_loans: int, seed: int = 7):
    """The book as Polars frames (ids assigned here, so foreign keys need no lookups)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    n_borrowers = max(1, int(n_loans / 1.25))
    loan_id = np.arange(1, n_loans + 1, dtype=np.int64)
    term = rng.choice(np.array([6, 9, 12, 12, 12, 18, 24, 12, 6, 12], dtype=np.int64), n_loans)
    days_back = rng.integers(20, 730, n_loans)
    disbursed = np.datetime64(AS_OF) - days_back.astype("timedelta64[D]")
    principal = rng.integers(100, 5_000, n_loans).astype(np.int64) * 1_000  # 1,000–50,000 yuan
    rate_ppm = rng.choice(np.array([120_000, 150_000, 180_000, 240_000]), n_loans)
    # Behaviour: 85% pay every installment on its due date; 15% stop at a random installment
    # (30% of those pay part of that one, 10 days late).
    stops = rng.random(n_loans) < 0.15
    stop_at = np.where(stops, (rng.random(n_loans) * term).astype(np.int64) + 1, 10_000)
    partial = stops & (rng.random(n_loans) < 0.3)

    loans = pl.DataFrame(
        {
            "id": loan_id,
            "borrower_id": rng.integers(1, n_borrowers + 1, n_loans),
            "product_id": rng.integers(1, 3, n_loans),
            "principal_fen": principal,
            "annual_rate_ppm": rate_ppm,
            "disbursed_on": disbursed,
            "term_months": term,
            "stop_at": stop_at,
            "partial": partial,
        }
    ).with_columns(pl.col("disbursed_on").cast(pl.Date))

    inst = (
        loans.select("id", "principal_fen", "annual_rate_ppm", "disbursed_on", "term_months")
        .rename({"id": "loan_id"})
        .with_columns(pl.int_ranges(1, pl.col("term_months") + 1).alias("number"))
        .explode("number")
        .with_columns(
            pl.col("disbursed_on")
            .dt.offset_by(pl.format("{}mo", pl.col("number")))
            .alias("due_on"),
            (pl.col("principal_fen") // pl.col("term_months")).alias("part"),
        )
        .with_columns(
            pl.when(pl.col("number") == pl.col("term_months"))
            .then(pl.col("principal_fen") - pl.col("part") * (pl.col("term_months") - 1))
            .otherwise(pl.col("part"))
            .alias("principal_due_fen"),
            # Equal principal: interest on the balance before this installment, monthly.
            (
                (pl.col("principal_fen") - pl.col("part") * (pl.col("number") - 1))
                * pl.col("annual_rate_ppm")
                // 12_000_000
            ).alias("interest_due_fen"),
        )
        .with_row_index("id", offset=1)
        .with_columns(pl.col("id").cast(pl.Int64))
        .select("id", "loan_id", "number", "due_on", "principal_due_fen", "interest_due_fen")
    )

    flags = loans.select(pl.col("id").alias("loan_id"), "stop_at", "partial")
    due = inst.filter(pl.col("due_on") <= AS_OF).join(flags, on="loan_id")
    full = due.filter(pl.col("number") < pl.col("stop_at")).select(
        "loan_id",
        pl.col("id").alias("installment_id"),
        pl.col("due_on").alias("paid_on"),
        "interest_due_fen",
        "principal_due_fen",
        (pl.col("interest_due_fen") + pl.col("principal_due_fen")).alias("amount_fen"),
    )
    part = (
        due.filter(
            (pl.col("number") == pl.col("stop_at"))
            & pl.col("partial")
            & (pl.col("due_on") + pl.duration(days=10) <= AS_OF)
        )
        .select(
            "loan_id",
            pl.col("id").alias("installment_id"),
            (pl.col("due_on") + pl.duration(days=10)).alias("paid_on"),
            "interest_due_fen",
            (pl.col("principal_due_fen") // 2).alias("principal_due_fen"),
        )
        .with_columns(
            (pl.col("interest_due_fen") + pl.col("principal_due_fen")).alias("amount_fen")
        )
    )
    # Penalty on the late partial payment is left unpaid (money goes to interest/principal
    # on a product whose waterfall puts penalty last).
    pays = (
        pl.concat([full, part])
        .sort("loan_id", "paid_on")
        .with_row_index("id", offset=1)
        .with_columns(pl.col("id").cast(pl.Int64))
    )
    payments = pays.select(
        "id",
        pl.format("BP{}", pl.col("id")).alias("external_id"),
        "loan_id",
        "paid_on",
        "amount_fen",
    )
    allocations = (
        pl.concat(
            [
                pays.select(
                    pl.col("id").alias("payment_id"),
                    "loan_id",
                    "installment_id",
                    pl.lit("interest").alias("component"),
                    pl.col("interest_due_fen").alias("amount_fen"),
                    pl.col("paid_on").alias("effective_on"),
                ),
                pays.select(
                    pl.col("id").alias("payment_id"),
                    "loan_id",
                    "installment_id",
                    pl.lit("principal").alias("component"),
                    pl.col("principal_due_fen").alias("amount_fen"),
                    pl.col("paid_on").alias("effective_on"),
                ),
            ]
        )
        .filter(pl.col("amount_fen") > 0)
        .sort("payment_id")
    )
    paid = allocations.group_by("installment_id").agg(
        pl.col("amount_fen").filter(pl.col("component") == "principal").sum().alias("pp"),
        pl.col("amount_fen").filter(pl.col("component") == "interest").sum().alias("ip"),
    )
    inst = (
        inst.join(paid, left_on="id", right_on="installment_id", how="left")
        .with_columns(
            pl.col("pp").fill_null(0).alias("principal_paid_fen"),
            pl.col("ip").fill_null(0).alias("interest_paid_fen"),
            pl.lit(0, pl.Int64).alias("penalty_paid_fen"),
        )
        .drop("pp", "ip")
        .sort("id")
    )
    # A failed-deduction fee (20.00) the day after a delinquent loan's first missed due date.
    charges = (
        due.filter(pl.col("number") == pl.col("stop_at"))
        .select(
            "loan_id",
            (pl.col("due_on") + pl.duration(days=1)).alias("charged_on"),
        )
        .filter(pl.col("charged_on") <= AS_OF)
        .with_row_index("id", offset=1)
        .with_columns(pl.col("id").cast(pl.Int64), pl.lit(2_000, pl.Int64).alias("amount_fen"))
    )
    return n_borrowers, loans, inst, payments, allocations, charges


def _tables(n_borrowers, loans, inst, payments, allocations, charges):
    """(table, frame) pairs with every NOT NULL column the models need."""
    import polars as pl

    now = dt.datetime(2026, 11, 28, 0, 0, tzinfo=dt.UTC).isoformat()
    products = pl.DataFrame(
        {
            "id": [1, 2],
            "code": ["BSTD", "BCAP"],
            "name": ["Bench standard", "Bench capped"],
            "product_type": ["microloan", "consumer"],
            "annual_rate": ["0.120000", "0.150000"],
            "penalty_base": ["principal", "principal_interest"],
            "day_count": [360, 365],
            "grace_days": [0, 3],
            "rate_cap": ["0.240000", "0.240000"],
            "failed_deduction_fee_fen": [2000, 2000],
            "arrears_tolerance_fen": [0, 100],
            "allocation_order": ["[]", '["fee", "interest", "principal", "penalty"]'],
        }
    )
    borrowers = pl.DataFrame({"id": pl.int_range(1, n_borrowers + 1, eager=True)}).with_columns(
        pl.format("BB{}", pl.col("id")).alias("external_id"),
        pl.lit("person").alias("kind"),
        pl.format("借款人{}", pl.col("id")).alias("name"),
        *(
            pl.lit("").alias(c)
            for c in ("id_number", "phone", "phone2", "address", "employer", "province")
        ),
        pl.lit("某县").alias("county"),
        pl.format("镇{}", pl.col("id") % 50).alias("town"),
        pl.format("村{}", pl.col("id") % 997).alias("village"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    book_loans = loans.select(
        "id",
        pl.format("BL{}", pl.col("id")).alias("external_id"),
        "borrower_id",
        "product_id",
        "principal_fen",
        (pl.col("annual_rate_ppm").cast(pl.Float64) / 1e6)
        .round(6)
        .cast(pl.String)
        .alias("annual_rate"),
        (pl.col("annual_rate_ppm") * 3 // 2)
        .cast(pl.Float64)
        .truediv(1e6)
        .round(6)
        .cast(pl.String)
        .alias("penalty_rate"),
        "disbursed_on",
        "term_months",
        pl.lit("equal_principal").alias("repayment_method"),
        pl.lit("active").alias("status"),
        pl.lit("imported").alias("schedule_source"),
        pl.lit(0).alias("credit_balance_fen"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    book_payments = payments.with_columns(
        pl.lit("auto_debit").alias("channel"),
        pl.lit("import").alias("source"),
        pl.lit(now).alias("posted_at"),
    )
    book_charges = charges.with_columns(
        pl.lit("failed_deduction").alias("kind"),
        pl.lit(0).alias("paid_fen"),
        pl.lit(0).alias("waived_fen"),
        pl.lit("").alias("note"),
        pl.lit(now).alias("created_at"),
    )
    return [
        ("book_product", products),
        ("book_borrower", borrowers),
        ("book_loan", book_loans),
        ("book_installment", inst),
        ("book_payment", book_payments),
        ("book_allocation", allocations),
        ("book_charge", book_charges),
    ]


def build(db: str, n_loans: int, var_dir: str | None) -> dict:
    if db == "postgres":
        pg_recreate(PG_NAME)
    _setup_django(db, var_dir)
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    frames = synth(n_loans)
    t_synth = time.perf_counter() - t0
    from arrears.eod.services import bulk_insert

    counts = {}
    connection.ensure_connection()
    if db == "sqlite":
        raw = connection.connection
        raw.execute("PRAGMA synchronous=OFF")
    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SET session_replication_role = replica")  # skip FK triggers on load
    from django.db import transaction

    with transaction.atomic():
        for table, df in _tables(*frames):
            df = with_defaults(table, df)
            bulk_insert(table, df)
            counts[table] = df.height
    if db == "postgres":
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = origin")
            for table in counts:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"rows": counts, "build_s": round(time.perf_counter() - t0, 1), "synth_s": t_synth}


# --------------------------------------------------------------------------- run


def peak_workers_mb() -> float:
    """The largest loader worker process (they run while the parent holds little)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(db: str, var_dir: str | None, baseline: int, changes_share: float) -> dict:
    _setup_django(db, var_dir)
    from django.core.management import call_command
    from django.db import connection, transaction

    from arrears.eod.services import eod_run

    call_command("migrate", verbosity=0)  # a book built earlier may predate newer apps' tables
    # Run phases may repeat on one built book: forget days after AS_OF, so the next day is
    # new again. (Cases are kept: the first case sync on a freshly bulk-loaded PostgreSQL
    # book is slow, see the README, and AS_OF's run brings them back to that day.)
    with connection.cursor() as cur:
        for table in ("eod_predue", "eod_externalrestart", "eod_loansnapshot", "eod_eodrun"):
            cur.execute(f"DELETE FROM {table} WHERE as_of > %s", [AS_OF])

    out: dict = {"db": connection.vendor}
    t0 = time.perf_counter()
    r = eod_run(as_of=AS_OF)
    wall = time.perf_counter() - t0
    out["full"] = {
        "loans": r.loans,
        "wall_s": round(wall, 2),
        "loans_per_s": round(r.loans / wall),
        "phases": r.timings,
        "peak_rss_mb": round(peak_mb()),
        "peak_rss_worker_mb": round(peak_workers_mb()),
        "delinquent": r.delinquent,
        "cases_opened": r.cases_opened,
    }

    # Next day: ~1% of loans (every 100th) get a payment, imported through the normal bulk
    # path (ingest.import_payments: one bulk insert, then loans_replay of those loans, which
    # marks them changed). Then the next day incrementally, and the same day again in full
    # for the ratio (same book, same day, same process).
    from arrears.book.models import Loan
    from arrears.ingest.readers import table_from_records
    from arrears.ingest.services import import_payments

    next_day = AS_OF + dt.timedelta(days=1)
    step = max(1, round(1 / changes_share)) if changes_share > 0 else 0
    ids = list(Loan.objects.order_by("id").values_list("external_id", flat=True))
    picked = ids[::step] if step else []
    del ids
    t1 = time.perf_counter()
    report = import_payments(
        table=table_from_records(
            "payments",
            ["流水号", "贷款编号", "还款日期", "金额"],
            [
                [f"NEXT{int(time.time())}-{k}", ext, next_day.isoformat(), "500.00"]
                for k, ext in enumerate(picked)
            ],
        ),
        today=next_day,
        source="bench",
    )
    t_post = time.perf_counter() - t1
    assert report.written or not picked, [str(e) for e in report.errors[:5]]
    # The same next day both ways from the same state: in full inside a transaction that is
    # rolled back (the rollback is not timed), then incrementally for real.
    with transaction.atomic():
        t3 = time.perf_counter()
        r3 = eod_run(as_of=next_day, full=True)
        wall3 = time.perf_counter() - t3
        full_summary, full_timings = r3.summary, r3.timings
        transaction.set_rollback(True)
    t2 = time.perf_counter()
    r2 = eod_run(as_of=next_day)
    wall2 = time.perf_counter() - t2
    out["next_day"] = {
        "payments_posted": len(picked),
        "post_s": round(t_post, 2),
        "mode": r2.mode,
        "wall_s": round(wall2, 2),
        "recomputed": r2.recomputed,
        "carried": r2.carried,
        "reasons": r2.mode_detail.get("reasons"),
        "borrower_peers": r2.mode_detail.get("borrower_peers"),
        "reclassified": r2.mode_detail.get("reclassified"),
        "select_s": r2.mode_detail.get("select_s"),
        "carry_s": r2.mode_detail.get("carry_s"),
        "phases": r2.timings,
        "cases_closed": r2.cases_closed,
        "peak_rss_mb": round(peak_mb()),
    }
    out["next_day_full"] = {
        "wall_s": round(wall3, 2),
        "phases": full_timings,
        "speedup": round(wall3 / wall2, 1),
        "same_summary": full_summary == r2.summary,
    }

    if baseline:
        sys.path.insert(0, str(Path(__file__).parent))
        from eod_baseline import baseline_run

        ids = list(Loan.objects.order_by("id").values_list("id", flat=True)[:baseline])
        with transaction.atomic():
            t4 = time.perf_counter()
            baseline_run(loan_ids=ids, as_of=AS_OF - dt.timedelta(days=1))
            wall4 = time.perf_counter() - t4
            transaction.set_rollback(True)
        base_rate = len(ids) / wall4
        out["baseline"] = {
            "loans": len(ids),
            "wall_s": round(wall4, 2),
            "loans_per_s": round(base_rate),
            "ratio": round(out["full"]["loans_per_s"] / base_rate, 1),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--baseline", type=int, default=10_000, help="ORM baseline sample (0: skip)")
    ap.add_argument(
        "--changes",
        type=float,
        default=0.01,
        help="share of loans paying before the next day (default 0.01: every 100th loan)",
    )
    ap.add_argument("--phase", choices=["all", "build", "run"], default="all")
    ap.add_argument("--var-dir", help="SQLite directory (default: a new temp dir)")
    args = ap.parse_args()

    if args.phase == "build":
        print(json.dumps(build(args.db, args.loans, args.var_dir)))
        return
    if args.phase == "run":
        print(json.dumps(run(args.db, args.var_dir, args.baseline, args.changes)))
        return

    # Build and run in separate processes, so the run's peak memory is the engine's own.
    built, result = build_then_run(
        __file__,
        ["--loans", str(args.loans)],
        db=args.db,
        var_dir=args.var_dir,
        run_args=["--baseline", str(args.baseline), "--changes", str(args.changes)],
    )
    result["build"] = built
    result["machine"] = machine()
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
