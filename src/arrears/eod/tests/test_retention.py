"""Snapshot retention: daily snapshots for a window, month-ends for good (eod/retention.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.eod.models import EodRun, LoanSnapshot
from arrears.eod.retention import days_to_prune, month_end_days, snapshot_days
from arrears.eod.services import eod_run
from arrears.testing import make_loan

D = dt.date


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


def test_the_rule_keeps_the_window_and_each_months_latest_day():
    days = _days(D(2026, 6, 1), D(2026, 11, 30))
    drop = days_to_prune(days, as_of=D(2026, 11, 30), keep_days=90)
    kept = sorted(set(days) - set(drop))
    assert kept[:3] == [D(2026, 6, 30), D(2026, 7, 31), D(2026, 8, 31)]
    assert kept[3] == D(2026, 9, 1)  # 90 days before 2026-11-30
    assert len(kept) == 3 + 91
    # A month without its last day keeps its latest day.
    sparse = [D(2026, 3, 2), D(2026, 3, 17), D(2026, 4, 30)]
    assert days_to_prune(sparse, as_of=D(2026, 11, 30), keep_days=90) == [D(2026, 3, 2)]


@pytest.mark.django_db
def test_end_of_day_prunes_old_daily_snapshots_and_keeps_month_ends(settings):
    settings.ARREARS_SNAPSHOT_DAYS = 10
    make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    for day in (D(2026, 10, 20), D(2026, 10, 31), D(2026, 11, 5), D(2026, 11, 20)):
        eod_run(as_of=day)
    # 10-20: older than 10 days and not October's latest; 11-05: November has a later day.
    assert snapshot_days() == [D(2026, 10, 31), D(2026, 11, 20)]
    run = EodRun.objects.filter(as_of=D(2026, 11, 20)).first()
    assert run.summary["snapshot_retention"] == {"days": 1, "rows": 1, "keep_days": 10}
    # A back-dated run writes its day and prunes nothing.
    eod_run(as_of=D(2026, 9, 15))
    assert D(2026, 9, 15) in snapshot_days()
    # The next day's run compares with the kept latest day (incremental where it pays: a
    # one-loan book recomputes in full) and keeps 9-15: September's only day, its month-end.
    nxt = eod_run(as_of=D(2026, 11, 21))
    assert nxt.mode_detail["selection"]["previous_as_of"] == "2026-11-20"
    assert snapshot_days() == [D(2026, 9, 15), D(2026, 10, 31), D(2026, 11, 20), D(2026, 11, 21)]
    assert month_end_days(until=D(2026, 11, 21)) == [D(2026, 9, 15), D(2026, 10, 31)]
    assert LoanSnapshot.objects.filter(as_of=D(2026, 11, 21)).count() == 1


@pytest.mark.django_db
def test_export_of_a_day_without_a_snapshot_says_why():
    make_loan()
    eod_run(as_of=D(2026, 11, 20))
    with pytest.raises(CommandError, match="daily snapshots are kept 90 days"):
        call_command("export", "snapshot", "--as-of", "2026-11-19", stdout=io.StringIO())
