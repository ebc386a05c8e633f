"""Recording a promise: the checks, superseding the pending one, the audit, the counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from arrears.book.services import payment_post
from arrears.cases.models import Case
from arrears.core.models import AuditEntry
from arrears.promises.errors import PromiseForbidden, PromiseInvalid
from arrears.promises.models import Promise
from arrears.promises.selectors import promise_counts
from arrears.promises.services import promise_record

from .conftest import D, open_case

pytestmark = pytest.mark.django_db

MADE = D(2026, 8, 1)
BY = D(2026, 8, 10)
# Everything owed on 2026-08-01: 10,000.00 + 600.00 interest + 22 days × 5.00 penalty.
OWED = 1_071_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def record(case, actor, amount=100_000, promised_on=BY, today=MADE, **kw):
    return promise_record(
        case=case,
        amount_fen=amount,
        promised_on=promised_on,
        actor=actor,
        source="web",
        today=today,
        **kw,
    )


def refused(field, **kw):
    with pytest.raises(PromiseInvalid) as exc:
        record(**kw)
    assert exc.value.field == field
    return exc.value.message


def test_a_promise_is_recorded_pending_and_audited(people, case):
    p = record(case, people["carl"])
    assert (p.status, p.amount_fen, p.created_on, p.promised_on) == (
        "pending",
        100_000,
        MADE,
        D(2026, 8, 10),
    )
    assert (p.loan_id, p.borrower_id, p.created_by, p.source) == (
        case.loan_id,
        case.borrower_id,
        people["carl"],
        "web",
    )
    entry = AuditEntry.objects.get(event="promise.record")
    assert entry.object_id == str(p.pk)
    assert entry.actor == people["carl"]
    assert entry.after["amount_fen"] == 100_000
    assert entry.after["promised_on"] == "2026-08-10"


def test_the_amount_must_be_positive_and_not_more_than_everything_owed(people, case):
    carl = people["carl"]
    assert "greater than zero" in refused("amount", case=case, actor=carl, amount=0)
    refused("amount", case=case, actor=carl, amount=-5)
    refused("amount", case=case, actor=carl, amount=1000.0)
    message = refused("amount", case=case, actor=carl, amount=OWED + 1)
    assert "10,710.00" in message
    assert record(case, carl, amount=OWED).amount_fen == OWED


def test_the_date_is_not_in_the_past_nor_more_than_30_days_ahead(people, case):
    carl = people["carl"]
    message = refused("promised_on", case=case, actor=carl, promised_on=D(2026, 7, 31))
    assert message == "the date to pay by (2026-07-31) is in the past"
    message = refused("promised_on", case=case, actor=carl, promised_on=D(2026, 9, 1))
    assert "at most 30 days ahead (by 2026-08-31)" in message
    assert record(case, carl, promised_on=D(2026, 8, 31)).promised_on == D(2026, 8, 31)
    # the same day counts as "not in the past"
    assert record(case, carl, promised_on=MADE).promised_on == MADE


def test_the_limit_of_days_is_a_setting(people, case, settings):
    settings.ARREARS_PROMISE_MAX_DAYS = 7
    refused("promised_on", case=case, actor=people["carl"], promised_on=D(2026, 8, 9))
    assert record(case, people["carl"], promised_on=D(2026, 8, 8))


def test_made_on_an_earlier_day_the_date_is_checked_against_that_day(people, case):
    carl = people["carl"]
    message = refused(
        "promised_on",
        case=case,
        actor=carl,
        created_on=D(2026, 7, 20),
        promised_on=D(2026, 7, 19),
        today=MADE,
    )
    assert "before the promise was made (2026-07-20)" in message
    p = record(case, carl, created_on=D(2026, 7, 20), promised_on=D(2026, 7, 25))
    assert p.created_on == D(2026, 7, 20)
    assert "after today" in refused("created_on", case=case, actor=carl, created_on=D(2026, 8, 2))


def test_a_closed_case_and_a_read_only_role_are_refused(people, case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=D(2026, 7, 30))
    case.refresh_from_db()
    assert refused("case", case=case, actor=people["carl"]) == "the case is closed"
    with pytest.raises(PromiseForbidden):
        record(open_case(case.loan, D(2026, 7, 31)), people["aud"])
    assert not Promise.objects.exists()


def test_a_new_promise_supersedes_the_pending_one(people, case):
    carl = people["carl"]
    first = record(case, carl)
    second = record(case, carl, amount=200_000, promised_on=D(2026, 8, 20), today=D(2026, 8, 5))
    first.refresh_from_db()
    assert (first.status, first.judged_on) == ("superseded", D(2026, 8, 5))
    assert second.status == "pending"
    entry = AuditEntry.objects.get(event="promise.supersede")
    assert entry.object_id == str(first.pk)
    assert entry.after["by"] == second.pk


def test_a_pending_promise_already_paid_is_kept_not_superseded(people, case):
    carl = people["carl"]
    first = record(case, carl)
    payment_post(
        loan=case.loan, external_id="P1", paid_on=D(2026, 8, 3), amount_fen=100_000, source="import"
    )
    record(case, carl, amount=200_000, promised_on=D(2026, 8, 20), today=D(2026, 8, 5))
    first.refresh_from_db()
    assert (first.status, first.paid_fen, first.judged_on) == ("kept", 100_000, D(2026, 8, 5))


def test_a_pending_promise_past_its_date_is_left_for_end_of_day(people, case):
    """Superseding it would spare a broken promise its fee and its count."""
    carl = people["carl"]
    first = record(case, carl)
    second = record(case, carl, promised_on=D(2026, 8, 20), today=D(2026, 8, 12))
    first.refresh_from_db()
    assert first.status == "pending"
    assert second.status == "pending"


def test_an_older_promise_recorded_late_is_superseded_at_once(people, case):
    carl = people["carl"]
    newer = record(case, carl, amount=200_000, promised_on=D(2026, 8, 20), today=D(2026, 8, 5))
    older = record(case, carl, created_on=D(2026, 8, 2), today=D(2026, 8, 5))
    newer.refresh_from_db()
    assert newer.status == "pending"
    assert (older.status, older.judged_on) == ("superseded", D(2026, 8, 2))


def test_promise_counts_are_per_borrower_across_loans(people, case):
    from arrears.testing import make_loan

    other_loan = make_loan(
        borrower=case.borrower, method="bullet", term_months=6, disbursed_on=D(2026, 1, 10)
    )
    other = open_case(other_loan)
    record(case, people["carl"])
    record(other, people["alice"])
    Promise.objects.create(
        case=other,
        loan=other_loan,
        borrower=case.borrower,
        amount_fen=1,
        created_on=D(2026, 7, 1),
        promised_on=D(2026, 7, 2),
        status="broken",
    )
    assert promise_counts(case.borrower) == {
        "kept": 0,
        "partly_kept": 0,
        "broken": 1,
        "pending": 2,
    }


def test_the_activity_must_belong_to_the_case(people, case, other_case):
    from arrears.activities.models import Activity

    activity = Activity.objects.create(
        case=other_case,
        loan=other_case.loan,
        borrower=other_case.borrower,
        channel="call",
        outcome="promise_to_pay",
        occurred_at=dt.datetime(2026, 8, 1, 10, tzinfo=dt.UTC),
    )
    refused("activity", case=case, actor=people["alice"], activity=activity)
