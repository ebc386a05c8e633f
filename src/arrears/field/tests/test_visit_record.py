"""A visit and what it leads to: activity, cash by the receipt's split, notice, promise."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.book.models import Allocation, Loan, Payment
from arrears.book.selectors import loan_totals
from arrears.field.errors import VisitInvalid
from arrears.field.models import Visit
from arrears.field.services import visit_record

D = dt.date
DAY = D(2026, 12, 1)


def record(people, loan, **kw):
    args = dict(
        visit_id="V-1",
        loan=loan,
        visited_on=DAY,
        visited_at=dt.time(10, 30),
        collector=people["fay"],
        participants=[people["tom"]],
        recording_ref="REC-1",
        outcome="met_borrower",
    )
    args.update(kw)
    return visit_record(**args)


def test_cash_is_allocated_as_the_receipt_splits_it(people, loan):
    visit, created = record(
        people,
        loan,
        cash_principal_fen=60_000,
        cash_interest_fen=50_000,
        receipt_no="SJ-0001",
    )
    assert created
    payment = Payment.objects.get(external_id="SJ-0001")
    assert (payment.amount_fen, payment.channel, payment.paid_on) == (110_000, "cash", DAY)
    parts = {a.component: a.amount_fen for a in Allocation.objects.filter(payment=payment)}
    # The waterfall would have paid the penalty first; the receipt says principal and interest.
    assert parts == {"principal": 60_000, "interest": 50_000}
    totals = loan_totals(Loan.objects.filter(pk=loan.pk), as_of=DAY).get()
    assert totals.paid_principal == 60_000
    assert totals.paid_interest == 50_000
    assert totals.paid_penalty == 0
    assert visit.activity.channel == "visit"
    assert visit.activity.outcome == "right_party_contact"
    assert visit.activity.participants == 2


def test_the_same_visit_twice_is_recorded_once(people, loan):
    first, _ = record(people, loan, cash_principal_fen=10_000, receipt_no="SJ-2")
    again, created = record(people, loan, cash_principal_fen=10_000, receipt_no="SJ-2")
    assert not created and again.pk == first.pk
    assert Payment.objects.filter(loan=loan).count() == 1
    assert Visit.objects.count() == 1


def test_a_receipt_already_posted_by_the_cashier_is_not_counted_twice(people, loan):
    from arrears.book.services import payment_post

    payment_post(loan=loan, external_id="SJ-3", paid_on=DAY, amount_fen=10_000, channel="cash")
    visit, _ = record(people, loan, cash_principal_fen=10_000, receipt_no="SJ-3")
    assert visit.payment.external_id == "SJ-3"
    assert Payment.objects.filter(loan=loan).count() == 1


def test_a_split_larger_than_what_is_due_is_refused(people, loan):
    with pytest.raises(VisitInvalid) as exc:
        record(people, loan, cash_interest_fen=60_001, receipt_no="SJ-4")
    assert exc.value.field == "cash_interest"
    assert "600.00" in exc.value.message
    assert not Payment.objects.exists() and not Visit.objects.exists()


def test_a_visit_by_one_person_is_refused_by_the_two_person_rule(people, loan):
    with pytest.raises(VisitInvalid) as exc:
        record(people, loan, participants=[])
    assert exc.value.code == "compliance_refused"
    assert "participants" in exc.value.message
    assert not Visit.objects.exists()


def test_a_visit_at_night_is_refused_by_the_contact_hours(people, loan):
    with pytest.raises(VisitInvalid) as exc:
        record(people, loan, visited_at=dt.time(22, 30))
    assert exc.value.field == "visited_at"
    assert not Visit.objects.exists()


def test_a_notice_served_and_signed_on_the_visit_moves_the_limitation(people, loan, issue):
    from arrears.eod.selectors import loan_limitation

    notice = issue(loan)
    before = loan_limitation(loan, as_of=DAY).deadline
    record(people, loan, notice_served=True, notice_signed="signed")
    notice.refresh_from_db()
    assert (notice.served_method, notice.served_on, notice.signed_on) == ("in_person", DAY, DAY)
    after = loan_limitation(loan, as_of=DAY).deadline
    assert before == D(2029, 7, 10)
    assert after == D(2029, 12, 3)  # three years from 2026-12-01, a Saturday → Monday


def test_an_intention_is_a_promise(people, loan):
    visit, _ = record(people, loan, intention_amount_fen=200_000, intention_date=D(2026, 12, 20))
    assert visit.promise.amount_fen == 200_000
    assert visit.promise.promised_on == D(2026, 12, 20)
    assert visit.promise.created_on == DAY
