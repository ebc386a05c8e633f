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

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book import AS_OF, book_main, peak_mb  # noqa: E402

PG_NAME = "arrears_bench_queues"


def run() -> dict:
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
    book_main(__file__, __doc__, PG_NAME, run)


if __name__ == "__main__":
    main()
