"""The issue's worked example through the real notice path: a notice delivered after expiry
revives nothing; the borrower's signature on it does (SPC limitation provisions art. 19)."""

import datetime as dt

import pytest

from arrears.compliance.rules import Step, may_schedule_step
from arrears.eod.selectors import loan_limitation, loan_state
from arrears.eod.services import eod_run
from arrears.notices.models import Notice
from arrears.notices.services import notice_deliver, notice_serve, notice_sign
from arrears.notices.tests.conftest import JPEG_BYTES
from arrears.testing import make_borrower, make_loan

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def old_case(people):
    from arrears.documents.tests.conftest import make_case

    loan = make_loan(
        external_id="L-OLD",
        borrower=make_borrower(external_id="B-LI", name="李四"),
        method="bullet",
        term_months=6,
        disbursed_on=D(2019, 7, 10),  # due 2020-01-10, nothing paid
        collector=people["carl"],
        team=people["tom"].team,
        field_agent=people["fay"],
    )
    return make_case(loan, opened_on=D(2020, 1, 11), bucket="M7+", dpd=1500)


def test_a_notice_delivered_after_expiry_leaves_the_debt_time_barred(
    old_case, issue, people, document_store
):
    loan = old_case.loan
    notice = issue(
        case=old_case, as_of=D(2024, 2, 26), issued_on=D(2024, 2, 26), pay_by=D(2024, 3, 31)
    )
    notice = notice_serve(
        notice=notice, method="post", served_on=D(2024, 2, 27), actor=people["fay"]
    )
    notice_deliver(notice=notice, delivered_on=D(2024, 3, 1), actor=people["fay"])
    eod_run(as_of=D(2024, 6, 1))
    state = loan_state(loan)
    # 2020-01-10 + 3 years = 2023-01-10: time-barred since 2023-01-11, the notice notwithstanding.
    assert (state.limitation_deadline, state.time_barred) == (D(2023, 1, 10), True)
    story = loan_limitation(loan, as_of=D(2024, 6, 1))
    assert story.barred_since == D(2023, 1, 11)
    assert [s.effect for s in story.steps] == ["no_effect_expired"]
    # No lawsuit on a time-barred debt.
    from arrears.activities.facts import base_facts
    from arrears.compliance.selectors import pack_for_product

    decision = may_schedule_step(
        Step(kind="legal", on=D(2024, 6, 1)),
        base_facts(old_case),
        pack=pack_for_product(loan.product),
    )
    assert "CN.LIMITATION_NO_LEGAL" in decision.blocking_ids


def test_the_borrowers_signature_after_expiry_revives_the_debt(
    old_case, issue, people, document_store
):
    import io

    loan = old_case.loan
    notice = issue(case=old_case, as_of=D(2026, 11, 20), issued_on=D(2026, 11, 20))
    notice = notice_serve(
        notice=notice, method="in_person", served_on=D(2026, 11, 20), actor=people["fay"]
    )
    notice_sign(
        notice=Notice.objects.get(pk=notice.pk),
        signed_on=D(2026, 11, 24),
        receipt=io.BytesIO(JPEG_BYTES),
        receipt_filename="receipt.jpg",
        receipt_type="image/jpeg",
        actor=people["fay"],
    )
    eod_run(as_of=D(2026, 11, 28))
    state = loan_state(loan)
    # Revived on 2026-11-24: 2029-11-24 is a Saturday, so the new period ends Monday 2029-11-26.
    assert (state.limitation_deadline, state.time_barred) == (D(2029, 11, 26), False)
    story = loan_limitation(loan, as_of=D(2026, 11, 28))
    assert [s.effect for s in story.steps] == ["no_effect_expired", "revived"]
    assert (story.revived_by.event.ref, story.revived_by.event.event_date) == (
        notice.number,
        D(2026, 11, 24),
    )
