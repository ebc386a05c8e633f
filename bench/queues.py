"""Benchmark of the end-of-day queue phase (see bench/README.md, "Daily queues").

    .venv/bin/python bench/queues.py --db sqlite   [--loans 1000000] [--cases 100000]
    .venv/bin/python bench/queues.py --db postgres [--loans 1000000]

Builds a throwaway database (a temp ARREARS_VAR_DIR for SQLite; the PostgreSQL database
`arrears_bench_queues`, dropped and recreated) with bulk SQL: N loans of 0.8·N borrowers,
the as-of snapshot of every loan (what the end-of-day engine writes), `--cases` open cases
spread over 200 collectors (`--collectors`) in 10 teams with 20 field agents, some broken
promises, 1% of the cases under an open dispute (left out by the compliance rules) and 1%
suspended. Then, in a fresh process, times `arrears.queues.engine.build_queues` inside one
transaction (as the end-of-day run calls it), then the same day again (a rerun replaces the
day's rows). Prints the seconds per step, entries and exclusions written, and peak RSS.
Never touches var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

AS_OF = dt.date(2026, 11, 28)
PG_BASE = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "arrears_bench_queues"


def _setup_django(db: str, var_dir: str | None) -> None:
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["ARREARS_VAR_DIR"] = var_dir
    else:
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def synth(n_loans: int, n_cases: int, n_collectors: int, seed: int = 11) -> dict:
    """The frames to load (ids assigned here, so foreign keys need no lookups)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC).isoformat()
    n_borrowers = max(1, int(n_loans * 0.8))
    loan_id = np.arange(1, n_loans + 1, dtype=np.int64)
    borrower_id = rng.integers(1, n_borrowers + 1, n_loans)
    principal = rng.integers(100, 5_000, n_loans).astype(np.int64) * 1_000
    disbursed = np.datetime64(AS_OF) - rng.integers(60, 1500, n_loans).astype("timedelta64[D]")
    delinquent = np.sort(rng.choice(loan_id, n_cases, replace=False))
    dpd = np.zeros(n_loans, dtype=np.int64)
    dpd[delinquent - 1] = rng.choice(
        np.array([5, 15, 25, 45, 75, 100, 130, 160, 200, 400, 800]), n_cases
    )
    buckets = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"])
    bucket = buckets[np.minimum((dpd + 29) // 30, 7)]
    due = np.where(dpd > 0, principal // rng.integers(3, 12, n_loans) + dpd * 50, 0)

    products = pl.DataFrame(
        {
            "id": [1],
            "code": ["QB"],
            "name": ["Bench"],
            "product_type": ["consumer"],
            "annual_rate": ["0.150000"],
            "penalty_base": ["principal"],
            "day_count": [360],
            "grace_days": [0],
            "rate_cap": ["0.240000"],
            "failed_deduction_fee_fen": [0],
            "arrears_tolerance_fen": [0],
            "allocation_order": ["[]"],
        }
    )
    borrowers = pl.DataFrame({"id": pl.int_range(1, n_borrowers + 1, eager=True)}).with_columns(
        pl.format("QB{}", pl.col("id")).alias("external_id"),
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
    loans = pl.DataFrame(
        {
            "id": loan_id,
            "borrower_id": borrower_id,
            "principal_fen": principal,
            "disbursed_on": disbursed,
        }
    ).with_columns(
        pl.col("disbursed_on").cast(pl.Date),
        pl.format("QL{}", pl.col("id")).alias("external_id"),
        pl.lit(1).alias("product_id"),
        pl.lit("0.150000").alias("annual_rate"),
        pl.lit("0.225000").alias("penalty_rate"),
        pl.lit(12).alias("term_months"),
        pl.lit("equal_principal").alias("repayment_method"),
        pl.lit("active").alias("status"),
        pl.lit("imported").alias("schedule_source"),
        pl.lit(0).alias("credit_balance_fen"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    snapshot = pl.DataFrame(
        {"loan_id": loan_id, "dpd": dpd, "bucket": bucket, "total_due_fen": due}
    ).with_columns(
        pl.lit(AS_OF).alias("as_of"),
        pl.when(pl.col("dpd") > 90)
        .then(pl.lit("substandard"))
        .when(pl.col("dpd") > 0)
        .then(pl.lit("special_mention"))
        .otherwise(pl.lit("normal"))
        .alias("classification"),
        pl.col("total_due_fen").alias("overdue_principal_fen"),
        *(pl.lit(0).alias(c) for c in ("overdue_interest_fen", "penalty_fen", "fees_fen")),
        pl.lit(0).alias("outstanding_principal_fen"),
        pl.lit(False).alias("time_barred"),
    )
    # Users: ids 1–10 team leads, then collectors, then 20 field agents; teams 1–10.
    n_teams = 10
    collector_ids = np.arange(n_teams + 1, n_teams + 1 + n_collectors)
    agent_ids = np.arange(n_teams + 1 + n_collectors, n_teams + 21 + n_collectors)
    case_ids = np.arange(1, n_cases + 1)
    collector = rng.choice(collector_ids, n_cases)
    cases = (
        pl.DataFrame(
            {
                "id": case_ids,
                "loan_id": delinquent,
                "borrower_id": borrower_id[delinquent - 1],
                "dpd": dpd[delinquent - 1],
                "bucket": bucket[delinquent - 1],
                "collector_id": collector,
                "team_id": (collector - n_teams - 1) % n_teams + 1,
                "agent": rng.choice(agent_ids, n_cases),
                "with_agent": rng.random(n_cases) < 0.3,
            }
        )
        .with_columns(
            pl.when(pl.col("with_agent")).then(pl.col("agent")).alias("field_agent_id"),
        )
        .drop("agent", "with_agent")
        .with_columns(
            pl.lit(AS_OF - dt.timedelta(days=5)).alias("opened_on"),
            pl.lit("open").alias("status"),
            pl.lit("").alias("close_reason"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        )
    )
    return {
        "book_product": products,
        "book_borrower": borrowers,
        "book_loan": loans,
        "eod_loansnapshot": snapshot,
        "cases_case": cases,
        "users": (n_teams, collector_ids.tolist(), agent_ids.tolist()),
    }


def build(db: str, n_loans: int, n_cases: int, n_collectors: int, var_dir: str | None) -> dict:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {PG_NAME}")
    _setup_django(db, var_dir)
    from django.core.management import call_command
    from django.db import connection, transaction
    from eod import _with_defaults

    from arrears.eod.services import bulk_insert

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    frames = synth(n_loans, n_cases, n_collectors)
    n_teams, collectors, agents = frames.pop("users")
    counts = {}
    connection.ensure_connection()
    if db == "sqlite":
        connection.connection.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        from arrears.core.models import Team, User

        Team.objects.bulk_create([Team(id=i, name=f"电催{i}组") for i in range(1, n_teams + 1)])
        users = [
            User(id=i, username=f"lead{i}", role="team_lead", team_id=i)
            for i in range(1, n_teams + 1)
        ]
        users += [
            User(id=u, username=f"c{u}", role="collector", team_id=(u - n_teams - 1) % n_teams + 1)
            for u in collectors
        ]
        users += [User(id=u, username=f"f{u}", role="field_agent") for u in agents]
        for u in users:
            u.set_unusable_password()
        User.objects.bulk_create(users)
        for table, df in frames.items():
            df = _with_defaults(table, df)
            bulk_insert(table, df)
            counts[table] = df.height
        _extras(n_cases)
    if db == "postgres":
        with connection.cursor() as cur:
            for table in [*counts, "core_user", "core_team"]:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"rows": counts, "build_s": round(time.perf_counter() - t0, 1)}


def _extras(n_cases: int) -> None:
    """1% disputes, 1% suspended, broken promises on 5% of the cases."""
    from arrears.cases.models import Case, CaseSuspension, Complaint
    from arrears.promises.models import Promise

    step = 100
    day = AS_OF + dt.timedelta(days=1)
    rows = list(Case.objects.filter(id__lte=n_cases).values_list("id", "borrower_id", "loan_id"))
    Complaint.objects.bulk_create(
        [
            Complaint(
                case_id=c, borrower_id=b, category="other", description="异议", opened_on=AS_OF
            )
            for c, b, _l in rows[::step]
        ]
    )
    CaseSuspension.objects.bulk_create(
        [
            CaseSuspension(
                case_id=c, reason="hospitalised", starts_on=AS_OF, ends_on=day + dt.timedelta(9)
            )
            for c, _b, _l in rows[7::step]
        ]
    )
    Promise.objects.bulk_create(
        [
            Promise(
                case_id=c,
                loan_id=loan,
                borrower_id=b,
                amount_fen=10_000,
                promised_on=AS_OF - dt.timedelta(days=10),
                created_on=AS_OF - dt.timedelta(days=15),
                status="broken",
            )
            for c, b, loan in rows[3::20]
        ]
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(db: str, var_dir: str | None) -> dict:
    _setup_django(db, var_dir)
    from django.db import transaction

    from arrears.queues.engine import build_queues

    on = AS_OF + dt.timedelta(days=1)
    out = {}
    for label in ("first", "rerun"):
        t0 = time.perf_counter()
        with transaction.atomic():
            counts = build_queues(on=on, as_of=AS_OF)
        counts["total_s"] = round(time.perf_counter() - t0, 2)
        out[label] = counts
    out["peak_rss_mb"] = round(peak_mb())
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "nproc": os.cpu_count(),
        "mem_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "load": os.getloadavg()[0],
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--collectors", type=int, default=200)
    ap.add_argument("--phase", choices=["all", "build", "run"], default="all")
    ap.add_argument("--var-dir", help="SQLite directory (default: a new temp dir)")
    args = ap.parse_args()

    if args.phase == "build":
        built = build(args.db, args.loans, args.cases, args.collectors, args.var_dir)
        print(json.dumps(built))
        return
    if args.phase == "run":
        print(json.dumps(run(args.db, args.var_dir)))
        return
    tmp = tempfile.TemporaryDirectory(prefix="arrears-bench-q-") if args.db == "sqlite" else None
    var_dir = args.var_dir or (tmp.name if tmp else None)
    common = [sys.executable, __file__, "--db", args.db]
    common += ["--loans", str(args.loans), "--cases", str(args.cases)]
    common += ["--collectors", str(args.collectors)]
    if var_dir:
        common += ["--var-dir", var_dir]
    built = json.loads(subprocess.check_output([*common, "--phase", "build"]).splitlines()[-1])
    print(f"built in {built['build_s']} s: {built['rows']}", file=sys.stderr)
    result = json.loads(subprocess.check_output([*common, "--phase", "run"]).splitlines()[-1])
    result["build"] = built
    result["machine"] = machine()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
