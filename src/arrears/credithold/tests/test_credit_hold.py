"""The credit hold list and its check: reasons, the masked audit, and the single-purpose role
that reaches the check and nothing else."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client

from arrears.api.tests.conftest import ApiClient
from arrears.book.models import Loan
from arrears.core.models import AuditEntry
from arrears.core.roles import Role
from arrears.reports.registry import report_run
from arrears.reports.tests.conftest import loan_with_case
from arrears.testing import PASSWORD, make_borrower, make_loan, make_user


@pytest.fixture
def hold_book(people):
    # Held: an open case; a written-off loan; a negative-credit flag. Clear: a current loan.
    delinquent, _ = loan_with_case("L-DQ", collector=people["carl"], team=people["tom"].team)
    # Written off through the write-off services (a manager proposes, an admin approves);
    # its case stays open (账销案存), so it is a delinquency too.
    from arrears.writeoff.services import writeoff_decide, writeoff_propose

    written, _ = loan_with_case("L-WO", team=people["tina"].team)
    proposal = writeoff_propose(
        actor=people["mia"],
        loan_ids=["L-WO"],
        reason_code="loss_class",
        reason="损失类",
        today=dt.date(2026, 11, 20),
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=dt.date(2026, 11, 20))
    written.refresh_from_db()
    assert written.status == Loan.Status.WRITTEN_OFF
    flagged = make_borrower(external_id="B-NEG", negative_credit_on=dt.date(2026, 11, 1))
    make_loan(external_id="L-NEG", borrower=flagged, team=people["tina"].team)
    clear = make_loan(external_id="L-OK", team=people["tom"].team)
    return {
        "delinquent": delinquent.borrower,
        "written": written.borrower,
        "flagged": flagged,
        "clear": clear.borrower,
    }


@pytest.fixture
def checker(db):
    return make_user("origination", Role.CREDIT_CHECK)


def _token(user) -> ApiClient:
    from arrears.core.models import ApiToken

    _t, raw = ApiToken.issue(user, name="origination")
    return ApiClient(None, raw_token=raw)


@pytest.mark.django_db
def test_the_list_names_each_borrower_and_reason(hold_book, people):
    _r, _q, data = report_run("credit-hold", user=None, raw={"as_of": "2026-11-30"})
    reasons = {b["borrower"]: b["reasons"] for b in data["borrowers"]}
    assert reasons == {
        hold_book["delinquent"].external_id: ["open_delinquency"],
        hold_book["written"].external_id: ["open_delinquency", "written_off"],
        "B-NEG": ["negative_credit"],
    }
    masked = {b["id_number"] for b in data["borrowers"]}
    assert hold_book["written"].id_number not in masked
    assert all("*" in m for m in masked)
    _r, _q, tom = report_run("credit-hold", user=people["tom"], raw={})
    assert [b["borrower"] for b in tom["borrowers"]] == [hold_book["delinquent"].external_id]


@pytest.mark.django_db
def test_check_answers_yes_with_reasons_and_no(hold_book, checker, caplog):
    api = _token(checker)
    number = hold_book["written"].id_number
    with caplog.at_level(logging.DEBUG):
        yes = api.post("/credit-hold/check", {"id_number": number.lower()})
    assert yes.status_code == 200, yes.content
    assert yes.json()["hold"] is True and yes.json()["known"] is True
    assert [r["code"] for r in yes.json()["reasons"]] == ["open_delinquency", "written_off"]
    assert number not in yes.content.decode()
    assert number not in caplog.text
    no = api.post("/credit-hold/check", {"id_number": hold_book["clear"].id_number})
    assert no.json() == {"hold": False, "known": True, "reasons": []}
    unknown = api.post("/credit-hold/check", {"id_number": "11010519491231002X"})
    assert unknown.json() == {"hold": False, "known": False, "reasons": []}
    entries = list(AuditEntry.objects.filter(event="credit_hold.check").order_by("id"))
    assert len(entries) == 3
    assert entries[0].object_id == number[:4] + "*" * 10 + number[-4:]
    assert entries[0].after == {
        "hold": True,
        "known": True,
        "reasons": ["open_delinquency", "written_off"],
    }
    for e in entries:
        assert number not in str(e.object_id) + str(e.after)


@pytest.mark.django_db
def test_check_refuses_a_bad_number_without_echoing_it(checker):
    api = _token(checker)
    bad = api.post("/credit-hold/check", {"id_number": "110105194912310021"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "id_number"
    assert "110105194912310021" not in bad.content.decode()
    assert api.post("/credit-hold/check", {}).status_code == 422


@pytest.mark.django_db
def test_the_credit_check_role_reaches_nothing_else(hold_book, checker, people):
    api = _token(checker)
    for path in ("/loans", "/borrowers", "/cases", "/reports", "/reports/credit-hold", "/me"):
        assert api.get(path).status_code == 403, path
    assert api.post("/promises", {}).status_code == 403
    # No web sign-in, and no session of such a user is honoured.
    web = Client()
    assert not web.login(username="origination", password=PASSWORD)
    web.force_login(checker)
    for url in ("/", "/loans/", "/reports/", "/reports/credit-hold/"):
        assert web.get(url).status_code == 302, url
    # Other roles: managers may check, collectors and auditors may not.
    assert (
        ApiClient(people["mia"])
        .post("/credit-hold/check", {"id_number": hold_book["clear"].id_number})
        .status_code
        == 200
    )
    assert (
        ApiClient(people["carl"])
        .post("/credit-hold/check", {"id_number": hold_book["clear"].id_number})
        .status_code
        == 403
    )
    assert (
        ApiClient(people["aud"])
        .post("/credit-hold/check", {"id_number": hold_book["clear"].id_number})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_a_broken_plan_and_a_past_due_loan_without_a_case_hold_too(people, checker):
    from arrears.eod.models import LoanSnapshot
    from arrears.plans.models import Plan

    D = dt.date
    planned, case = loan_with_case("L-PLAN", collector=people["carl"], team=people["tom"].team)
    Plan.objects.create(
        case=case,
        loan=planned,
        borrower=planned.borrower,
        kind="installment_plan",
        status="broken",
        proposed_on=D(2026, 9, 1),
        due_principal_fen=1_000_000,
        due_interest_fen=60_000,
        due_penalty_fen=0,
        due_fees_fen=0,
        overdue_fen=1_060_000,
        full_due_fen=1_060_000,
        agreed_total_fen=1_060_000,
        discount_fen=0,
        discount_bp=0,
        installment_count=2,
        first_due_on=D(2026, 9, 10),
        last_due_on=D(2026, 10, 10),
        term_days=40,
        term_months=2,
        created_by=people["carl"],
        accepted_on=D(2026, 9, 2),
        broken_on=D(2026, 9, 20),
    )
    case.status, case.closed_on = "closed", D(2026, 9, 1)
    case.save(update_fields=["status", "closed_on"])
    late = make_loan(external_id="L-LATE", team=people["tom"].team)
    LoanSnapshot.objects.create(
        as_of=D(2026, 11, 30),
        loan=late,
        dpd=3,
        bucket="M1",
        classification="special_mention",
        overdue_principal_fen=80_000,
        overdue_interest_fen=10_000,
        penalty_fen=0,
        fees_fen=0,
        outstanding_principal_fen=900_000,
        total_due_fen=90_000,
    )
    _r, _q, data = report_run("credit-hold", user=None, raw={})
    reasons = {b["borrower"]: b for b in data["borrowers"]}
    assert reasons[planned.borrower.external_id]["reasons"] == ["broken_plan"]
    assert reasons[late.borrower.external_id]["reasons"] == ["open_delinquency"]
    assert reasons[late.borrower.external_id]["total_due"] == "900.00"
    answer = _token(checker).post("/credit-hold/check", {"id_number": planned.borrower.id_number})
    assert [r["code"] for r in answer.json()["reasons"]] == ["broken_plan"]
    assert answer.json()["hold"] is True
