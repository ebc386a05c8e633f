"""Benchmark of allocation (分案) and rotation (轮换) at scale (see bench/README.md).

    .venv/bin/python bench/allocation.py --db sqlite   [--cases 100000] [--collectors 200]
    .venv/bin/python bench/allocation.py --db postgres [--cases 100000] [--collectors 200]

Builds a throwaway database (a temp ARREARS_VAR_DIR for SQLite; the PostgreSQL database
`arrears_bench_allocation`, dropped and recreated) the way bench/eod.py does — frames written
with `eod.services.bulk_insert` — holding N open cases on N loans, 200 collectors in 20 teams
(10 each, 3 with a region skill, 5 absent tomorrow), 20 allocation rules, the latest end-of-day
figures per loan, and payments on a fifth of the held cases inside the holding window:

- 30% of the cases have no team (routed by the rules), 20% a team but no collector, 50% a
  collector since long ago (held past the 30-day period);
- then times `allocation_run` (cover, route, place) and `rotation_run` (the held cases without
  progress move), each in its own transaction as at end-of-day, and prints the counts,
  seconds and peak RSS. Never touches var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eod import PG_BASE, _with_defaults, machine  # noqa: E402  (bench/eod.py)

AS_OF = dt.date(2026, 11, 28)
PG_NAME = "arrears_bench_allocation"
TEAMS = 20


def _setup(db: str, var_dir: str | None) -> None:
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["ARREARS_VAR_DIR"] = var_dir
    else:
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def frames(n_cases: int, n_collectors: int, seed: int = 11):
    """(table, frame) pairs: teams, users, skills, absences, rules, the book, cases, state."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC).isoformat()
    counties = [f"县{i:02d}" for i in range(TEAMS)]
    teams = pl.DataFrame(
        {
            "id": np.arange(1, TEAMS + 1),
            "name": [f"电催{i + 1}组" for i in range(TEAMS)],
            "rotation_days": [30] * TEAMS,
            "retain_quota": [5] * TEAMS,
        }
    )
    uid = np.arange(1, n_collectors + 1)
    users = pl.DataFrame(
        {
            "id": uid,
            "username": [f"c{i:04d}" for i in uid],
            "password": ["!"] * n_collectors,
            "role": ["collector"] * n_collectors,
            "team_id": (uid - 1) % TEAMS + 1,
            "case_capacity": [None] * n_collectors,
            "date_joined": [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)] * n_collectors,
        }
    ).with_columns(
        pl.lit(True).alias("is_active"),
        pl.lit(False).alias("is_staff"),
        pl.lit(False).alias("is_superuser"),
        *(pl.lit("").alias(c) for c in ("first_name", "last_name", "email")),
    )
    skilled = uid[uid % 10 < 3]
    skills = pl.DataFrame(
        {
            "user_id": skilled,
            "kind": ["region"] * len(skilled),
            "label": [""] * len(skilled),
            "region_prefix": [f"某省/{counties[(u - 1) % TEAMS]}" for u in skilled],
        }
    ).with_row_index("id", offset=1)
    away = uid[:5]
    absences = pl.DataFrame(
        {
            "user_id": away,
            "starts_on": [AS_OF] * 5,
            "ends_on": [AS_OF + dt.timedelta(days=5)] * 5,
            "reason": ["leave"] * 5,
            "note": [""] * 5,
            "created_at": [now] * 5,
        }
    ).with_row_index("id", offset=1)
    rules = pl.DataFrame(
        {
            "position": np.arange(1, TEAMS + 1),
            "name": counties,
            "active": [True] * TEAMS,
            "region_prefix": [f"某省/{c}" for c in counties],
            "borrower_kind": [""] * TEAMS,
            "team_id": np.arange(1, TEAMS + 1),
            "updated_at": [now] * TEAMS,
        }
    ).with_row_index("id", offset=1)
    products = pl.DataFrame(
        {
            "id": [1],
            "code": ["BSTD"],
            "name": ["Bench standard"],
            "product_type": ["microloan"],
            "annual_rate": ["0.120000"],
            "penalty_base": ["principal"],
            "day_count": [360],
            "grace_days": [0],
            "rate_cap": ["0.240000"],
            "failed_deduction_fee_fen": [0],
            "arrears_tolerance_fen": [0],
            "allocation_order": ["[]"],
        }
    )
    n_borrowers = max(1, int(n_cases / 1.25))
    bid = np.arange(1, n_borrowers + 1)
    borrowers = pl.DataFrame(
        {
            "id": bid,
            "external_id": [f"BB{i}" for i in bid],
            "name": [f"借款人{i}" for i in bid],
            "county": [counties[i % TEAMS] for i in bid],
        }
    ).with_columns(
        pl.lit("person").alias("kind"),
        pl.lit("某省").alias("province"),
        *(pl.lit("").alias(c) for c in ("id_number", "phone", "phone2", "address", "employer")),
        pl.format("镇{}", pl.col("id") % 50).alias("town"),
        pl.lit("").alias("village"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    lid = np.arange(1, n_cases + 1)
    borrower_of = rng.integers(1, n_borrowers + 1, n_cases)
    principal = rng.integers(10, 500, n_cases).astype(np.int64) * 10_000
    loans = pl.DataFrame(
        {
            "id": lid,
            "external_id": [f"BL{i}" for i in lid],
            "borrower_id": borrower_of,
            "principal_fen": principal,
            "disbursed_on": [dt.date(2026, 1, 10)] * n_cases,
        }
    ).with_columns(
        pl.lit(1).alias("product_id"),
        pl.lit("0.120000").alias("annual_rate"),
        pl.lit("0.180000").alias("penalty_rate"),
        pl.lit(12).alias("term_months"),
        pl.lit("equal_principal").alias("repayment_method"),
        pl.lit("active").alias("status"),
        pl.lit("imported").alias("schedule_source"),
        pl.lit(0).alias("credit_balance_fen"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    # 30% no team, 20% team without collector, 50% held by a collector of the case's county's
    # team since the case opened (long past the 30-day period).
    share = rng.random(n_cases)
    county_team = (borrower_of % TEAMS) + 1
    team = np.where(share < 0.3, 0, county_team)
    collector = np.where(
        share >= 0.5,
        (county_team - 1) + TEAMS * rng.integers(0, n_collectors // TEAMS, n_cases) + 1,
        0,
    )
    cases = pl.DataFrame(
        {
            "id": lid,
            "loan_id": lid,
            "borrower_id": borrower_of,
            "team_id": team,
            "collector_id": collector,
            "dpd": rng.integers(1, 400, n_cases),
        }
    ).with_columns(
        pl.when(pl.col("team_id") == 0).then(None).otherwise(pl.col("team_id")).alias("team_id"),
        pl.when(pl.col("collector_id") == 0)
        .then(None)
        .otherwise(pl.col("collector_id"))
        .alias("collector_id"),
        pl.lit(dt.date(2026, 7, 1)).alias("opened_on"),
        pl.lit("open").alias("status"),
        pl.lit("").alias("close_reason"),
        pl.lit("M3").alias("bucket"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    due = principal // 3 + rng.integers(0, 100_000, n_cases)
    snapshot = (
        pl.DataFrame({"loan_id": lid, "dpd": cases["dpd"], "total_due_fen": due})
        .with_columns(
            pl.lit(AS_OF).alias("as_of"),
            pl.lit("M3").alias("bucket"),
            pl.lit("substandard").alias("classification"),
            *(
                pl.lit(0).alias(c)
                for c in (
                    "overdue_principal_fen",
                    "overdue_interest_fen",
                    "penalty_fen",
                    "fees_fen",
                    "outstanding_principal_fen",
                )
            ),
            pl.lit(False).alias("time_barred"),
        )
        .with_row_index("id", offset=1)
    )
    # Progress: a payment ten days ago on a fifth of the held cases.
    paid = lid[(share >= 0.5) & (rng.random(n_cases) < 0.2)]
    payments = pl.DataFrame(
        {
            "id": np.arange(1, len(paid) + 1),
            "external_id": [f"BP{i}" for i in range(1, len(paid) + 1)],
            "loan_id": paid,
            "paid_on": [AS_OF - dt.timedelta(days=10)] * len(paid),
            "amount_fen": [10_000] * len(paid),
        }
    ).with_columns(
        pl.lit("auto_debit").alias("channel"),
        pl.lit("import").alias("source"),
        pl.lit(now).alias("posted_at"),
    )
    return [
        ("core_team", teams),
        ("core_user", users),
        ("cases_collectorskill", skills),
        ("cases_absence", absences),
        ("cases_allocationrule", rules),
        ("book_product", products),
        ("book_borrower", borrowers),
        ("book_loan", loans),
        ("cases_case", cases),
        ("eod_loansnapshot", snapshot),
        ("book_payment", payments),
    ]


def build(db: str, n_cases: int, n_collectors: int, var_dir: str | None) -> dict:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {PG_NAME}")
    _setup(db, var_dir)
    from django.core.management import call_command
    from django.db import connection, transaction

    from arrears.eod.services import bulk_insert

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    counts = {}
    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SET session_replication_role = replica")
    with transaction.atomic():
        for table, df in frames(n_cases, n_collectors):
            df = _with_defaults(table, df)
            bulk_insert(table, df)
            counts[table] = df.height
    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SET session_replication_role = origin")
            for table in counts:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        cur.execute("ANALYZE")
    return {"rows": counts, "build_s": round(time.perf_counter() - t0, 1)}


def run() -> dict:
    from django.db import transaction

    from arrears.cases.allocation import allocation_run
    from arrears.cases.models import CaseAssignment
    from arrears.cases.rotation import rotation_run

    out = {}
    t0 = time.perf_counter()
    with transaction.atomic():
        report = allocation_run(day=AS_OF)
    out["allocation_s"] = round(time.perf_counter() - t0, 2)
    out["allocation"] = report.counts()
    t0 = time.perf_counter()
    with transaction.atomic():
        rotated = rotation_run(day=AS_OF)
    out["rotation_s"] = round(time.perf_counter() - t0, 2)
    out["rotation"] = rotated
    out["moves_recorded"] = CaseAssignment.objects.count()
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--collectors", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arrears-bench-alloc-") as var_dir:
        built = build(args.db, args.cases, args.collectors, var_dir)
        result = {"db": args.db, "cases": args.cases, "collectors": args.collectors, **built}
        result.update(run())
        result["machine"] = machine()
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
