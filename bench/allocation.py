"""Benchmark of allocation (分案) and rotation (轮换) at scale (see bench/README.md).

    .venv/bin/python bench/allocation.py --db sqlite   [--cases 100000] [--collectors 200]
    .venv/bin/python bench/allocation.py --db postgres [--cases 100000] [--collectors 200]

Builds the book of bench/_book.py in a throwaway database (a temp ARREARS_VAR_DIR for SQLite;
the PostgreSQL database `arrears_bench_allocation`, dropped and recreated), by default with
as many loans as cases (`--loans` for a bigger book): N open cases, 200 collectors in 20 teams
(10 each, 3 with a region skill, 5 absent tomorrow), 20 allocation rules, the latest
end-of-day figures per loan, payments on a fifth of the held cases inside the holding window,
and the strategies' history (the segments' holding periods):

- 30% of the cases have no team (routed by the rules), 20% a team but no collector, 50% a
  collector since long ago (held past their period);
- then times `allocation_run` (cover, route, place) and `rotation_run` (the held cases without
  progress move), each in its own transaction, and prints the counts, seconds and peak RSS.
  bench/workday.py times them with the strategy and queue phases, as end-of-day runs them.
  Never touches var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book import AS_OF, build, machine  # noqa: E402  (bench/_book.py)

PG_NAME = "arrears_bench_allocation"


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
    parser.add_argument("--loans", type=int, help="loans in the book (default: --cases)")
    parser.add_argument("--collectors", type=int, default=200)
    args = parser.parse_args()
    loans = args.loans or args.cases
    with tempfile.TemporaryDirectory(prefix="arrears-bench-alloc-") as var_dir:
        built = build(args.db, PG_NAME, var_dir, loans, args.cases, args.collectors)
        result = {"db": args.db, "cases": args.cases, "collectors": args.collectors, **built}
        result.update(run())
        result["machine"] = machine()
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
