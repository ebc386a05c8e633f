"""Write-off: who may approve, what is written off (to the fen), collection going on, and
money received after write-off counted as recovery."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.book.models import Loan, Payment
from arrears.book.selectors import loan_position
from arrears.book.services import payment_post
from arrears.cases.models import Case
from arrears.core.models import AuditEntry
from arrears.testing import make_loan, make_user
from arrears.writeoff import selectors
from arrears.writeoff.errors import WriteOffConflict, WriteOffForbidden, WriteOffInvalid
from arrears.writeoff.models import WriteOffProposal, WrittenOffLoan
from arrears.writeoff.services import (
    writeoff_authority_set,
    writeoff_cancel,
    writeoff_decide,
    writeoff_propose,
)
from arrears.writeoff.tests.conftest import TODAY, D, overdue_loan

pytestmark = pytest.mark.django_db


def propose(people, ids=("L-WO",), who="mia", **kw):
    return writeoff_propose(
        actor=people[who],
        loan_ids=list(ids),
        reason_code=kw.pop("reason_code", "other"),
        reason=kw.pop("reason", "借款人失联两年，无财产可执行"),
        today=kw.pop("today", TODAY),
        **kw,
    )


def test_proposal_holds_the_one_balance_as_of_the_day(people, case):
    proposal = propose(people)
    item = proposal.items.get()
    assert (proposal.as_of, proposal.total_fen, proposal.status) == (TODAY, 1_131_500, "pending")
    assert (
        item.dpd,
        item.principal_fen,
        item.interest_fen,
        item.penalty_fen,
        item.fees_fen,
        item.total_fen,
    ) == (143, 1_000_000, 60_000, 71_500, 0, 1_131_500)
    pos = loan_position(case.loan, TODAY)
    assert item.total_fen == pos.total_due + pos.outstanding_principal - pos.overdue_principal
    assert AuditEntry.objects.filter(event="writeoff.propose", object_id=str(proposal.pk)).exists()


def test_the_proposer_cannot_approve_their_own_proposal(people, case):
    proposal = propose(people)
    with pytest.raises(WriteOffForbidden, match="someone else"):
        writeoff_decide(proposal, actor=people["mia"], approve=True, today=TODAY)
    assert Loan.objects.get(pk=case.loan_id).status == "active"
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    assert Loan.objects.get(pk=case.loan_id).status == "written_off"


def test_only_roles_with_the_right_propose_and_approve(people, case):
    for who in ("tom", "carl", "aud", "lee", "ada"):
        with pytest.raises(WriteOffForbidden):
            propose(people, who=who)
    proposal = propose(people)
    for who in ("tom", "carl", "aud"):
        with pytest.raises(WriteOffForbidden):
            writeoff_decide(proposal, actor=people[who], approve=True, today=TODAY)
    assert WriteOffProposal.objects.get().status == "pending"


def test_the_approver_needs_authority_for_the_total(people, case):
    max_ = make_user("max", "manager")
    writeoff_authority_set(role="manager", max_total_fen=1_000_000, actor=people["alice"])
    proposal = propose(people)
    with pytest.raises(WriteOffForbidden) as exc:
        writeoff_decide(proposal, actor=max_, approve=True, today=TODAY)
    assert "10,000.00" in exc.value.message and "11,315.00" in exc.value.message
    # Exactly the total is within the authority.
    writeoff_authority_set(role="manager", max_total_fen=1_131_500, actor=people["alice"])
    writeoff_decide(proposal, actor=max_, approve=True, today=TODAY)
    assert WriteOffProposal.objects.get().status == "approved"


def test_a_role_without_a_row_approves_nothing(people, case):
    from arrears.writeoff.models import WriteOffAuthority

    WriteOffAuthority.objects.filter(role="manager").delete()
    proposal = propose(people, who="alice")
    with pytest.raises(WriteOffForbidden, match="Beyond your authority"):
        writeoff_decide(proposal, actor=people["mia"], approve=True, today=TODAY)


def test_only_an_administrator_sets_authority(people):
    with pytest.raises(WriteOffForbidden):
        writeoff_authority_set(role="manager", max_total_fen=1, actor=people["mia"])
    with pytest.raises(WriteOffInvalid):
        writeoff_authority_set(role="manager", max_total_fen=-1, actor=people["alice"])


def test_approval_writes_the_loan_off_with_date_amounts_and_reason(people, case):
    proposal = propose(people, reason_code="time_barred", reason="超过诉讼时效")
    # Approved three days later: the amounts are as of the approval day (15.00 more penalty).
    day = TODAY + dt.timedelta(days=3)
    writeoff_decide(proposal, actor=people["alice"], approve=True, note="同意", today=day)
    loan = Loan.objects.get(pk=case.loan_id)
    assert (loan.status, loan.written_off_on) == ("written_off", day)
    w = WrittenOffLoan.objects.get(loan=loan)
    assert (w.written_off_on, w.reason_code, w.reason, w.approved_by) == (
        day,
        "time_barred",
        "超过诉讼时效",
        people["alice"],
    )
    assert (w.principal_fen, w.interest_fen, w.penalty_fen, w.fees_fen, w.total_fen) == (
        1_000_000,
        60_000,
        73_000,
        0,
        1_133_000,
    )
    entry = AuditEntry.objects.get(event="loan.write_off", object_id="L-WO")
    assert entry.after["total_fen"] == 1_133_000 and entry.after["written_off_on"] == "2026-12-03"
    assert AuditEntry.objects.filter(event="writeoff.approve").count() == 1
    # 账销案存: the case stays open.
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Case.Status.OPEN, "")


def test_rejecting_needs_a_note_and_writes_nothing_off(people, case):
    proposal = propose(people)
    with pytest.raises(WriteOffInvalid):
        writeoff_decide(proposal, actor=people["alice"], approve=False, today=TODAY)
    writeoff_decide(proposal, actor=people["alice"], approve=False, note="证据不足", today=TODAY)
    assert WriteOffProposal.objects.get().status == "rejected"
    assert Loan.objects.get(pk=case.loan_id).status == "active"
    assert not WrittenOffLoan.objects.exists()
    with pytest.raises(WriteOffConflict):
        writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)


def test_a_loan_is_in_one_pending_proposal_and_written_off_once(people, case):
    first = propose(people)
    with pytest.raises(WriteOffConflict, match="already in proposal"):
        propose(people, who="alice")
    writeoff_cancel(first, actor=people["mia"])
    second = propose(people)
    writeoff_decide(second, actor=people["alice"], approve=True, today=TODAY)
    with pytest.raises(WriteOffConflict, match="already written off"):
        propose(people)


def test_a_loan_not_overdue_is_refused_naming_it(people):
    make_loan(external_id="L-CURRENT", disbursed_on=D(2026, 11, 1), term_months=12)
    with pytest.raises(WriteOffConflict, match="L-CURRENT is not overdue"):
        propose(people, ids=("L-CURRENT",))
    with pytest.raises(WriteOffInvalid, match="No such loan: L-NOPE"):
        propose(people, ids=("L-NOPE",))


def test_a_payment_after_write_off_is_a_recovery_and_reduces_the_debt(people, case):
    other = overdue_loan(people, "L-OTHER")
    proposal = propose(people)
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    before = loan_position(case.loan, D(2026, 12, 1))
    payment, _ = payment_post(
        loan=case.loan, external_id="P-REC-1", paid_on=D(2026, 12, 1), amount_fen=100_000
    )
    # The same money on a loan not written off is ordinary repayment.
    payment_post(loan=other, external_id="P-ORD-1", paid_on=D(2026, 12, 1), amount_fen=100_000)
    after = loan_position(case.loan, D(2026, 12, 1))
    # Allocated as ever: penalty 720.00 (144 days), then 280.00 of the interest.
    assert (before.penalty, after.penalty) == (72_000, 0)
    assert (before.overdue_interest, after.overdue_interest) == (60_000, 32_000)
    assert before.total_due - after.total_due == 100_000
    loan = Loan.objects.get(pk=case.loan_id)
    assert loan.status == "written_off"
    assert [p.external_id for p in selectors.recoveries(user=people["mia"])] == ["P-REC-1"]
    [row] = selectors.written_off_totals(people["mia"], D(2026, 12, 1), D(2026, 12, 31))
    assert (row["loans_written_off"], row["recoveries"], row["recovered"]) == (0, 1, 100_000)
    assert (row["recovered_penalty"], row["recovered_interest"], row["recovered_principal"]) == (
        72_000,
        28_000,
        0,
    )
    # The case stays open: the loan is still overdue.
    case.refresh_from_db()
    assert case.status == "open"


def test_what_counts_as_recovery(people, case):
    """Not money already in the written-off amounts (paid on or before the day, posted before
    the approval); not a waiver; a back-dated payment posted after the approval is."""
    payment_post(loan=case.loan, external_id="P-BEFORE", paid_on=TODAY, amount_fen=10_000)
    proposal = propose(people)
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    assert WrittenOffLoan.objects.get().total_fen == 1_131_500 - 10_000
    payment_post(loan=case.loan, external_id="P-LATE", paid_on=TODAY, amount_fen=20_000)
    payment_post(
        loan=case.loan,
        external_id="P-WAIVE",
        paid_on=D(2026, 12, 2),
        amount_fen=5_000,
        channel=Payment.Channel.WAIVER,
    )
    payment_post(loan=case.loan, external_id="P-AFTER", paid_on=D(2026, 12, 2), amount_fen=30_000)
    got = sorted(p.external_id for p in selectors.recoveries(user=people["mia"]))
    assert got == ["P-AFTER", "P-LATE"]
    [row] = selectors.ledger(user=people["mia"])
    assert row.recovered_fen == 50_000


def test_written_off_totals_by_product_and_region_and_scope(people, case):
    far = overdue_loan(people, "L-FAR", county="远县")
    propose_ids = ("L-WO", "L-FAR")
    writeoff_decide(
        propose(people, ids=propose_ids), actor=people["alice"], approve=True, today=TODAY
    )
    payment_post(loan=far, external_id="P-FAR", paid_on=D(2026, 12, 1), amount_fen=12_345)
    rows = selectors.written_off_totals(people["mia"], TODAY, D(2026, 12, 31), group_by="region")
    assert [
        (r["key"], r["loans_written_off"], r["written_off_total"], r["recovered"]) for r in rows
    ] == [
        ("某县", 1, 1_131_500, 0),
        ("远县", 1, 1_131_500, 12_345),
    ]
    [by_loan] = selectors.written_off_totals(people["mia"], D(2026, 12, 1), None, group_by="loan")
    assert (by_loan["key"], by_loan["recovered_penalty"]) == ("L-FAR", 12_345)
    # A collector of another team sees none of it.
    assert selectors.written_off_totals(people["tina"], None, None) == []


def test_approval_reads_the_loans_again_and_refuses_one_paid_meanwhile(people, case):
    proposal = propose(people)
    payment_post(loan=case.loan, external_id="P-ALL", paid_on=TODAY, amount_fen=1_131_500)
    with pytest.raises(WriteOffConflict, match="L-WO owes nothing"):
        writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    assert (WriteOffProposal.objects.get().status, Loan.objects.get(pk=case.loan_id).status) == (
        "pending",
        "paid_off",
    )
