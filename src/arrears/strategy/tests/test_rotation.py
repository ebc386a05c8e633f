"""Rotation holds a case for its segment's holding period, on teams that rotate at all."""

from __future__ import annotations

import datetime as dt

from arrears.cases.models import Case
from arrears.core.models import Team
from arrears.eod.services import eod_run
from arrears.strategy import services
from arrears.strategy.tests.test_eod import APR_20, STRATEGY
from arrears.testing import make_loan


def _setup(people, rotation_days):
    services.strategy_save(code="test", definition=STRATEGY, actor=None, activate=True)
    team = people["tom"].team
    Team.objects.filter(pk=team.pk).update(rotation_days=rotation_days)
    loan = make_loan(
        external_id="L-ROT", disbursed_on=dt.date(2026, 1, 10), team=team, collector=people["carl"]
    )
    eod_run(as_of=APR_20)
    case = Case.objects.get(loan=loan)
    assert case.treatment.segment_key == "late" and case.treatment.holding_days == 7
    return case


def test_a_case_moves_after_its_segments_holding_period(people):
    case = _setup(people, rotation_days=30)  # the team rotates; the segment says 7 days
    eod_run(as_of=APR_20 + dt.timedelta(days=7))
    case.refresh_from_db()
    assert case.collector == people["carl"]  # entered 04-21: 6 days held on 04-27
    eod_run(as_of=APR_20 + dt.timedelta(days=8))
    case.refresh_from_db()
    assert case.collector == people["cora"]
    move = case.assignments.filter(cause="rotation").get()
    assert move.from_collector == people["carl"]


def test_a_team_that_does_not_rotate_keeps_its_cases_whatever_the_segment(people):
    case = _setup(people, rotation_days=None)
    eod_run(as_of=APR_20 + dt.timedelta(days=20))
    case.refresh_from_db()
    assert case.collector == people["carl"]
