"""The collector's workbench: signing in opens it, today's queue in order, "next case" opens
the first entry not yet done, and logging an outcome moves on to the next."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.cases.models import Case
from arrears.cases.services import complaint_open
from arrears.core.dates import local_today, local_zone
from arrears.queues.models import QueueEntry
from arrears.queues.tests.conftest import client_for, run_eod

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_queue(book):
    """Yesterday's end-of-day built today's queues."""
    run_eod(local_today() - dt.timedelta(days=1))
    return {k: Case.objects.filter(loan=v).first() for k, v in book.items()}


def log_form(at: dt.datetime) -> dict:
    # Outbound within contact hours; an inbound call (the borrower calling) at any hour.
    local = at.astimezone(local_zone())
    inside = dt.time(8, 5) <= local.time() <= dt.time(21, 55)
    return {
        "log-channel": "call",
        "log-target": "borrower:phone",
        "log-outcome": "right_party_contact",
        "log-default_reason": "lack_of_funds",
        "log-duration_seconds": "60",
        "log-occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
        "log-direction": "outbound" if inside else "inbound",
        "log-purpose": "collect",
        "log-note": "答应下周还款",
    }


def test_a_collector_signs_in_to_the_workbench_and_works_the_queue_in_order(people, today_queue):
    client = client_for(people["carl"])

    page = client.get("/").content.decode()  # the home page is the workbench
    assert '<section class="card" id="queue">' in page and "<h1>Portfolio overview</h1>" not in page
    big, mid, small = (today_queue[k] for k in ("carl_big", "carl_mid", "carl_small"))
    names = [c.borrower.name for c in (big, mid, small)]
    assert page.index(names[0]) < page.index(names[1]) < page.index(names[2])
    n = QueueEntry.objects.filter(user=people["carl"], on=local_today()).count()
    assert n >= 3
    assert f"{n} actions left in your queue" in page
    assert "Allowed now" in page or "Not now" in page  # may_contact answers for each entry

    first = client.get("/queues/next/")
    assert first["Location"] == f"/cases/{big.pk}/#panel-activities"
    case_page = client.get(f"/cases/{big.pk}/").content.decode()
    assert f"No. 1 of {n} in today's queue" in case_page

    logged = client.post(
        f"/activities/case/{big.pk}/log/", log_form(timezone.now() - dt.timedelta(minutes=1))
    )
    assert logged.status_code == 302

    assert client.get("/queues/next/")["Location"] == f"/cases/{mid.pk}/#panel-activities"
    page = client.get("/queues/").content.decode()
    assert f"{n - 1} actions left in your queue" in page
    assert 'id="entry-1" class="done"' in page


def test_the_last_entry_done_says_the_queue_is_done(people, today_queue):
    client = client_for(people["cora"])
    one = today_queue["cora_one"]
    client.post(f"/activities/case/{one.pk}/log/", log_form(timezone.now()))

    response = client.get("/queues/next/", follow=True)

    assert response.redirect_chain[-1][0] == "/queues/"
    assert "Your queue for today is done." in response.content.decode()


def test_managers_and_team_leads_keep_the_overview(people, today_queue):
    for name in ("mia", "tom"):
        response = client_for(people[name]).get("/")
        assert response.status_code == 200
        assert 'id="queue"' not in response.content.decode()
    # The overview's heading; a collector finds it at /overview/.
    assert (
        "<h1>Portfolio overview</h1>"
        in client_for(people["carl"]).get("/overview/").content.decode()
    )


def test_a_team_lead_sees_each_case_left_out_and_why(people, book):
    run_eod(local_today() - dt.timedelta(days=1))
    case = Case.objects.get(loan=book["carl_mid"])
    complaint_open(case=case, category="other", description="有争议", actor=people["carl"])
    run_eod(local_today() - dt.timedelta(days=1))

    page = client_for(people["tom"]).get("/queues/excluded/").content.decode()
    assert f"#{case.pk}" in page and "CN.HOLD_DISPUTE" in page
    assert "dispute" in page  # the reason, in the page's language
    assert client_for(people["carl"]).get("/queues/excluded/").status_code == 403
    # Team B's lead does not see team A's cases.
    assert f"#{case.pk}" not in client_for(people["tina"]).get("/queues/excluded/").content.decode()
