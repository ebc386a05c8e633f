"""Business dates: parsing the forms lenders write, month arithmetic and the local 'today'."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


class DateError(ValueError):
    """A value that is not a real calendar date."""


def parse_date(value: str | dt.date | dt.datetime) -> dt.date:
    """Read 2026-11-28, 2026/11/28, 2026.11.28, 2026年11月28日 or 20261128.

    Impossible dates (2026-02-30) are refused with the reason.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    match = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if not match:
        raise DateError(f"not a date (expected YYYY-MM-DD): {text!r}")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date: {text!r}") from exc


def add_months(start: dt.date, months: int, day: int | None = None) -> dt.date:
    """The date `months` after `start`, on `day` (default start's day) clamped to the month's end."""
    day = start.day if day is None else day
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last))


def add_years(start: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 28 February (Civil Code art. 202)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today() -> dt.date:
    """Today in the configured business time zone (Asia/Shanghai by default)."""
    return dt.datetime.now(tz=local_zone()).date()


def is_working_day(day: dt.date, holidays, workdays) -> bool:
    """Not a statutory holiday, and a weekday or a make-up working day (调休上班)."""
    if day in holidays:
        return False
    return day.weekday() < 5 or day in workdays


def next_working_day(day: dt.date, holidays=frozenset(), workdays=frozenset()) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it.

    Civil Code art. 203: a period whose last day is a statutory holiday (or a weekend: the
    rest days count as holidays) ends on the day after the holiday.
    """
    while not is_working_day(day, holidays, workdays):
        day += dt.timedelta(days=1)
    return day
