"""Month-end snapshots for the demo, so roll rates and aging's previous month-end show real
movement: a back-dated end-of-day run at each of the last few month-ends.

The generated book carries every loan's payment history, so a run as of an earlier day sees
the loan as it stood then (a loan 120 days late today was current four months ago). Runs are
back-dated (after the demo's daily cycles), so they write only that day's snapshot: cases,
promises and today's work are untouched, and retention keeps month-ends for good.
"""

from __future__ import annotations

import datetime as dt
import time

MONTHS = 6


def month_ends_before(as_of: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The last day of each of the `months` calendar months before as_of's month, oldest
    first."""
    ends = []
    day = as_of.replace(day=1) - dt.timedelta(days=1)
    for _ in range(months):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends)


def demo_month_ends(*, as_of: dt.date, months: int = MONTHS) -> str:
    """Run end-of-day at each month-end before `as_of` that has no snapshot; say what ran."""
    from arrears.eod.models import LoanSnapshot
    from arrears.eod.services import eod_run

    started = time.perf_counter()
    done = []
    for day in month_ends_before(as_of, months):
        if LoanSnapshot.objects.filter(as_of=day).exists():
            continue
        eod_run(as_of=day, actor=None, full=True)
        done.append(day.isoformat())
    took = time.perf_counter() - started
    if not done:
        return "month-end snapshots: already there"
    return f"month-end snapshots for {', '.join(done)} ({took:.1f}s): see the roll-rates report"
