"""Serving, delivery and signature, and the limitation restart they cause at end of day."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from arrears.core.models import AuditEntry
from arrears.eod.models import LoanSnapshot
from arrears.eod.selectors import loan_state
from arrears.eod.services import eod_run
from arrears.notices.errors import NoticeInvalid
from arrears.notices.models import Notice
from arrears.notices.services import notice_deliver, notice_serve, notice_sign
from arrears.notices.tests.conftest import JPEG_BYTES

D = dt.date
SERVED_ON = D(2026, 11, 21)
SIGNED_ON = D(2026, 11, 25)
pytestmark = pytest.mark.django_db


def serve(notice, actor, method="post", served_on=SERVED_ON, **kw):
    return notice_serve(notice=notice, method=method, served_on=served_on, actor=actor, **kw)


def sign(notice, actor, signed_on=SIGNED_ON, data=JPEG_BYTES, name="回执.jpg"):
    return notice_sign(
        notice=notice,
        signed_on=signed_on,
        receipt=io.BytesIO(data),
        receipt_filename=name,
        receipt_type="image/jpeg",
        actor=actor,
    )


def test_served_by_post_is_not_yet_delivered(issue, people):
    notice = serve(issue(), people["fay"])
    assert (notice.served_method, notice.served_on, notice.served_by) == (
        "post",
        D(2026, 11, 21),
        people["fay"],
    )
    assert notice.delivered_on is None and notice.state == "served"
    notice = notice_deliver(notice=notice, delivered_on=D(2026, 11, 23), actor=people["carl"])
    assert (notice.delivered_on, notice.state) == (D(2026, 11, 23), "delivered")
    assert list(
        AuditEntry.objects.filter(object_type="notice").values_list("event", flat=True)
    ) == ["notice.issue", "notice.serve", "notice.deliver"]


def test_served_in_person_or_by_public_notice_is_delivered_that_day(issue, people):
    in_person = serve(issue(), people["fay"], method="in_person")
    public = serve(issue(), people["lee"], method="public_notice", served_on=D(2026, 11, 22))
    assert in_person.delivered_on == D(2026, 11, 21)
    assert public.delivered_on == D(2026, 11, 22)


def test_signing_files_the_receipt_on_the_case(issue, case, people):
    notice = sign(serve(issue(), people["fay"], method="in_person"), people["fay"])
    assert (notice.signed_on, notice.state) == (D(2026, 11, 25), "signed")
    receipt = notice.receipt
    assert (receipt.category.code, receipt.case, receipt.filename) == (
        "notice_receipt",
        case,
        "回执.jpg",
    )
    assert AuditEntry.objects.get(event="notice.sign").after == {
        "signed_on": "2026-11-25",
        "receipt": receipt.pk,
    }


@pytest.mark.parametrize(
    ("steps", "field", "code"),
    [
        (["sign"], "signed_on", "not_served"),
        (["deliver"], "delivered_on", "not_served"),
        (["serve", "serve"], "served_on", "already_served"),
        (["serve_early"], "served_on", "served_before_issue"),
        (["serve", "sign_early"], "signed_on", "signed_before_served"),
        (["serve", "deliver_early"], "delivered_on", "delivered_before_served"),
        (["serve", "sign", "sign"], "signed_on", "already_signed"),
        (["serve", "sign_pdf_as_jpeg"], "receipt", "extension_mismatch"),
    ],
)
def test_steps_out_of_order_are_refused_on_their_field(issue, people, steps, field, code):
    from arrears.notices.tests.conftest import PDF_BYTES

    notice = issue()
    actor = people["fay"]
    actions = {
        "serve": lambda n: serve(n, actor),
        "serve_early": lambda n: serve(n, actor, served_on=D(2026, 11, 19)),
        "deliver": lambda n: notice_deliver(notice=n, delivered_on=D(2026, 11, 22), actor=actor),
        "deliver_early": lambda n: notice_deliver(
            notice=n, delivered_on=D(2026, 11, 20), actor=actor
        ),
        "sign": lambda n: sign(n, actor),
        "sign_early": lambda n: sign(n, actor, signed_on=D(2026, 11, 20)),
        "sign_pdf_as_jpeg": lambda n: sign(n, actor, data=PDF_BYTES),
    }
    with pytest.raises(NoticeInvalid) as exc:
        for step in steps:
            notice = actions[step](notice)
    assert (exc.value.code, exc.value.field) == (code, field)


def test_dates_in_the_future_are_refused(issue, people):
    from arrears.core.dates import local_today

    tomorrow = local_today() + dt.timedelta(days=1)
    with pytest.raises(NoticeInvalid) as exc:
        serve(issue(), people["fay"], served_on=tomorrow)
    assert (exc.value.code, exc.value.field) == ("served_on_in_future", "served_on")


def test_a_signed_notice_restarts_the_limitation_period(issue, late_loan, people):
    """RULES.md: a demand that reached the debtor starts a full new period from that day."""
    as_of = D(2026, 11, 28)

    def deadline():
        eod_run(as_of=as_of)
        return loan_state(late_loan).limitation_deadline

    # Anchored on the last due date (2026-07-10): three years later.
    assert deadline() == D(2029, 7, 10)
    notice = issue()
    assert deadline() == D(2029, 7, 10)  # issued is not served
    notice = serve(notice, people["fay"], method="post")
    assert deadline() == D(2029, 7, 10)  # posted is not yet delivered
    notice = sign(notice, people["fay"], signed_on=D(2026, 11, 25))
    # No delivery day on record: signed for on 2026-11-25, it reached the debtor that day at
    # the latest. 2029-11-25 is a Sunday, so the period ends on Monday 2029-11-26 (art. 203).
    assert deadline() == D(2029, 11, 26)
    snapshot = LoanSnapshot.objects.get(as_of=as_of, loan=late_loan)
    assert (snapshot.limitation_deadline, snapshot.time_barred) == (D(2029, 11, 26), False)
    # A back-dated run before the signature does not see it.
    eod_run(as_of=D(2026, 11, 24))
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 24), loan=late_loan).limitation_deadline == D(
        2029, 7, 10
    )


def test_a_delivered_notice_restarts_it_from_the_delivery_day(issue, late_loan, people):
    notice = serve(issue(), people["fay"], method="courier", delivered_on=D(2026, 11, 23))
    eod_run(as_of=D(2026, 11, 28))
    assert loan_state(late_loan).limitation_deadline == D(2029, 11, 23)
    # Signed later than delivered: the notice interrupted when it reached the debtor (Civil
    # Code art. 195, SPC limitation provisions art. 8); while the period runs the later
    # signature adds nothing (it matters only after expiry, art. 19).
    sign(Notice.objects.get(pk=notice.pk), people["fay"], signed_on=D(2026, 11, 26))
    eod_run(as_of=D(2026, 11, 28))
    assert loan_state(late_loan).limitation_deadline == D(2029, 11, 23)
