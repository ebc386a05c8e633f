"""The queue's facts for many cases at once are the facts activities.facts.case_facts reads
for one (debtor statuses aside: they only decide contact with third parties)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from arrears.activities.facts import case_facts
from arrears.activities.recorded import fact_record
from arrears.activities.services import activity_log
from arrears.cases.models import Case
from arrears.cases.services import complaint_open
from arrears.core.dates import local_zone
from arrears.queues.facts import cases_facts
from arrears.queues.tests.conftest import AS_OF, run_eod

pytestmark = pytest.mark.django_db


def test_bulk_facts_equal_case_facts(book, people):
    run_eod()
    carl = people["carl"]
    mid = Case.objects.get(loan=book["carl_mid"])
    big = Case.objects.get(loan=book["carl_big"])
    at = dt.datetime.combine(AS_OF, dt.time(10), tzinfo=local_zone())
    for hour in (9, 10):
        activity_log(
            case=mid,
            channel="call",
            outcome="no_answer",
            occurred_at=at.replace(hour=hour) - dt.timedelta(days=1),
            actor=carl,
            source="web",
        )
    fact_record(case=mid, kind="opt_out", on=AS_OF, channel="sms", actor=carl)
    fact_record(
        case=mid,
        kind="inconvenient_time",
        on=AS_OF,
        starts=dt.time(12),
        ends=dt.time(14),
        actor=carl,
    )
    fact_record(case=big, kind="forbearance_offered", on=AS_OF, actor=carl)
    complaint_open(case=big, category="other", description="有异议", actor=carl)

    bulk = cases_facts([(c.pk, c.loan_id, c.borrower_id, False) for c in (mid, big)], until=at)

    for case in (mid, big):
        one = replace(case_facts(case, at=at), unreachable=False, deceased=False)
        assert bulk[case.pk] == one
    assert len(bulk[mid.pk].attempts) == 2
    assert bulk[mid.pk].opted_out == frozenset({"sms"})
    assert bulk[big.pk].holds == frozenset({"dispute"})
    assert bulk[big.pk].forbearance_offered is True
