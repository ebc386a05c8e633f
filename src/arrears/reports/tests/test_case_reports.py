"""promises, performance and limitation on the hand-made book of conftest.py: exact figures,
scope and rates."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import DebtorType
from arrears.eod.models import LoanSnapshot
from arrears.promises.models import Promise
from arrears.reports.registry import report_run
from arrears.reports.tests.conftest import D, activity

NOV = {"as_of": "2026-11-30", "from": "2026-11-01", "to": "2026-11-30"}


def promise(case, by, made, status, amount=10_000, paid=0):
    return Promise.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        amount_fen=amount,
        created_on=made,
        promised_on=made + dt.timedelta(days=5),
        status=status,
        paid_fen=paid,
        created_by=by,
    )


@pytest.fixture
def promises(book, people):
    carl, cora = people["carl"], people["cora"]
    c_carl, c_cora = book["cases"]["carl"], book["cases"]["cora"]
    evasive = DebtorType.objects.filter(active=True).order_by("sort_order").first()
    c_carl.debtor_type = evasive
    c_carl.save(update_fields=["debtor_type"])
    promise(c_carl, carl, D(2026, 11, 2), "kept", 100_000, 100_000)
    promise(c_carl, carl, D(2026, 11, 8), "broken", 50_000, 0)
    promise(c_carl, carl, D(2026, 11, 20), "partly_kept", 20_000, 5_000)
    promise(c_cora, cora, D(2026, 11, 9), "pending", 30_000)
    promise(c_cora, cora, D(2026, 10, 9), "broken", 30_000)  # October: not in the period
    return evasive


@pytest.mark.django_db
def test_promises_by_collector_and_debtor_type(promises, people):
    _r, _q, data = report_run("promises", user=None, raw=NOV)
    assert data["total"] == {
        "made": 4,
        "kept": 1,
        "partly_kept": 1,
        "broken": 1,
        "pending": 1,
        "superseded": 0,
        "promised": "2000.00",
        "paid": "1050.00",
        "kept_rate": "0.3333",
    }
    carl = next(r for r in data["by_collector"] if r["collector"] == "carl")
    assert (carl["made"], carl["kept"], carl["broken"], carl["promised"]) == (3, 1, 1, "1700.00")
    cora = next(r for r in data["by_collector"] if r["collector"] == "cora")
    assert cora["made"] == 1 and cora["kept_rate"] is None
    types = {r["debtor_type"]: r for r in data["by_debtor_type"]}
    assert types[promises.code]["made"] == 3 and types[None]["made"] == 1
    # Team B's lead sees none of team A's promises.
    _r, _q, tina = report_run("promises", user=people["tina"], raw=NOV)
    assert tina["total"]["made"] == 0


@pytest.mark.django_db
def test_performance_per_collector(promises, book, people):
    carl = people["carl"]
    activity(book["cases"]["carl"], D(2026, 11, 20), "call", "promise_to_pay", carl)
    _r, _q, data = report_run("performance", user=None, raw=NOV)
    row = next(r for r in data["by_collector"] if r["collector"] == "carl")
    # Three attempts in November (call 11-03 no answer, visit 11-04 and call 11-20 reached).
    assert row["attempts"] == 3 and row["right_party_contacts"] == 2
    assert row["contact_rate"] == "0.6667"
    assert row["promises"] == 3 and row["promise_kept_rate"] == "0.3333"
    assert row["collected"] == "1000.00"
    cora = next(r for r in data["by_collector"] if r["collector"] == "cora")
    assert cora["attempts"] == 0 and cora["collected"] == "300.00"
    team_a = next(r for r in data["by_team"] if r["team"] == "Team A")
    assert team_a["attempts"] == 3 and team_a["collected"] == "1300.00"
    agency = next(r for r in data["by_agency"] if r["agency"] == "Agency One")
    assert agency["collected"] == "700.00"


@pytest.mark.django_db
def test_time_to_first_contact(book, people):
    from arrears.reports.tests.conftest import loan_with_case

    carl = people["carl"]
    _l1, c1 = loan_with_case("L-NEW1", opened=D(2026, 11, 10), collector=carl, team=carl.team)
    _l2, c2 = loan_with_case("L-NEW2", opened=D(2026, 11, 10), collector=carl, team=carl.team)
    _l3, c3 = loan_with_case("L-NEW3", opened=D(2026, 11, 10), collector=carl, team=carl.team)
    activity(c1, D(2026, 11, 11), "call", "no_answer", carl)  # first contact after 1 day
    activity(c2, D(2026, 11, 14), "call", "no_answer", carl)
    activity(c2, D(2026, 11, 12), "sms", "other", carl)  # logged later, earlier: 2 days
    _r, _q, data = report_run("performance", user=None, raw=NOV)
    row = next(r for r in data["by_collector"] if r["collector"] == "carl")
    assert row["cases_opened"] == 3 and row["cases_contacted"] == 2
    assert row["first_contact_median_days"] == "1.5"
    assert row["first_contact_average_days"] == "1.5"
    assert c3.activities.count() == 0


def snap(loan, day, deadline, total_fen, principal_fen=100_000, barred=False):
    return LoanSnapshot.objects.create(
        as_of=day,
        loan=loan,
        dpd=140,
        bucket="M5",
        classification="doubtful",
        overdue_principal_fen=principal_fen,
        overdue_interest_fen=0,
        penalty_fen=0,
        fees_fen=0,
        outstanding_principal_fen=principal_fen,
        total_due_fen=total_fen,
        limitation_deadline=deadline,
        time_barred=barred,
    )


@pytest.mark.django_db
def test_limitation_windows_and_time_barred(book, people):
    day = D(2026, 11, 30)
    loans = book["loans"]
    snap(loans["carl"], day, D(2026, 12, 20), 950_000)  # 20 days
    snap(loans["cora"], day, D(2027, 2, 10), 970_000)  # 72 days
    snap(loans["agency"], day, D(2027, 5, 1), 930_000)  # 152 days
    snap(loans["current"], day, D(2026, 6, 1), 123_456, barred=True)
    _r, _q, data = report_run("limitation", user=None, raw={"as_of": "2026-12-01"})
    assert data["figures_of"] == "2026-11-30"
    windows = {w["days"]: w for w in data["windows"]}
    assert (windows[30]["loans"], windows[30]["total_due"]) == (1, "9500.00")
    assert (windows[90]["loans"], windows[90]["total_due"]) == (2, "19200.00")
    assert (windows[180]["loans"], windows[180]["total_due"]) == (3, "28500.00")
    assert data["time_barred"] == {
        "loans": 1,
        "outstanding_principal": "1000.00",
        "total_due": "1234.56",
    }
    assert [n["loan"] for n in data["nearest"]] == ["L-CARL", "L-CORA", "L-AGENCY"]
    assert data["nearest"][0]["days_left"] == 19
    _r, _q, tina = report_run("limitation", user=people["tina"], raw={"as_of": "2026-12-01"})
    assert [n["loan"] for n in tina["nearest"]] == ["L-AGENCY"]
    _r, _q, early = report_run("limitation", user=None, raw={"as_of": "2026-11-01"})
    assert early["figures_of"] is None and early["windows"] == []
