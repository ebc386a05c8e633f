"""Benchmark of the demo portfolio generator (see bench/README.md, "Demo portfolio generation").

    .venv/bin/python bench/demo_generate.py --db sqlite   [--loans 1000000] [--seed 2026]
    .venv/bin/python bench/demo_generate.py --db postgres [--loans 1000000]

Generates N loans into a throwaway database — a temp ARREARS_VAR_DIR for SQLite, or the
PostgreSQL database `arrears_bench_demo` (dropped and recreated) — and prints loans/s, rows
written, time and peak memory. The daily cycle is not run (bench/eod.py measures it).
Never touches var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time

AS_OF = dt.date(2026, 11, 28)
PG_BASE = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "arrears_bench_demo"


def main() -> None:
    """Parse the arguments, build the throwaway database, generate, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp directory (and the SQLite file)"
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="arrears-bench-demo-")
    if args.db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
    # Set before django.setup(): settings read it once, and var/arrears.sqlite3 stays untouched.
    os.environ["ARREARS_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from arrears.demo.generator import demo_generate

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")

    from tqdm import tqdm

    bar = tqdm(total=args.loans, unit="loan", file=sys.stderr, disable=not sys.stderr.isatty())
    started = time.perf_counter()
    summary = demo_generate(
        loans=args.loans, seed=args.seed, as_of=AS_OF, reset=True, progress=bar.update
    )
    took = time.perf_counter() - started
    bar.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = sum(
        getattr(summary, n)
        for n in (
            "loans",
            "borrowers",
            "contacts",
            "installments",
            "payments",
            "allocations",
            "charges",
            "guarantors",
            "collateral",
        )
    )
    print(f"loans          {summary.loans:>12,}")
    print(f"borrowers      {summary.borrowers:>12,}")
    print(f"installments   {summary.installments:>12,}")
    print(f"payments       {summary.payments:>12,}")
    print(f"allocations    {summary.allocations:>12,}")
    print(f"rows, all      {rows:>12,}")
    print(f"time           {took:>12.1f} s")
    print(f"loans/s        {summary.loans / took:>12,.0f}")
    print(f"rows/s         {rows / took:>12,.0f}")
    print(f"peak RSS       {peak_mib:>12,.0f} MiB")
    if args.db == "sqlite":
        size = os.path.getsize(os.path.join(var_dir, "arrears.sqlite3"))
        print(f"database file  {size / 2**20:>12,.0f} MiB")
    connection.close()
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
