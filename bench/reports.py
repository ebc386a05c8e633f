"""Benchmark of the `npl-summary` and `roll-rates` reports over a big book with a year of
month-end snapshots (see bench/README.md).

    .venv/bin/python bench/reports.py [--loans 1000000] [--months 12] [--phase all|build|run]

Builds a throwaway PostgreSQL database `arrears_bench_reports` (dropped and recreated): the
synthetic book of bench/eod.py (loans, schedules, payments, allocations, fees; ~15% of loans
stop paying at some installment), 200 collectors in 10 teams and 3 agencies, one case per
loan that is delinquent at the as-of date (assigned round-robin; a tenth placed with an
agency), and `--months` month-end snapshots written straight from the book's rule (a loan
that stopped at installment k is late from that due date on; DPD, bucket, class, overdue
and outstanding principal as of each month-end) with COPY — running end-of-day twelve times
over a million loans would take longer than the reports it feeds. Then, in a fresh process,
times each report as the operator (the whole book) and as a team lead (the team's scope),
the way `arrears report` and the API call them (`report_run`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eod as eod_bench  # noqa: E402  (bench/eod.py: the synthetic book)
from _book import PG_BASE, with_defaults  # noqa: E402

PG_NAME = "arrears_bench_reports"
AS_OF = eod_bench.AS_OF  # 2026-11-28


def month_ends(months: int) -> list[dt.date]:
    """The last days of the `months` calendar months before AS_OF's month, oldest first."""
    out = []
    day = AS_OF.replace(day=1) - dt.timedelta(days=1)
    for _ in range(months):
        out.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(out)


def _setup(db_name: str = PG_NAME) -> None:
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{db_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def snapshot_frame(inst, flags, day: dt.date):
    """Every loan's snapshot row as of `day` from the synthetic book's rule."""
    import polars as pl

    from arrears.eod.config import EodConfig

    config = EodConfig()
    due = inst.filter(pl.col("due_on") <= day).join(flags, on="loan_id")
    unpaid = due.filter(pl.col("number") >= pl.col("stop_at"))
    per_loan = unpaid.group_by("loan_id").agg(
        pl.col("due_on").min().alias("first_unpaid"),
        pl.col("principal_due_fen").sum().alias("overdue_principal_fen"),
        pl.col("interest_due_fen").sum().alias("overdue_interest_fen"),
    )
    paid = (
        due.filter(pl.col("number") < pl.col("stop_at"))
        .group_by("loan_id")
        .agg(pl.col("principal_due_fen").sum().alias("paid"))
    )
    dpd = (
        pl.when(pl.col("first_unpaid").is_null())
        .then(0)
        .otherwise((pl.lit(day) - pl.col("first_unpaid")).dt.total_days())
    )
    bucket = pl.lit(config.buckets[-1][0])
    for label, upper in reversed(config.buckets[:-1]):
        bucket = pl.when(pl.col("dpd") <= upper).then(pl.lit(label)).otherwise(bucket)
    cls = (
        pl.when(pl.col("dpd") > config.loss_dpd)
        .then(pl.lit("loss"))
        .when(pl.col("dpd") > config.doubtful_dpd)
        .then(pl.lit("doubtful"))
        .when(pl.col("dpd") > config.substandard_dpd)
        .then(pl.lit("substandard"))
        .when(pl.col("dpd") > 0)
        .then(pl.lit("special_mention"))
        .otherwise(pl.lit("normal"))
    )
    return (
        flags.select("loan_id", "principal_fen")
        .join(per_loan, on="loan_id", how="left")
        .join(paid, on="loan_id", how="left")
        .with_columns(
            dpd.cast(pl.Int64).alias("dpd"),
            pl.col("overdue_principal_fen").fill_null(0),
            pl.col("overdue_interest_fen").fill_null(0),
            (pl.col("principal_fen") - pl.col("paid").fill_null(0)).alias(
                "outstanding_principal_fen"
            ),
        )
        .with_columns(bucket.alias("bucket"), cls.alias("classification"))
        .select(
            pl.lit(day).alias("as_of"),
            "loan_id",
            "dpd",
            "bucket",
            "classification",
            "overdue_principal_fen",
            "overdue_interest_fen",
            pl.lit(0, pl.Int64).alias("penalty_fen"),
            pl.lit(0, pl.Int64).alias("fees_fen"),
            "outstanding_principal_fen",
            (pl.col("overdue_principal_fen") + pl.col("overdue_interest_fen")).alias(
                "total_due_fen"
            ),
            pl.lit(None, pl.Date).alias("limitation_deadline"),
            pl.lit(False).alias("time_barred"),
        )
    )


def build(n_loans: int, months: int) -> dict:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {PG_NAME}")
    _setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    from arrears.core.models import Agency, Team, User
    from arrears.core.roles import Role
    from arrears.eod.services import bulk_insert

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    frames = eod_bench.synth(n_loans)
    n_borrowers, loans, inst, *_rest = frames
    timings = {"synth": round(time.perf_counter() - t0, 1)}
    counts = {}
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
    with transaction.atomic():
        for table, df in eod_bench._tables(*frames):
            df = with_defaults(table, df)
            bulk_insert(table, df)
            counts[table] = df.height
    timings["book"] = round(time.perf_counter() - t0 - timings["synth"], 1)

    teams = [Team.objects.create(name=f"Bench team {i}") for i in range(10)]
    agencies = [Agency.objects.create(name=f"Bench agency {i}") for i in range(3)]
    collectors = [
        User(username=f"bc{i}", role=Role.COLLECTOR, team=teams[i % 10], password="!")
        for i in range(200)
    ]
    User.objects.bulk_create(collectors)
    collectors = list(User.objects.filter(username__startswith="bc").order_by("pk"))
    User.objects.create(username="benchlead", role=Role.TEAM_LEAD, team=teams[0], password="!")

    flags = loans.select(
        pl.col("id").alias("loan_id"), "borrower_id", "principal_fen", "stop_at", "partial"
    )
    inst_small = inst.select("loan_id", "number", "due_on", "principal_due_fen", "interest_due_fen")
    t1 = time.perf_counter()
    days = month_ends(months)
    snap_rows = 0
    for day in days:
        snap = snapshot_frame(inst_small, flags, day)
        with transaction.atomic():
            bulk_insert("eod_loansnapshot", snap)
        snap_rows += snap.height
        last = snap
    timings["snapshots"] = round(time.perf_counter() - t1, 1)
    counts["eod_loansnapshot"] = snap_rows

    # One case per loan delinquent at the last month-end, worked round-robin; every tenth is
    # placed with an agency, every twentieth with a field agent (none here: phone otherwise).
    late = last.filter(pl.col("dpd") > 0).select("loan_id", "dpd", "bucket").with_row_index("n")
    ids = [u.pk for u in collectors]
    team_of = {u.pk: u.team_id for u in collectors}
    cases = late.join(flags.select("loan_id", "borrower_id"), on="loan_id").select(
        (pl.col("n") + 1).cast(pl.Int64).alias("id"),
        "loan_id",
        "borrower_id",
        (pl.lit(days[-1]) - pl.duration(days=pl.col("dpd"))).alias("opened_on"),
        pl.lit("open").alias("status"),
        pl.lit("").alias("close_reason"),
        "bucket",
        "dpd",
        pl.col("n")
        .map_elements(lambda n: team_of[ids[n % 200]], return_dtype=pl.Int64)
        .alias("team_id"),
        pl.col("n")
        .map_elements(lambda n: ids[n % 200], return_dtype=pl.Int64)
        .alias("collector_id"),
        pl.when(pl.col("n") % 10 == 0)
        .then(pl.col("n") % 3 + agencies[0].pk)
        .otherwise(None)
        .cast(pl.Int64)
        .alias("agency_id"),
        pl.lit(dt.datetime(2026, 11, 28, tzinfo=dt.UTC).isoformat()).alias("created_at"),
        pl.lit(dt.datetime(2026, 11, 28, tzinfo=dt.UTC).isoformat()).alias("updated_at"),
    )
    with transaction.atomic():
        bulk_insert("cases_case", with_defaults("cases_case", cases))
    counts["cases_case"] = cases.height
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = origin")
        for table in (*counts, "core_user"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    with psycopg.connect(f"{PG_BASE}/{PG_NAME}", autocommit=True) as con:
        con.execute("VACUUM ANALYZE")
    timings["total"] = round(time.perf_counter() - t0, 1)
    return {"rows": counts, "seconds": timings, "month_ends": [d.isoformat() for d in days]}


def run(months: int) -> dict:
    _setup()
    from arrears.core.models import User
    from arrears.reports.registry import report_run

    days = month_ends(months)
    lead = User.objects.get(username="benchlead")
    last = days[-1]
    npl_raw = {
        "as_of": last.isoformat(),
        "from": (days[-2] + dt.timedelta(days=1)).isoformat(),
        "to": last.isoformat(),
    }
    roll_raw = {"as_of": AS_OF.isoformat(), "months": str(months - 1)}
    results = {}
    for name, raw in (("npl-summary", npl_raw), ("roll-rates", roll_raw)):
        for who, user in (("operator", None), ("team lead", lead)):
            best = None
            for _ in range(2):
                t = time.perf_counter()
                _report, _req, data = report_run(name, user=user, raw=raw)
                took = time.perf_counter() - t
                best = took if best is None else min(best, took)
            if name == "npl-summary":
                figure = {
                    "cases_start": data["total"]["cases_start"],
                    "principal_recovery_rate": data["total"]["principal_recovery_rate"],
                    "regions": len(data["by_region"]),
                    "collectors": len(data["by_collector"]),
                }
            else:
                figure = {
                    "steps": len(data["periods"]),
                    "M1 roll rate, last step": data["periods"][-1]["rows"][1]["roll_rate"]
                    if data["periods"]
                    else None,
                }
            results[f"{name} ({who})"] = {"seconds": round(best, 2), **figure}
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=12, help="month-end snapshots (12)")
    ap.add_argument("--phase", choices=["all", "build", "run"], default="all")
    args = ap.parse_args()
    if args.phase == "build":
        print(json.dumps(build(args.loans, args.months)))
        return
    if args.phase == "run":
        print(json.dumps(run(args.months)))
        return
    common = [sys.executable, __file__, "--loans", str(args.loans), "--months", str(args.months)]
    built = json.loads(subprocess.check_output([*common, "--phase", "build"]).splitlines()[-1])
    print(f"built: {built}", file=sys.stderr)
    result = json.loads(subprocess.check_output([*common, "--phase", "run"]).splitlines()[-1])
    print(
        json.dumps(
            {"build": built, "reports": result, "machine": eod_bench.machine()},
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
