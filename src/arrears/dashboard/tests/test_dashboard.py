"""The morning dashboard: its figures are the reports' figures, in the reader's scope, against
the targets managers set; the page shows them with links into each list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.core.models import AuditEntry, Team
from arrears.dashboard.models import CollectionTarget
from arrears.dashboard.selectors import morning
from arrears.dashboard.services import target_set
from arrears.reports.registry import report_run
from arrears.testing import PASSWORD

D = dt.date


@pytest.mark.django_db
def test_yesterday_against_target_equals_the_collections_report(book, people):
    team_a = Team.objects.get(name="Team A")
    team_b = Team.objects.get(name="Team B")
    target_set(team=team_a, month=D(2026, 11, 1), amount_fen=3_000_000, actor=people["mia"])
    target_set(team=team_b, month=D(2026, 11, 1), amount_fen=1_500_000, actor=people["mia"])
    figures = morning(user=people["mia"], today=D(2026, 11, 13))
    _r, _q, report = report_run(
        "collections",
        user=people["mia"],
        raw={"as_of": "2026-11-12", "from": "2026-11-12", "to": "2026-11-12"},
    )
    assert report["received"]["total"] == "700.00"
    c = figures["collections"]
    assert c["collected_fen"] == 70_000
    # 45,000.00 over November's 30 days is 1,500.00 a day.
    assert c["month_target_fen"] == 4_500_000 and c["target_fen"] == 150_000
    assert c["share"] == 47
    assert c["month_fen"] == 200_000  # 1,000 + 300 + 700 from the 1st to the 12th
    # tom reads team A's figures and target only.
    tom = morning(user=people["tom"], today=D(2026, 11, 11))["collections"]
    assert tom["collected_fen"] == 30_000 and tom["month_target_fen"] == 3_000_000
    assert tom["target_fen"] == 100_000
    assert morning(user=people["tom"], today=D(2026, 11, 13))["collections"]["collected_fen"] == 0


@pytest.mark.django_db
def test_promise_and_limitation_tiles_equal_their_pages(book, people):
    from arrears.promises.models import Promise

    case = book["cases"]["carl"]
    Promise.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        amount_fen=10_000,
        created_on=D(2026, 11, 2),
        promised_on=D(2026, 11, 13),
        status="pending",
        created_by=people["carl"],
    )
    Promise.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        amount_fen=10_000,
        created_on=D(2026, 11, 1),
        promised_on=D(2026, 11, 3),
        status="broken",
        created_by=people["carl"],
    )
    figures = morning(user=people["tom"], today=D(2026, 11, 13))
    assert figures["promises_due"] == 1
    _r, _q, promises = report_run(
        "promises", user=people["tom"], raw={"from": "2026-11-01", "to": "2026-11-13"}
    )
    assert figures["broken"] == promises["total"]["broken"] == 1
    assert morning(user=people["tina"], today=D(2026, 11, 13))["promises_due"] == 0
    assert figures["queues"] is None  # no queues app yet: the tile says so
    assert figures["limitation"]["within_30"] is None  # no end-of-day has run


@pytest.mark.django_db
def test_home_page_shows_the_dashboard_to_leads_not_collectors(book, people):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert c.login(username="tom", password=PASSWORD)
    html = c.get("/").content.decode()
    assert 'id="morning"' in html and 'id="tile-collections"' in html
    assert "/cases/?promise=today" in html and "/reports/limitation/" in html
    c = Client()
    assert c.login(username="carl", password=PASSWORD)
    assert 'id="morning"' not in c.get("/").content.decode()


@pytest.mark.django_db
def test_managers_set_targets_leads_read_them(people):
    c = Client()
    assert c.login(username="mia", password=PASSWORD)
    team = Team.objects.get(name="Team A")
    bad = c.post("/dashboard/targets/", {"team": team.pk, "month": "2026-13", "amount": "x"})
    assert bad.status_code == 400 and not CollectionTarget.objects.exists()
    ok = c.post("/dashboard/targets/", {"team": team.pk, "month": "2026-11", "amount": "30,000.50"})
    assert ok.status_code == 302
    target = CollectionTarget.objects.get()
    assert target.month == D(2026, 11, 1) and target.amount_fen == 3_000_050
    entry = AuditEntry.objects.get(event="collection_target.set")
    assert entry.after["amount_fen"] == 3_000_050
    lead = Client()
    assert lead.login(username="tina", password=PASSWORD)
    assert "30,000.50" not in lead.get("/dashboard/targets/").content.decode()
    assert lead.post("/dashboard/targets/", {"team": team.pk}).status_code == 403
    assert Client().get("/dashboard/targets/").status_code == 302


@pytest.mark.django_db
def test_buckets_rolling_between_the_last_two_month_ends(book, people):
    from arrears.dashboard.selectors import rolling
    from arrears.eod.models import LoanSnapshot

    def snap(loan, day, bucket):
        LoanSnapshot.objects.create(
            as_of=day,
            loan=loan,
            dpd=0,
            bucket=bucket,
            classification="normal",
            overdue_principal_fen=0,
            overdue_interest_fen=0,
            penalty_fen=0,
            fees_fen=0,
            outstanding_principal_fen=0,
            total_due_fen=0,
        )

    loans = book["loans"]
    for loan, before, after in (
        (loans["carl"], "M4", "M5"),  # worse
        (loans["cora"], "M4", "M4"),  # the same
        (loans["agency"], "M5", "M1"),  # better
    ):
        snap(loan, D(2026, 9, 30), before)
        snap(loan, D(2026, 10, 31), after)
    snap(loans["current"], D(2026, 10, 31), "M7+")  # no figures at the month-end before
    snap(loans["carl"], D(2026, 11, 12), "M6")  # a daily snapshot, not a month-end
    found = rolling(None, D(2026, 11, 13))
    assert (found.previous, found.month_end) == (D(2026, 9, 30), D(2026, 10, 31))
    assert (found.worse, found.same, found.better, found.new) == (1, 1, 1, 1)
    tom = rolling(people["tom"], D(2026, 11, 13))
    assert (tom.worse, tom.same, tom.better, tom.new) == (1, 1, 0, 1)
    assert rolling(None, D(2026, 10, 15)) is None  # one month-end only
