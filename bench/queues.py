"""Benchmark of the end-of-day queue phase (see bench/README.md, "Daily queues").

    .venv/bin/python bench/queues.py --db sqlite   [--loans 1000000] [--cases 100000]
    .venv/bin/python bench/queues.py --db postgres [--loans 1000000]

Builds the book of bench/_book.py in a throwaway database (a temp ARREARS_VAR_DIR for SQLite;
the PostgreSQL database `arrears_bench_queues`, dropped and recreated): N loans of 0.8·N
borrowers, the as-of snapshot of every loan, `--cases` open cases (half of them held by the
`--collectors` collectors, some with one of 20 field agents), broken promises, 1% of the cases
under an open dispute (left out by the compliance rules), 1% suspended, and the default
strategy's due actions for the next day. Then, in a fresh process, times
`arrears.queues.engine.build_queues` inside one transaction (as the end-of-day run calls it),
then the same day again (a rerun replaces the day's rows). Prints the seconds per step,
entries and exclusions written, and peak RSS. Never touches var/arrears.sqlite3.
bench/workday.py times it with strategy, allocation and rotation, as end-of-day runs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book import AS_OF, build, build_then_run, machine, peak_mb, setup_django  # noqa: E402

PG_NAME = "arrears_bench_queues"


def run(db: str, var_dir: str | None) -> dict:
    setup_django(db, var_dir, PG_NAME)
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
        built = build(args.db, PG_NAME, args.var_dir, args.loans, args.cases, args.collectors)
        print(json.dumps(built, ensure_ascii=False))
        return
    if args.phase == "run":
        print(json.dumps(run(args.db, args.var_dir)))
        return
    sizes = ["--loans", str(args.loans), "--cases", str(args.cases)]
    sizes += ["--collectors", str(args.collectors)]
    built, result = build_then_run(__file__, sizes, db=args.db, var_dir=args.var_dir)
    result["build"] = built
    result["machine"] = machine()
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
