"""Which daily snapshots are kept, and the days that exist.

A year of daily snapshots at a million loans would be 365 million rows, and no report reads
an old day except at a month's end. So the end-of-day run keeps:

- every day's snapshot for the last `ARREARS_SNAPSHOT_DAYS` days (default 90) before the
  as-of date of the run, and
- for good, each month's **month-end snapshot**: the latest day kept in that calendar month
  (the last day of the month when end-of-day ran on it, which it does every day in normal
  operation).

Everything else is deleted by the `snapshot_retention` phase, set-based (one DELETE over the
days to drop) inside the run's transaction. The latest run's day is never older than the
window, so the incremental run (which carries forward from it) and the "previous day" DPD
read are unaffected; roll rates, aging's previous month-end and the NPL summary read
month-ends only.

The days that exist are read by a loose index scan (a recursive query stepping through the
(as_of, loan) index one distinct day at a time), so listing them costs a few index probes per
day, not a pass over hundreds of millions of rows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

DEFAULT_DAYS = 90

_DAYS_SQL = (
    "WITH RECURSIVE d(day) AS ("
    " SELECT MIN(as_of) FROM eod_loansnapshot"
    " UNION ALL"
    " SELECT (SELECT MIN(s.as_of) FROM eod_loansnapshot s WHERE s.as_of > d.day)"
    " FROM d WHERE d.day IS NOT NULL"
    ") SELECT day FROM d WHERE day IS NOT NULL"
)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def snapshot_days_kept() -> int:
    """The window of daily snapshots, in days (setting ARREARS_SNAPSHOT_DAYS, at least 1)."""
    return max(1, int(getattr(settings, "ARREARS_SNAPSHOT_DAYS", DEFAULT_DAYS)))


def snapshot_days() -> list[dt.date]:
    """Every day that has a snapshot, oldest first."""
    with connection.cursor() as cur:
        cur.execute(_DAYS_SQL)
        return [_as_date(day) for (day,) in cur.fetchall()]


def snapshot_day_on_or_before(day: dt.date) -> dt.date | None:
    """The latest snapshot day on or before `day` (None before the first run)."""
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(as_of) FROM eod_loansnapshot WHERE as_of <= %s", [day])
        (found,) = cur.fetchone()
    return None if found is None else _as_date(found)


def month_ends(days: list[dt.date]) -> list[dt.date]:
    """The latest of `days` in each calendar month, oldest first."""
    last: dict[tuple[int, int], dt.date] = {}
    for day in days:
        key = (day.year, day.month)
        if key not in last or day > last[key]:
            last[key] = day
    return sorted(last.values())


def month_end_days(*, until: dt.date | None = None) -> list[dt.date]:
    """Each month's month-end snapshot day (up to `until`), oldest first.

    The month of `until` counts only if its month-end has passed (`until` is its last day or
    later): a half month's latest day is not a month-end."""
    ends = month_ends(snapshot_days())
    if until is None:
        return ends
    return [d for d in ends if d <= until and _month_closed(d, until)]


def _month_closed(day: dt.date, until: dt.date) -> bool:
    if (day.year, day.month) != (until.year, until.month):
        return True
    return (until + dt.timedelta(days=1)).month != until.month


def days_to_prune(days: list[dt.date], *, as_of: dt.date, keep_days: int) -> list[dt.date]:
    """The snapshot days the run of `as_of` deletes: older than the window and not the
    latest day of their month. A pure function, so the rule is tested on its own."""
    cutoff = as_of - dt.timedelta(days=keep_days)
    kept_month_ends = set(month_ends(days))
    return [d for d in days if d < cutoff and d not in kept_month_ends]


def snapshot_prune(*, as_of: dt.date, keep_days: int | None = None) -> dict:
    """Delete the daily snapshots the rule above does not keep; return what it did."""
    keep_days = snapshot_days_kept() if keep_days is None else keep_days
    drop = days_to_prune(snapshot_days(), as_of=as_of, keep_days=keep_days)
    deleted = 0
    if drop:
        with connection.cursor() as cur:
            cur.execute(
                f"DELETE FROM eod_loansnapshot WHERE as_of IN ({', '.join(['%s'] * len(drop))})",
                drop,
            )
            deleted = cur.rowcount
    return {"days": len(drop), "rows": deleted, "keep_days": keep_days}


def retention_phase(ctx) -> dict:
    """End-of-day phase: prune after the latest day's run (a back-dated run prunes nothing,
    so re-running an old month-end never deletes the days around it)."""
    if not ctx.is_latest:
        return {"days": 0, "rows": 0}
    return snapshot_prune(as_of=ctx.as_of)
