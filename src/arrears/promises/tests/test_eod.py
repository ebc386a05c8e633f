"""End-of-day judging of promises through eod_run: kept, partly kept, broken (fee and credit
flag), a late payment inside the window, reruns, superseding, and the limitation restart."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.book.models import Borrower, Charge, Loan
from arrears.book.selectors import loan_position
from arrears.book.services import payment_post
from arrears.core.audit import audit_verify
from arrears.core.models import AuditEntry
from arrears.eod.models import EodRun, LoanSnapshot
from arrears.eod.phases import EodPhaseContext, eod_phases
from arrears.eod.services import eod_run
from arrears.promises.eod import promises_eod_phase
from arrears.promises.services import promise_record

from .conftest import FEE, D

pytestmark = pytest.mark.django_db

MADE = D(2026, 8, 1)
BY = D(2026, 8, 10)


def promise(case, actor, amount=100_000, promised_on=BY, today=MADE, **kw):
    return promise_record(
        case=case,
        amount_fen=amount,
        promised_on=promised_on,
        actor=actor,
        source="web",
        today=today,
        **kw,
    )


def pay(loan, ref, day, fen, channel="bank_transfer"):
    payment_post(
        loan=loan, external_id=ref, paid_on=day, amount_fen=fen, channel=channel, source="import"
    )


def eod(day):
    run = eod_run(as_of=day)
    assert run.status == EodRun.Status.DONE
    return run


def state(p):
    p.refresh_from_db()
    return p.status, p.paid_fen, p.judged_on


def test_the_phase_is_registered_and_runs_before_plan_monitoring():
    names = [p.name for p in eod_phases()]
    assert "promises" in names
    assert names.index("promises") < names.index("plans")


def test_kept_the_day_it_is_paid(people, case):
    p = promise(case, people["carl"])
    pay(case.loan, "P1", D(2026, 8, 5), 100_000)
    run = eod(D(2026, 8, 5))
    assert state(p) == ("kept", 100_000, D(2026, 8, 5))
    assert run.summary["promises"]["kept"] == 1
    entry = AuditEntry.objects.get(event="promise.judge")
    assert entry.before == {"status": "pending", "paid_fen": 0}
    assert entry.after == {"status": "kept", "paid_fen": 100_000, "as_of": "2026-08-05"}
    assert entry.source == "eod"
    assert not Charge.objects.exists()


def test_kept_within_the_tolerance_of_the_product(people, case):
    p = promise(case, people["carl"])
    pay(case.loan, "P1", BY, 99_900)  # 1.00 short: within the product's tolerance
    eod(BY)
    assert state(p) == ("kept", 99_900, BY)


def test_partly_kept_after_the_date(people, case):
    p = promise(case, people["carl"])
    pay(case.loan, "P1", D(2026, 8, 4), 30_000)
    eod(BY)
    # before the deadline: still pending, with what was paid so far
    assert state(p) == ("pending", 30_000, BY)
    eod(D(2026, 8, 11))
    assert state(p) == ("partly_kept", 30_000, D(2026, 8, 11))
    assert not Charge.objects.exists()
    assert Borrower.objects.get(pk=case.borrower_id).negative_credit_on is None


def test_broken_charges_the_fee_and_flags_the_borrower(people, case):
    p = promise(case, people["carl"])
    eod(BY)
    assert state(p) == ("pending", 0, None)
    run = eod(D(2026, 8, 11))
    assert state(p) == ("broken", 0, D(2026, 8, 11))
    assert run.summary["promises"]["broken"] == 1
    assert run.summary["promises"]["fees_fen"] == FEE

    fee = Charge.objects.get()
    assert (fee.kind, fee.amount_fen, fee.charged_on, fee.loan_id) == (
        "broken_promise",
        FEE,
        D(2026, 8, 11),
        case.loan_id,
    )
    assert p.fee_charge == fee
    assert Borrower.objects.get(pk=case.borrower_id).negative_credit_on == D(2026, 8, 11)
    loan = Loan.objects.get(pk=case.loan_id)
    assert loan.ledger_changed_at is not None and loan.ledger_changed_at > run.book_read_at
    assert loan_position(loan, D(2026, 8, 12)).fees == FEE
    # the next day's figures carry the fee (the loan was marked changed)
    eod(D(2026, 8, 12))
    snap = LoanSnapshot.objects.get(loan_id=case.loan_id, as_of=D(2026, 8, 12))
    assert snap.fees_fen == FEE
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"promise.judge", "charge.add", "borrower.negative_credit"} <= events
    assert audit_verify().ok


def test_rerunning_the_day_adds_nothing(people, case):
    p = promise(case, people["carl"])
    eod(D(2026, 8, 11))
    judged = AuditEntry.objects.filter(event="promise.judge").count()
    run = eod(D(2026, 8, 11))
    assert run.summary["promises"]["broken"] == 0
    assert state(p) == ("broken", 0, D(2026, 8, 11))
    assert Charge.objects.count() == 1
    assert AuditEntry.objects.filter(event="promise.judge").count() == judged
    # and the days after leave a broken promise alone
    eod(D(2026, 8, 12))
    assert Charge.objects.count() == 1


def test_no_fee_and_no_flag_when_the_product_has_none(people, case, product):
    product.broken_promise_fee_fen = 0
    product.negative_credit_on_broken_promise = False
    product.save()
    p = promise(case, people["carl"])
    eod(D(2026, 8, 11))
    assert state(p)[0] == "broken"
    assert p.fee_charge is None
    assert not Charge.objects.exists()
    assert Borrower.objects.get(pk=case.borrower_id).negative_credit_on is None


def test_grace_days_of_the_product_move_the_deadline(people, case, product):
    product.promise_grace_days = 2
    product.save()
    p = promise(case, people["carl"])
    eod(D(2026, 8, 12))
    assert state(p)[0] == "pending"
    pay(case.loan, "P1", D(2026, 8, 12), 100_000)
    eod(D(2026, 8, 13))
    assert state(p) == ("kept", 100_000, D(2026, 8, 13))


def test_a_late_payment_inside_the_window_turns_broken_into_kept_and_waives_the_fee(people, case):
    p = promise(case, people["carl"])
    eod(D(2026, 8, 11))
    assert state(p)[0] == "broken"
    # A payment made on 2026-08-09 reaches the book only on 2026-08-20.
    pay(case.loan, "P-LATE", D(2026, 8, 9), 100_000)
    run = eod(D(2026, 8, 20))
    assert state(p) == ("kept", 100_000, D(2026, 8, 20))
    assert run.summary["promises"]["kept"] == 1
    assert run.summary["promises"]["fees_waived"] == 1
    fee = Charge.objects.get()  # waived, not deleted
    assert (fee.amount_fen, fee.waived_fen, fee.paid_fen) == (FEE, FEE, 0)
    assert loan_position(case.loan, D(2026, 8, 20)).fees == 0
    waive = AuditEntry.objects.get(event="charge.waive")
    assert waive.after["promise"] == p.pk
    # rerunning waives nothing more
    eod(D(2026, 8, 20))
    assert AuditEntry.objects.filter(event="charge.waive").count() == 1
    assert audit_verify().ok


def test_a_fee_already_paid_is_waived_and_the_money_goes_to_the_loan(people, case):
    p = promise(case, people["carl"])
    eod(D(2026, 8, 11))
    # fees come first in the waterfall: this payment (after the deadline) pays the fee
    pay(case.loan, "P-AFTER", D(2026, 8, 12), 10_000)
    assert Charge.objects.get().paid_fen == FEE
    pay(case.loan, "P-LATE", D(2026, 8, 9), 100_000)
    eod(D(2026, 8, 13))
    assert state(p)[0] == "kept"
    fee = Charge.objects.get()
    assert (fee.waived_fen, fee.paid_fen) == (FEE, 0)
    # all 1,100.00 paid went to the loan's penalty, interest and principal
    pos = loan_position(case.loan, D(2026, 8, 13))
    assert pos.fees == 0


def test_a_payment_imported_after_the_look_back_window_changes_nothing(people, case):
    p = promise(case, people["carl"])
    eod(D(2026, 8, 11))
    pay(case.loan, "P-LATE", D(2026, 8, 9), 100_000)
    # deadline 2026-08-10 + 31 days = 2026-09-10: judged again through that day only
    eod(D(2026, 9, 11))
    assert state(p) == ("broken", 0, D(2026, 8, 11))
    assert Charge.objects.get().waived_fen == 0


def test_waivers_are_not_payments_for_promises(people, case):
    p = promise(case, people["carl"])
    pay(case.loan, "W-1", D(2026, 8, 5), 100_000, channel="waiver")
    eod(D(2026, 8, 11))
    assert state(p) == ("broken", 0, D(2026, 8, 11))


def test_superseded_promises_are_not_judged(people, case):
    carl = people["carl"]
    first = promise(case, carl)
    second = promise(case, carl, amount=50_000, promised_on=D(2026, 8, 15), today=D(2026, 8, 5))
    pay(case.loan, "P1", D(2026, 8, 14), 50_000)
    eod(D(2026, 8, 16))
    assert state(first) == ("superseded", 0, D(2026, 8, 5))
    assert state(second) == ("kept", 50_000, D(2026, 8, 16))
    assert not Charge.objects.exists()


def test_two_loans_judged_at_once(people, case, other_case):
    a = promise(case, people["carl"])
    b = promise(other_case, people["alice"], amount=20_000)
    pay(other_case.loan, "PB", D(2026, 8, 2), 20_000)
    run = eod(D(2026, 8, 11))
    assert state(a)[0] == "broken"
    assert state(b)[0] == "kept"
    # the other loan's default product has no fee
    assert Charge.objects.get().loan_id == case.loan_id
    assert run.summary["promises"]["judged"] == 2


def test_a_promise_made_after_the_run_date_is_not_judged(people, case):
    p = promise(case, people["carl"], promised_on=D(2026, 8, 12), today=D(2026, 8, 12))
    eod(D(2026, 8, 11))
    assert state(p) == ("pending", 0, None)


def test_a_back_dated_run_leaves_promises_alone(people, case):
    p = promise(case, people["carl"])
    summary = promises_eod_phase(EodPhaseContext(as_of=D(2026, 8, 11), is_latest=False))
    assert summary == {"skipped": "back-dated run"}
    assert state(p) == ("pending", 0, None)
    eod(D(2026, 8, 20))
    eod(D(2026, 8, 11))  # back-dated: the cases and promises follow the latest day only
    assert not AuditEntry.objects.filter(event="promise.judge", after__as_of="2026-08-11").exists()


# --- limitation ------------------------------------------------------------------------------


def deadline_on(loan, day):
    eod(day)
    return LoanSnapshot.objects.get(loan_id=loan.pk, as_of=day).limitation_deadline


def test_a_borrowers_promise_restarts_the_limitation_period_on_the_day_it_was_made(people, case):
    # anchor: the last due date, 2026-07-10, so three years to 2029-07-10
    assert deadline_on(case.loan, D(2026, 7, 31)) == D(2029, 7, 10)
    promise(case, people["carl"])
    assert deadline_on(case.loan, D(2026, 8, 1)) == D(2029, 8, 1)
    # kept or broken, the restart stands; a later promise moves it again
    promise(case, people["carl"], promised_on=D(2026, 8, 25), today=D(2026, 8, 20))
    assert deadline_on(case.loan, D(2026, 8, 20)) == D(2029, 8, 20)


def test_a_promise_is_a_restart_only_from_its_date(people, case):
    promise(case, people["carl"], created_on=D(2026, 7, 20), promised_on=D(2026, 7, 25))
    assert deadline_on(case.loan, D(2026, 7, 19)) == D(2029, 7, 10)
    assert deadline_on(case.loan, D(2026, 7, 20)) == D(2029, 7, 20)


def _activity(case, target_kind):
    from arrears.activities.models import Activity

    return Activity.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        channel="call",
        target_kind=target_kind,
        relation="self" if target_kind == "borrower" else "guarantor",
        outcome="promise_to_pay",
        occurred_at=dt.datetime(2026, 8, 1, 2, tzinfo=dt.UTC),
    )


def test_only_the_borrowers_own_promise_restarts_the_period(people, case):
    promise(case, people["carl"], activity=_activity(case, "guarantor"))
    assert deadline_on(case.loan, D(2026, 8, 1)) == D(2029, 7, 10)
    promise(
        case,
        people["carl"],
        promised_on=D(2026, 8, 20),
        today=D(2026, 8, 2),
        activity=_activity(case, "borrower"),
    )
    assert deadline_on(case.loan, D(2026, 8, 2)) == D(2029, 8, 2)
