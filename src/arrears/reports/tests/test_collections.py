"""The collections report on the hand-made book of conftest.py: amounts to the fen, the
channel rule, reconciliation with the ledger, scope, and every format."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from arrears.book.models import Allocation
from arrears.reports.registry import report_run

NOV = {"as_of": "2026-11-30", "from": "2026-11-01", "to": "2026-11-30"}


def _by(rows, key):
    return {r[key]: r for r in rows}


@pytest.mark.django_db
def test_collections_split_as_the_ledger_allocated(book, people):
    _r, _q, data = report_run("collections", user=None, raw=NOV)
    assert data["from"] == "2026-11-01" and data["to"] == "2026-11-30"
    assert data["received"] == {
        "principal": "600.00",
        "interest": "1400.00",
        "penalty": "0.00",
        "fees": "0.00",
        "credit": "0.00",
        "total": "2000.00",
        "payments": 3,
    }
    channels = _by(data["by_channel"], "channel")
    assert list(channels) == ["call", "sms", "letter", "visit", "email", "agency", "self_paid"]
    assert channels["visit"]["total"] == "1000.00"
    assert channels["visit"]["principal"] == "500.00"
    assert channels["visit"]["interest"] == "500.00"
    assert channels["self_paid"]["total"] == "300.00"
    assert channels["agency"]["total"] == "700.00" and channels["agency"]["principal"] == "100.00"
    assert channels["call"]["total"] == "0.00"
    collectors = _by(data["by_collector"], "collector_id")
    assert collectors[people["carl"].pk]["total"] == "1000.00"
    assert collectors[people["carl"].pk]["collector"] == "carl"
    assert collectors[people["cora"].pk]["total"] == "300.00"
    assert collectors[None]["total"] == "700.00"  # the agency's case has no collector
    assert {r["team"]: r["total"] for r in data["by_team"]} == {
        "Team A": "1300.00",
        "Team B": "700.00",
    }
    assert {r["agency"]: r["total"] for r in data["by_agency"] if r["agency_id"]} == {
        "Agency One": "700.00"
    }
    assert next(r for r in data["by_agency"] if r["agency_id"] is None)["total"] == "1300.00"


@pytest.mark.django_db
def test_collections_reconcile_with_the_ledger(book):
    _r, _q, data = report_run("collections", user=None, raw=NOV)
    in_collection = [book["loans"][k].pk for k in ("carl", "cora", "agency")]
    ledger = (
        Allocation.objects.filter(
            loan_id__in=in_collection,
            payment__paid_on__range=("2026-11-01", "2026-11-30"),
        )
        .exclude(payment__channel="waiver")
        .aggregate(s=Sum("amount_fen"))["s"]
    )
    assert data["received"]["total"] == f"{ledger / 100:.2f}"
    parts = ("principal", "interest", "penalty", "fees", "credit")
    for rows in (data["by_channel"], data["by_collector"], data["by_team"], data["by_agency"]):
        assert sum(int(r["total"].replace(".", "")) for r in rows) == ledger
        for r in rows:
            assert sum(int(r[p].replace(".", "")) for p in parts) == int(
                r["total"].replace(".", "")
            )


@pytest.mark.django_db
def test_contact_older_than_the_window_and_the_setting(book, settings):
    settings.ARREARS_SELF_PAID_DAYS = 80  # the SMS of 2026-09-01 is 70 days before 11-10
    _r, _q, data = report_run("collections", user=None, raw=NOV)
    channels = _by(data["by_channel"], "channel")
    assert channels["sms"]["total"] == "300.00" and channels["self_paid"]["total"] == "0.00"
    assert data["self_paid_days"] == 80


@pytest.mark.django_db
def test_team_lead_reads_the_team(book, people):
    _r, _q, data = report_run("collections", user=people["tom"], raw=NOV)
    assert data["received"]["total"] == "1300.00"
    assert {r["team"] for r in data["by_team"]} == {"Team A"}
    _r, _q, data = report_run("collections", user=people["tina"], raw=NOV)
    assert data["received"]["total"] == "700.00"


@pytest.mark.django_db
def test_a_period_without_payments(book):
    raw = {"as_of": "2026-12-31", "from": "2026-12-01", "to": "2026-12-31"}
    _r, _q, data = report_run("collections", user=None, raw=raw)
    assert data["received"]["total"] == "0.00" and data["by_collector"] == []
    assert all(r["total"] == "0.00" for r in data["by_channel"])
