"""The queue coverage page (/queues/coverage/, GET /api/v1/queues/coverage): per person, the
day's queue — capacity, entries, done by the queues' own rule, remaining, cases the rules
left out, suspended cases, away — in the overseer's scope; a collector may not see it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from arrears.activities.services import activity_log
from arrears.api.tests.conftest import ApiClient
from arrears.cases.allocation import absence_record
from arrears.cases.models import Case
from arrears.cases.services import complaint_open
from arrears.cases.suspension import case_suspend
from arrears.core.dates import local_today, local_zone
from arrears.core.models import AuditEntry
from arrears.core.roles import Role
from arrears.dashboard.selectors import morning
from arrears.queues.selectors import queue_coverage, queue_entries
from arrears.queues.tests.conftest import client_for, run_eod
from arrears.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(book, people):
    """Team B gets a collector, tess, for tina's loan; yesterday's end-of-day builds today's
    queues."""
    tess = make_user("tess", Role.COLLECTOR, team=people["tina"].team)
    book["tina_one"].collector = tess
    book["tina_one"].save(update_fields=["collector"])
    people["tess"] = tess
    day = local_today()
    run_eod(day - dt.timedelta(days=1))
    return day


def rows_of(coverage) -> dict[str, tuple]:
    return {r.username: (r.entries, r.done, r.remaining) for r in coverage.rows}


def entries_of(user, day) -> int:
    return queue_entries(user=user, on=day).filter(user=user).count()


def test_a_team_lead_sees_their_team_and_a_manager_everyone(today, people):
    tom = queue_coverage(user=people["tom"], on=today)
    assert set(rows_of(tom)) == {"carl", "cora", "fay"}
    carl, cora, tess = people["carl"], people["cora"], people["tess"]
    assert rows_of(tom)["carl"] == (entries_of(carl, today), 0, entries_of(carl, today))
    assert rows_of(tom)["cora"][0] == entries_of(cora, today) > 0
    # The totals agree with the dashboard tile the lead already sees.
    tile = morning(user=people["tom"], today=today)["queues"]
    assert (tom.totals.entries, tom.totals.done) == (tile["entries"], tile["done"])

    mia = queue_coverage(user=people["mia"], on=today)
    assert set(rows_of(mia)) == {"carl", "cora", "fay", "tess"}
    assert rows_of(mia)["tess"][0] == entries_of(tess, today) > 0
    team_b = queue_coverage(user=people["mia"], on=today, team_id=people["tina"].team_id)
    assert set(rows_of(team_b)) == {"tess"}
    # Team B's lead sees team B only, whatever team is asked for.
    tina = queue_coverage(user=people["tina"], on=today, team_id=people["tom"].team_id)
    assert set(rows_of(tina)) == {"tess"}


def test_logging_an_outcome_moves_done_and_remaining(today, people):
    carl = people["carl"]
    before = rows_of(queue_coverage(user=people["tom"], on=today))["carl"]
    first = queue_entries(user=carl, on=today, person=carl)[0]
    day_start = dt.datetime.combine(today, dt.time(0, 1), tzinfo=local_zone())
    # The borrower calls back (inbound: at any hour) and carl logs it.
    activity_log(
        case=Case.objects.get(pk=first.case_id),
        channel=first.channel,
        outcome="right_party_contact",
        occurred_at=max(timezone.now() - dt.timedelta(minutes=1), day_start),
        actor=carl,
        source="web",
        direction="inbound",
    )
    after = queue_coverage(user=people["tom"], on=today)
    assert rows_of(after)["carl"] == (before[0], 1, before[0] - 1)
    assert after.totals.done == 1 == morning(user=people["tom"], today=today)["queues"]["done"]
    assert [r.remaining for r in after.rows] == sorted(
        (r.remaining for r in after.rows), reverse=True
    )


def test_left_out_suspended_and_away_are_counted_per_person(book, today, people):
    carl, cora = people["carl"], people["cora"]
    disputed = Case.objects.get(loan=book["carl_mid"])
    complaint_open(case=disputed, category="other", description="借款人称已还清", actor=carl)
    case_suspend(
        case=Case.objects.get(loan=book["carl_small"]),
        reason="hospitalised",
        ends_on=today + dt.timedelta(days=5),
        actor=carl,
    )
    absence_record(user=cora, starts_on=today, ends_on=today, reason="sick", actor=people["tom"])
    run_eod(today - dt.timedelta(days=1))

    found = {r.username: r for r in queue_coverage(user=people["tom"], on=today).rows}
    assert (found["carl"].left_out, found["carl"].suspended, found["carl"].absent) == (1, 1, False)
    assert found["cora"].absent and found["cora"].left_out == 0

    tom = client_for(people["tom"])
    page = tom.get("/queues/coverage/").content.decode()
    link = f"/queues/excluded/?on={today.isoformat()}&amp;person={carl.pk}"
    assert link in page and 'data-absent="1"' in page
    only_carl = tom.get(f"/queues/excluded/?on={today.isoformat()}&person={carl.pk}")
    assert "CN.HOLD_DISPUTE" in only_carl.content.decode()
    assert tom.get(f"/queues/excluded/?person={cora.pk}").context["page"].paginator.count == 0


def test_the_page_in_chinese_with_a_day_picker_and_the_dashboard_links_to_it(today, people):
    client = client_for(people["mia"], "zh-hans")
    html = client.get("/queues/coverage/").content.decode()
    assert "队列完成情况" in html and 'type="date"' in html and "全部小组" in html
    assert 'data-user="carl"' in html and 'data-user="tess"' in html
    assert "剩余" in html and "Remaining" not in html
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert client.get(f"/queues/coverage/?on={yesterday}").context["coverage"].totals.entries == 0
    bad = client_for(people["mia"]).get("/queues/coverage/?on=someday").content.decode()
    assert "Day: not a date" in bad
    dash = client_for(people["tom"]).get("/").content.decode()
    assert 'id="tile-queues" href="/queues/coverage/"' in dash


def test_a_collector_may_not_see_it(today, people):
    assert client_for(people["carl"]).get("/queues/coverage/").status_code == 403
    assert client_for(people["aud"]).get("/queues/coverage/").status_code == 403
    assert ApiClient(people["carl"]).get("/queues/coverage").status_code == 403


def test_the_api_gives_the_pages_rows(today, people):
    response = ApiClient(people["tom"]).get(f"/queues/coverage?day={today.isoformat()}")
    assert response.status_code == 200, response.json()
    out = response.json()
    coverage = queue_coverage(user=people["tom"], on=today)
    assert [i["user"] for i in out["items"]] == [r.username for r in coverage.rows]
    assert [(i["entries"], i["done"], i["remaining"]) for i in out["items"]] == [
        (r.entries, r.done, r.remaining) for r in coverage.rows
    ]
    assert out["totals"]["user"] is None and out["totals"]["entries"] == coverage.totals.entries
    assert ApiClient(people["tom"]).get("/queues/coverage?day=someday").status_code == 422
    # A team id past the database's integers is a 422 naming the field, not a 500.
    response = ApiClient(people["mia"]).get(f"/queues/coverage?team={2**64}")
    assert response.status_code == 422
    assert "team" in str(response.json())


def test_the_export_has_the_rows_and_the_total_and_is_audited(today, people):
    response = client_for(people["mia"]).get(f"/queues/coverage/?on={today.isoformat()}&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["user"] for r in rows][-1] == "total"
    assert {r["user"] for r in rows[:-1]} == {"carl", "cora", "fay", "tess"}
    coverage = queue_coverage(user=people["mia"], on=today)
    assert int(rows[-1]["entries"]) == coverage.totals.entries
    assert AuditEntry.objects.filter(event="queue.coverage_export", actor=people["mia"]).exists()
    xlsx = client_for(people["mia"]).get("/queues/coverage/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
