"""The synthetic collection book the end-of-day work benchmarks share (bench/README.md).

`bench/workday.py`, `bench/queues.py` and `bench/allocation.py` build the same throwaway
database from `frames` — a temp ARREARS_VAR_DIR for SQLite, a PostgreSQL database dropped
and recreated; never var/arrears.sqlite3 — with bulk SQL (`eod.services.bulk_insert`: COPY
on PostgreSQL, `executemany` on SQLite):

- N loans of 0.8·N borrowers in 20 counties (half of the borrowers in a village), and the
  as-of snapshot of every loan, as the end-of-day engine writes it; installments and
  payments other than those below are not built: the phases timed do not read them.
- `--cases` open cases on as many delinquent loans, opened in July: 30% with no team
  (routed by the rules), 20% with a team and no collector, 50% held by a collector of their
  county's team (30% of those with one of 20 field agents as well), and a payment ten days
  ago on a fifth of the held cases (progress: they do not rotate).
- `--collectors` collectors in 10–20 teams (ten a team, at most 20 teams; rotation 30 days,
  a retention quota of 5), a team lead per team, three collectors a team with a region
  skill, five collectors absent tomorrow, one allocation rule per county.
- Case work: an open dispute on 1% of the cases (left out of the queues by the compliance
  rules), 1% suspended, a broken promise on 5%.
- The strategies' history (`treatment_history`): the shipped default strategy, active from
  migration 0002, run once, with each case having entered its segment on one of the 45 days
  before — so holding periods have run for most held cases, as on a working book.

Ids are assigned here, so foreign keys need no lookups.
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

AS_OF = dt.date(2026, 11, 28)
PG_BASE = "postgres://postgres@127.0.0.1:5432"
MAX_TEAMS = 20
FIELD_AGENTS = 20
HISTORY_DAYS = 45
# The champion/challenger draws are random in production; a seed makes two builds agree.
DRAW_SEED = 11
BUCKET_SQL = (
    "CASE WHEN {d} <= 0 THEN 'M0' WHEN {d} <= 30 THEN 'M1' WHEN {d} <= 60 THEN 'M2'"
    " WHEN {d} <= 90 THEN 'M3' WHEN {d} <= 120 THEN 'M4' WHEN {d} <= 150 THEN 'M5'"
    " WHEN {d} <= 180 THEN 'M6' ELSE 'M7+' END"
)


# --------------------------------------------------------------------------- process


def setup_django(db: str, var_dir: str | None, pg_name: str) -> None:
    """Point Django at the throwaway database (never var/arrears.sqlite3) and set it up."""
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["ARREARS_VAR_DIR"] = var_dir
    else:
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{pg_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def pg_recreate(pg_name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {pg_name}")


def peak_mb() -> float:
    """Peak resident memory of this process (ru_maxrss), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        "load": round(os.getloadavg()[0], 2),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def build_then_run(
    script: str, args: list[str], *, db: str, var_dir: str | None, run_args: tuple | list = ()
) -> tuple[dict, dict]:
    """Run `script --phase build`, then `--phase run` in a fresh process (so the run's peak
    memory is its own); SQLite in a temp dir unless `var_dir`. Each prints JSON last."""
    tmp = None
    if db == "sqlite" and not var_dir:
        tmp = tempfile.TemporaryDirectory(prefix=f"arrears-bench-{Path(script).stem}-")
        var_dir = tmp.name
    common = [sys.executable, script, "--db", db, *args]
    if var_dir:
        common += ["--var-dir", var_dir]
    try:
        out = subprocess.check_output([*common, "--phase", "build"])
        built = json.loads(out.splitlines()[-1])
        print(f"built in {built['build_s']} s: {built['rows']}", file=sys.stderr)
        out = subprocess.check_output([*common, "--phase", "run", *run_args])
        return built, json.loads(out.splitlines()[-1])
    finally:
        if tmp:
            tmp.cleanup()


def book_main(script: str, doc: str, pg_name: str, run) -> tuple[argparse.Namespace, dict | None]:
    """The command line of a benchmark on this book: `--phase build` builds and prints the
    counts; `--phase run` sets Django up and prints `run()`; `all` (the default) does both in
    fresh processes and prints and returns the result, with the build's and the machine's."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--collectors", type=int, default=200)
    ap.add_argument("--phase", choices=["all", "build", "run"], default="all")
    ap.add_argument("--var-dir", help="SQLite directory (default: a new temp dir)")
    args = ap.parse_args()
    if args.phase == "build":
        built = build(args.db, pg_name, args.var_dir, args.loans, args.cases, args.collectors)
        print(json.dumps(built, ensure_ascii=False))
        return args, None
    if args.phase == "run":
        setup_django(args.db, args.var_dir, pg_name)
        print(json.dumps(run(), ensure_ascii=False))
        return args, None
    sizes = ["--loans", str(args.loans), "--cases", str(args.cases)]
    sizes += ["--collectors", str(args.collectors)]
    built, result = build_then_run(script, sizes, db=args.db, var_dir=args.var_dir)
    result["build"] = built
    result["machine"] = machine()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return args, result


# --------------------------------------------------------------------------- frames


def with_defaults(table: str, df):
    """Add any NOT NULL column the frame lacks with its model field's default (columns other
    apps add later, e.g. blind indexes, must not break the benchmarks)."""
    import polars as pl
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.null or f.column in df.columns:
            continue
        value = f.get_default()
        if isinstance(value, (str, int, bool)):
            extra.append(pl.lit(value).alias(f.column))
    return df.with_columns(extra) if extra else df


def team_count(n_collectors: int) -> int:
    return max(1, min(MAX_TEAMS, n_collectors // 10))


def _people(n_collectors: int, now: str):
    """Teams, collectors (ids 1…n), team leads, field agents, skills, absences, rules."""
    import numpy as np
    import polars as pl

    teams = team_count(n_collectors)
    counties = [f"县{i:02d}" for i in range(teams)]
    collectors = np.arange(1, n_collectors + 1)
    leads = np.arange(n_collectors + 1, n_collectors + teams + 1)
    agents = np.arange(n_collectors + teams + 1, n_collectors + teams + FIELD_AGENTS + 1)
    uid = np.concatenate([collectors, leads, agents])
    role = ["collector"] * n_collectors + ["team_lead"] * teams + ["field_agent"] * FIELD_AGENTS
    users = pl.DataFrame(
        {
            "id": uid,
            "username": [f"{r[0]}{u:04d}" for r, u in zip(role, uid, strict=True)],
            "role": role,
            "team_id": [*((collectors - 1) % teams + 1).tolist(), *range(1, teams + 1)]
            + [None] * FIELD_AGENTS,
            "date_joined": [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)] * len(uid),
        }
    ).with_columns(
        pl.lit("!").alias("password"),
        pl.lit(True).alias("is_active"),
        pl.lit(False).alias("is_staff"),
        pl.lit(False).alias("is_superuser"),
        *(pl.lit("").alias(c) for c in ("first_name", "last_name", "email")),
    )
    skilled = collectors[collectors % 10 < 3]
    away = collectors[:5]
    return [
        (
            "core_team",
            pl.DataFrame(
                {
                    "id": np.arange(1, teams + 1),
                    "name": [f"电催{i + 1}组" for i in range(teams)],
                    "rotation_days": [30] * teams,
                    "retain_quota": [5] * teams,
                }
            ),
        ),
        ("core_user", users),
        (
            "cases_collectorskill",
            pl.DataFrame(
                {
                    "user_id": skilled,
                    "kind": ["region"] * len(skilled),
                    "label": [""] * len(skilled),
                    "region_prefix": [f"某省/{counties[(u - 1) % teams]}" for u in skilled],
                }
            ).with_row_index("id", offset=1),
        ),
        (
            "cases_absence",
            pl.DataFrame(
                {
                    "user_id": away,
                    "starts_on": [AS_OF] * len(away),
                    "ends_on": [AS_OF + dt.timedelta(days=5)] * len(away),
                    "reason": ["leave"] * len(away),
                    "note": [""] * len(away),
                    "created_at": [now] * len(away),
                }
            ).with_row_index("id", offset=1),
        ),
        (
            "cases_allocationrule",
            pl.DataFrame(
                {
                    "position": np.arange(1, teams + 1),
                    "name": counties,
                    "active": [True] * teams,
                    "region_prefix": [f"某省/{c}" for c in counties],
                    "borrower_kind": [""] * teams,
                    "team_id": np.arange(1, teams + 1),
                    "updated_at": [now] * teams,
                }
            ).with_row_index("id", offset=1),
        ),
    ]


def frames(n_loans: int, n_cases: int, n_collectors: int, seed: int = 11):
    """(table, frame) pairs in insertion order (see the module docstring)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC).isoformat()
    teams = team_count(n_collectors)
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
            "code": ["BSTD"],
            "name": ["Bench standard"],
            "product_type": ["microloan"],
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
    county = pl.lit("县") + (pl.col("id") % teams).cast(pl.String).str.zfill(2)
    borrowers = pl.DataFrame({"id": pl.int_range(1, n_borrowers + 1, eager=True)}).with_columns(
        pl.format("BB{}", pl.col("id")).alias("external_id"),
        pl.lit("person").alias("kind"),
        pl.format("借款人{}", pl.col("id")).alias("name"),
        *(pl.lit("").alias(c) for c in ("id_number", "phone", "phone2", "address", "employer")),
        pl.lit("某省").alias("province"),
        county.alias("county"),
        pl.format("镇{}", pl.col("id") % 50).alias("town"),
        pl.when(pl.col("id") % 2 == 0)
        .then(pl.format("村{}", pl.col("id") % 997))
        .otherwise(pl.lit(""))
        .alias("village"),
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
        pl.format("BL{}", pl.col("id")).alias("external_id"),
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
    # 30% no team, 20% a team without a collector, 50% held by a collector of the case's
    # county's team since the case opened (long past the holding periods).
    share = rng.random(n_cases)
    owner = borrower_id[delinquent - 1]
    county_team = owner % teams + 1
    per_team = max(1, n_collectors // teams)
    held = share >= 0.5
    collector = (county_team - 1) + teams * rng.integers(0, per_team, n_cases) + 1
    agent = n_collectors + teams + rng.integers(1, FIELD_AGENTS + 1, n_cases)
    cases = pl.DataFrame(
        {
            "id": np.arange(1, n_cases + 1),
            "loan_id": delinquent,
            "borrower_id": owner,
            "dpd": dpd[delinquent - 1],
            "bucket": bucket[delinquent - 1],
            "team_id": pl.Series(np.where(share < 0.3, 0, county_team)),
            "collector_id": pl.Series(np.where(held, collector, 0)),
            "field_agent_id": pl.Series(np.where(held & (rng.random(n_cases) < 0.3), agent, 0)),
        }
    ).with_columns(
        *(
            pl.when(pl.col(c) == 0).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("team_id", "collector_id", "field_agent_id")
        ),
        pl.lit(dt.date(2026, 7, 1)).alias("opened_on"),
        pl.lit("open").alias("status"),
        pl.lit("").alias("close_reason"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    )
    # Progress: a payment ten days ago on a fifth of the held cases.
    paid = delinquent[held & (rng.random(n_cases) < 0.2)]
    payments = pl.DataFrame({"id": np.arange(1, len(paid) + 1), "loan_id": paid}).with_columns(
        pl.format("BP{}", pl.col("id")).alias("external_id"),
        pl.lit(AS_OF - dt.timedelta(days=10)).alias("paid_on"),
        pl.lit(10_000).alias("amount_fen"),
        pl.lit("auto_debit").alias("channel"),
        pl.lit("import").alias("source"),
        pl.lit(now).alias("posted_at"),
    )
    return [
        *_people(n_collectors, now),
        ("book_product", products),
        ("book_borrower", borrowers),
        ("book_loan", loans),
        ("eod_loansnapshot", snapshot),
        ("cases_case", cases),
        ("book_payment", payments),
    ]


# --------------------------------------------------------------------------- writing


def casework(n_cases: int) -> None:
    """1% disputes, 1% suspended, broken promises on 5% of the cases."""
    from arrears.cases.models import Case, CaseSuspension, Complaint
    from arrears.promises.models import Promise

    step = 100
    day = AS_OF + dt.timedelta(days=1)
    rows = list(
        Case.objects.filter(id__lte=n_cases)
        .order_by("id")
        .values_list("id", "borrower_id", "loan_id")
    )
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


def treatment_history(as_of: dt.date = AS_OF) -> dict:
    """Run the active strategy once, then date every case's entry into its segment back to one
    of the HISTORY_DAYS days before `as_of` (by case id), as if the strategies had been running
    all along: the next run keeps those dates for the cases that stay in their segment."""
    from django.db import connection
    from django.test import override_settings

    from arrears.strategy.engine import strategy_run

    with override_settings(ARREARS_STRATEGY_DRAW_SEED=DRAW_SEED):
        counts = strategy_run(as_of)
    back = f"case_id %% {HISTORY_DAYS}"  # %% : a literal % beside parameters
    entered = (
        f"CAST(%s AS date) - CAST({back} AS integer)"
        if connection.vendor == "postgresql"
        else f"date(%s, '-' || ({back}) || ' days')"
    )
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE strategy_casetreatment SET entered_on = {entered}, as_of = %s",
            [as_of.isoformat(), as_of - dt.timedelta(days=1)],
        )
    return counts


def _fix_sequences(tables) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def populate(n_loans: int, n_cases: int, n_collectors: int) -> dict:
    """Write the book into the current (migrated) database; returns rows per table.

    Also what the smoke test calls inside its test database."""
    from django.db import transaction

    from arrears.eod.services import bulk_insert

    counts = {}
    with transaction.atomic():
        for table, df in frames(n_loans, n_cases, n_collectors):
            df = with_defaults(table, df)
            bulk_insert(table, df)
            counts[table] = df.height
        _fix_sequences(counts)
        casework(n_cases)
    return counts


def build(
    db: str, pg_name: str, var_dir: str | None, n_loans: int, n_cases: int, n_collectors: int
):
    """A fresh throwaway database holding the book and the strategies' history."""
    if db == "postgres":
        pg_recreate(pg_name)
    setup_django(db, var_dir, pg_name)
    from django.core.management import call_command
    from django.db import connection, transaction

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    connection.ensure_connection()
    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SET session_replication_role = replica")  # no FK triggers on load
        else:
            cur.execute("PRAGMA synchronous=OFF")
    counts = populate(n_loans, n_cases, n_collectors)
    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SET session_replication_role = origin")
    t_load = time.perf_counter() - t0
    _settle(db)
    with transaction.atomic():
        history = treatment_history()
    _settle(db)
    return {
        "rows": counts,
        "load_s": round(t_load, 1),
        "history": {k: v for k, v in history.items() if k != "by_segment"},
        "segments": history.get("by_segment"),
        "build_s": round(time.perf_counter() - t0, 1),
    }


def _settle(db: str) -> None:
    """Statistics (and on PostgreSQL the visibility map) after a bulk load, as a loader of a
    million rows should: freshly COPY'd pages make the first queries crawl otherwise."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if db == "postgres" else "ANALYZE")
