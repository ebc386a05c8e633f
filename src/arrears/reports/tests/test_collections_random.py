"""Collections reconcile on random books: whatever the loans, cases, contacts and payments,
`received.total` is the ledger's allocations of the period's payments on loans in collection,
to the fen, and every breakdown (channel, collector, team, agency) sums to it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Sum

from arrears.book.models import Allocation
from arrears.core.models import Agency
from arrears.reports.registry import report_run
from arrears.reports.tests.conftest import activity, loan_with_case, pay

PARTS = ("principal", "interest", "penalty", "fees", "credit")


def _fen(text: str) -> int:
    return int(text.replace(".", ""))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_books_reconcile(people, seed):
    rng = random.Random(seed)
    agency = Agency.objects.get(name="Agency One")
    holders = [
        {"collector": people["carl"], "team": people["tom"].team},
        {"collector": people["cora"], "team": people["tom"].team},
        {"team": people["tina"].team, "agency": agency},
        {"team": people["tina"].team},
    ]
    cases = {}
    for n in range(8):
        opened = rng.choice([None, dt.date(2026, 7, 11), dt.date(2026, 11, 15)])
        loan, case = loan_with_case(f"L-R{seed}-{n}", opened=opened, **rng.choice(holders))
        cases[loan.pk] = case
        for _k in range(rng.randint(0, 4)):
            day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 60))
            if case is not None:
                channel = rng.choice(["call", "sms", "letter", "visit", "email", "other"])
                outcome = "no_answer" if channel in ("call", "other") else "other"
                activity(case, day, channel, outcome, people["carl"], hour=rng.randint(8, 20))
        for k in range(rng.randint(0, 3)):
            day = dt.date(2026, 10, 15) + dt.timedelta(days=rng.randint(0, 45))
            channel = rng.choice(["bank_transfer", "cash", "agency", "waiver"])
            pay(loan, f"P-R{seed}-{n}-{k}", day, rng.randint(1, 400_000), channel=channel)
    raw = {"as_of": "2026-11-30", "from": "2026-11-01", "to": "2026-11-30"}
    _r, _q, data = report_run("collections", user=None, raw=raw)
    in_collection = [pk for pk, case in cases.items() if case is not None]
    allocations = Allocation.objects.filter(
        loan_id__in=in_collection, payment__paid_on__range=("2026-11-01", "2026-11-30")
    ).exclude(payment__channel="waiver")
    # A payment before the case opened (2026-11-15 cases) is no collection.
    counted = 0
    for case in (c for c in cases.values() if c is not None):
        counted += (
            allocations.filter(
                loan_id=case.loan_id, payment__paid_on__gte=case.opened_on
            ).aggregate(s=Sum("amount_fen"))["s"]
            or 0
        )
    total = _fen(data["received"]["total"])
    assert total == counted
    assert data["received"]["payments"] > 0  # these seeds make November payments
    assert sum(_fen(data["received"][p]) for p in PARTS) == total
    for key in ("by_channel", "by_collector", "by_team", "by_agency"):
        rows = data[key]
        assert sum(_fen(r["total"]) for r in rows) == total, key
        for r in rows:
            assert sum(_fen(r[p]) for p in PARTS) == _fen(r["total"])
