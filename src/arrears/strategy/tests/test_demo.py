"""The demo's strategy step: the default active, a manager's second version, treatments for it."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.eod.services import eod_run
from arrears.strategy.models import CaseTreatment, Strategy
from arrears.testing import make_loan

pytestmark = pytest.mark.django_db


def test_the_demo_saves_a_second_version_and_treats_the_cases_under_it():
    from arrears.demo.strategy import demo_strategy

    for _ in range(3):
        make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=dt.date(2026, 2, 20))
    summary = demo_strategy()
    default = Strategy.objects.get(code="default")
    assert (default.is_active, default.latest().number, default.latest().created_by.username) == (
        True,
        2,
        "manager",
    )
    assert {t.strategy_version.number for t in CaseTreatment.objects.all()} == {2}
    assert summary.cases == 3 and sum(summary.paths.values()) == 3
    assert "strategy default v2: 3 cases treated" in summary.line()
    demo_strategy()  # again: no third version
    assert default.latest().number == 2
