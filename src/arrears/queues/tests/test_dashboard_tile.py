"""The morning dashboard's queue tile reads the queues' own entries and their rule for done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.activities.services import activity_log
from arrears.cases.models import Case
from arrears.core.dates import local_today, local_zone
from arrears.dashboard.selectors import morning
from arrears.queues.selectors import queue_entries
from arrears.queues.tests.conftest import run_eod

pytestmark = pytest.mark.django_db


def test_the_tile_counts_the_team_leads_queues_and_what_is_done(people, book):
    today = local_today()
    run_eod(today - dt.timedelta(days=1))
    entries = list(queue_entries(user=people["tom"], on=today))
    assert entries, "yesterday's end-of-day queued team A's cases"
    tile = morning(user=people["tom"], today=today)["queues"]
    assert tile == {
        "entries": len(entries),
        "done": 0,
        "people": len({e.user_id for e in entries}),
    }
    # The borrower calls back (inbound: at any hour) and carl logs it: that call is done.
    first = entries[0]
    day_start = dt.datetime.combine(today, dt.time(0, 1), tzinfo=local_zone())
    activity_log(
        case=Case.objects.get(pk=first.case_id),
        channel=first.channel,
        outcome="right_party_contact",
        occurred_at=max(timezone.now() - dt.timedelta(minutes=1), day_start),
        actor=first.user,
        source="web",
        direction="inbound",
    )
    assert [e.done for e in queue_entries(user=people["tom"], on=today)][0] is True, first.channel
    assert morning(user=people["tom"], today=today)["queues"]["done"] == 1
    # Team B's lead sees none of team A's queues.
    assert morning(user=people["tina"], today=today)["queues"]["entries"] == 0
