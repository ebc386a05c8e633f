"""The strategies' agency_placement hand-overs reach the placement page and close when placed."""

from __future__ import annotations

import datetime as dt

from arrears.agencies import services
from arrears.cases.models import Case
from arrears.eod.services import eod_run
from arrears.strategy import services as strategy_services
from arrears.strategy.models import HandOver
from arrears.strategy.tests.test_eod import STRATEGY
from arrears.testing import make_loan


def test_a_hand_over_is_a_candidate_until_its_case_is_placed(people, agency, today):
    strategy_services.strategy_save(
        code="test", definition=STRATEGY, actor=None, note="test", activate=True
    )
    loan = make_loan(
        external_id="L-HAND", disbursed_on=dt.date(2026, 1, 10), team=people["tina"].team
    )
    eod_run(as_of=today)
    case = Case.objects.get(loan=loan)
    handover = HandOver.objects.get(case=case, channel="agency_placement")
    assert handover.status == "open"
    assert services.placement_candidates(people["mia"]) == [case.pk]
    assert services.placement_candidates(people["tom"]) == []  # team A's lead: not theirs

    services.batch_place(
        agency=agency,
        number="B-HAND-1",
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
        case_ids=[case.pk],
        actor=people["mia"],
    )
    handover.refresh_from_db()
    assert (handover.status, handover.ref, handover.taken_by) == ("done", "B-HAND-1", people["mia"])
    assert services.placement_candidates(people["mia"]) == []
