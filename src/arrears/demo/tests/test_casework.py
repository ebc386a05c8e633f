"""The demo's case work: every situation of issue 4 is in a small demo, made by the services."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from arrears.activities.errors import ContactRefused
from arrears.activities.models import Activity
from arrears.activities.services import activity_log
from arrears.book.models import Borrower, Charge, Payment
from arrears.cases.holds import case_holds, debtor_statuses
from arrears.cases.models import Case, Complaint, DeathReport, Whereabouts
from arrears.cases.selectors import case_profile_suggestion
from arrears.core.dates import local_zone
from arrears.core.models import AuditEntry, User
from arrears.core.scoping import cases_for
from arrears.demo.casework import SHOWCASE_LABELS, SITUATIONS, demo_casework, showcase
from arrears.demo.files import tiny_png, tiny_wav
from arrears.demo.generator import book_models, book_reset
from arrears.demo.tests.conftest import AS_OF
from arrears.documents.models import Document
from arrears.documents.storage import sniff
from arrears.eod.models import EodRun
from arrears.notices.models import Notice
from arrears.plans.models import Plan
from arrears.promises.models import Promise

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(demo_book):
    """The 400-loan demo book with its three weeks of case work."""
    return demo_casework(as_of=AS_OF, seed=7)


def _counts(qs, column: str) -> dict:
    return dict(qs.values_list(column).annotate(n=Count("id")))


def test_the_work_goes_through_the_services_without_a_refusal(worked):
    assert worked.errors == []
    assert worked.skipped == []
    assert worked.cases == sum(s.count for s in SITUATIONS) >= 25
    # Each activity was written by activity_log with its audit entry, by a demo user.
    assert Activity.objects.count() == worked.activities
    logged = AuditEntry.objects.filter(event__in=["activity.log", "activity.correct"])
    assert logged.count() == worked.activities
    assert not Activity.objects.filter(created_by__isnull=True).exists()
    assert set(Activity.objects.values_list("source", flat=True)) == {"cli"}
    # End-of-day ran on the first day, the checkpoints, the eve (whose run builds the as-of
    # day's queues) and the as-of date, in that order.
    days = list(EodRun.objects.filter(status="done").order_by("id").values_list("as_of", flat=True))
    assert days == sorted(days) and days[0] == AS_OF - dt.timedelta(days=21)
    assert days[-2:] == [AS_OF - dt.timedelta(days=1), AS_OF] and len(days) == 5


def test_activities_cover_every_channel_many_outcomes_a_correction_and_reasons(worked):
    channels = _counts(Activity.objects, "channel")
    assert set(channels) == {"call", "sms", "letter", "visit", "email", "other"}
    outcomes = set(Activity.objects.values_list("outcome", flat=True))
    assert {
        "right_party_contact",
        "no_answer",
        "busy",
        "wrong_number",
        "promise_to_pay",
        "refusal",
        "dispute_raised",
        "hardship",
        "reported_deceased",
        "moved_away",
        "third_party",
    } <= outcomes
    # The field visit with its photo (the revival script's visit has none).
    visit = Activity.objects.get(channel="visit", documents__category__code="visit_photo")
    assert Activity.objects.filter(channel="visit", participants__lt=2).count() == 0
    assert visit.participants == 2 and visit.recording_ref
    assert visit.documents.filter(category__code="visit_photo").exists()
    correction = Activity.objects.get(corrects__isnull=False)
    assert (correction.corrects.outcome, correction.outcome) == ("no_answer", "busy")
    assert correction.occurred_at == correction.corrects.occurred_at
    reasons = set(
        Activity.objects.exclude(default_reason="").values_list("default_reason", flat=True)
    )
    assert {"negligence", "lack_of_funds", "dispute", "willful", "deceased"} <= reasons
    # Times are within the contact hours of the borrower's day (08:00–22:00 Beijing time).
    for at in Activity.objects.values_list("occurred_at", flat=True):
        assert 8 <= at.astimezone(local_zone()).hour < 22, at


def test_promises_are_kept_partly_kept_broken_with_the_fee_and_pending(worked):
    statuses = _counts(Promise.objects, "status")
    assert statuses.get("kept", 0) >= 3
    assert statuses.get("partly_kept", 0) >= 1
    assert statuses.get("broken", 0) >= 3
    assert statuses.get("pending", 0) >= 1
    kept = Promise.objects.filter(status="kept").first()
    assert kept.paid_fen >= kept.amount_fen and kept.judged_on <= AS_OF
    partly = Promise.objects.filter(status="partly_kept").first()
    assert 0 < partly.paid_fen < partly.amount_fen
    # The standard product charges 50 yuan for a broken promise and flags the borrower.
    fees = Charge.objects.filter(kind=Charge.Kind.BROKEN_PROMISE)
    assert fees.exists() and set(fees.values_list("amount_fen", flat=True)) == {5000}
    broken = Promise.objects.filter(status="broken", fee_charge__isnull=False).first()
    assert broken.loan.product.broken_promise_fee_fen == 5000
    assert Borrower.objects.get(pk=broken.borrower_id).negative_credit_on is not None
    pending = Promise.objects.filter(status="pending").first()
    assert pending.promised_on > AS_OF
    # Two broken promises: the record suggests the serial promiser.
    serial = (
        Promise.objects.filter(status="broken")
        .values("borrower_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
    )
    assert serial.exists()
    case = Case.objects.filter(borrower_id=serial[0]["borrower_id"]).first()
    assert case_profile_suggestion(case).code == "serial_promiser"


def test_plans_in_every_state_and_the_settlement_closes_the_case_as_settled(worked):
    statuses = _counts(Plan.objects, "status")
    for status in ("pending_approval", "active", "broken", "completed", "rejected"):
        assert statuses.get(status, 0) >= 1, status
    pending = Plan.objects.get(status="pending_approval")
    assert pending.awaiting_role == "team_lead" and pending.discount_fen > 0
    assert pending.created_by.role != "team_lead"  # beyond the proposer's own authority
    broken = Plan.objects.get(status="broken")
    assert broken.broken_on <= AS_OF
    assert Case.objects.get(pk=broken.case_id).escalation == "broken_plan"
    settled = Plan.objects.get(status="completed")
    assert settled.kind == "settlement" and settled.discount_fen > 0
    waiver = Payment.objects.get(pk=settled.waiver_payment_id)
    assert waiver.channel == "waiver" and waiver.external_id == f"WAIVE-{settled.pk}"
    case = Case.objects.get(pk=settled.case_id)
    assert (case.status, case.close_reason) == ("closed", "settled")
    rejected = Plan.objects.get(status="rejected")
    assert rejected.history.filter(action="rejected").exists()


def test_types_complaints_legal_track_deaths_and_whereabouts(worked):
    typed = Case.objects.exclude(debtor_type=None)
    assert typed.count() >= 4
    assert typed.filter(debtor_type_set_by__isnull=False).count() == typed.count()
    differs = [
        c
        for c in typed
        if (s := case_profile_suggestion(c)) is not None and s.code != c.debtor_type.code
    ]
    assert {case_profile_suggestion(c).code for c in differs} >= {"serial_promiser"}
    worked_cases = Case.objects.filter(activities__isnull=False).distinct()
    suggestions = {getattr(case_profile_suggestion(c), "code", None) for c in worked_cases}
    assert {"evasive", "serial_promiser", "victim", "stubborn"} <= suggestions

    open_complaint = Complaint.objects.get(status="open")
    held = open_complaint.case
    assert "dispute" in case_holds(held)
    with pytest.raises(ContactRefused):
        activity_log(
            case=held,
            channel="call",
            outcome="no_answer",
            occurred_at=dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC),
            actor=User.objects.get(username="manager"),
            source="web",
        )
    resolved = Complaint.objects.get(status="resolved")
    assert resolved.resolution and resolved.resolved_by.role in ("team_lead", "manager")

    legal = Case.objects.filter(escalation="legal_track")
    assert legal.filter(activities__default_reason="willful").exists()
    assert legal.filter(documents__category__code="court_document").exists()

    unverified = DeathReport.objects.get(outcome="unverified")
    assert "death_verification" in case_holds(unverified.case)
    confirmed = DeathReport.objects.get(outcome="confirmed")
    estate = confirmed.case
    assert estate.estate_handling and estate.estate_party_repays is True
    assert estate.estate_party_name and estate.estate_agreed_fen > 0
    assert "deceased" in debtor_statuses(estate)
    assert confirmed.evidence.filter(category__code="death_certificate").exists()
    # The relative's repayment (代位清偿) reached the book after the death was confirmed.
    assert Payment.objects.filter(loan=estate.loan, paid_on__gt=confirmed.decided_on).exists()

    moved = Whereabouts.objects.filter(status="moved_away").first()
    assert "打工" in moved.detail
    assert "unreachable" in debtor_statuses(moved.case)


def test_documents_on_borrower_loan_and_case_and_notices_served_and_signed(worked):
    documents = Document.objects.all()
    assert documents.filter(case__isnull=True, loan__isnull=True).exists()  # on the borrower
    assert documents.filter(case__isnull=True, loan__isnull=False).exists()  # on the loan
    categories = set(documents.filter(case__isnull=False).values_list("category__code", flat=True))
    assert {
        "payment_receipt",
        "visit_photo",
        "call_recording",
        "death_certificate",
        "court_document",
        "notice",
        "notice_receipt",
        "other",
    } <= categories
    notices = Notice.objects.all()
    assert notices.count() >= 3
    assert notices.filter(served_on__isnull=True).exists()  # issued, not yet served
    assert notices.filter(served_method="post", delivered_on__isnull=False).exists()
    # Signed on the field visit (served in person), and on the revived time-barred debt.
    signed = notices.get(signed_on__isnull=False, served_method="in_person")
    assert signed.receipt.category.code == "notice_receipt"


def test_the_demo_shows_a_revived_debt_a_recorded_opt_out_and_a_released_guarantor(worked):
    from arrears.activities.models import RecordedFact
    from arrears.eod.selectors import loan_state

    notice = Notice.objects.get(served_method="post", signed_on__isnull=False)
    state = loan_state(notice.loan)
    assert state.time_barred is False  # revived by the borrower's signature
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    page = client.get(f"/cases/{notice.case_id}/").content.decode()
    assert f"revived: borrower signed notice {notice.number}" in page or "重新起算" in page
    assert RecordedFact.objects.filter(kind="opt_out", channel="sms").exists()
    released = next(r for r in showcase() if r.key == "guarantor_released")
    page = client.get(f"/cases/{released.case_id}/").content.decode()
    assert "released" in page or "免责" in page


def test_demo_users_find_every_situation(worked):
    rows = showcase()
    assert [r.key for r in rows] == list(SHOWCASE_LABELS)
    collector1 = User.objects.get(username="collector1")
    lead1 = User.objects.get(username="lead1")
    mine = set(cases_for(collector1).filter(activities__isnull=False).values_list("pk", flat=True))
    assert len(mine) >= 3
    assert cases_for(lead1).filter(plans__status="pending_approval").exists()
    for r in rows:
        assert r.url.startswith(f"/cases/{r.case_id}/")
    # The pages open for the people the list names.
    client = Client()
    for r in rows:
        username = r.seen_by[0] if r.seen_by else "manager"
        client.force_login(User.objects.get(username=username))
        assert client.get(f"/cases/{r.case_id}/").status_code == 200, (r.key, username)
    client.force_login(lead1)
    pending = Plan.objects.get(status="pending_approval")
    assert pending.loan.external_id in client.get("/plans/awaiting/").content.decode()
    out = StringIO()
    call_command("demo_users", stdout=out)
    text = out.getvalue()
    assert "Case work to look at" in text
    assert "承诺已履行" in text and "/plans/awaiting/" in text


def test_rerunning_the_demo_with_reset_gives_the_same_case_work(db):
    def run() -> tuple:
        # Compared by loan ID: on PostgreSQL inside a test's transaction the reset deletes
        # rather than truncates, so case ids do not start again at 1.
        out, err = StringIO(), StringIO()
        call_command(
            "demo",
            "--loans",
            "400",
            "--seed",
            "7",
            "--reset",
            "--as-of",
            AS_OF.isoformat(),
            stdout=out,
            stderr=err,
        )
        assert "case work on" in out.getvalue()
        assert err.getvalue() == ""
        return (
            # Notice numbers go on counting after a reset (a number is never given twice).
            [
                (loan, outcome, re.sub(r"CN-\d{4}-\d{6}", "CN-…", note))
                for loan, outcome, note in Activity.objects.order_by("id").values_list(
                    "loan__external_id", "outcome", "note"
                )
            ],
            list(
                Promise.objects.order_by("id").values_list(
                    "loan__external_id", "amount_fen", "status"
                )
            ),
            list(
                Plan.objects.order_by("id").values_list(
                    "loan__external_id", "status", "agreed_total_fen"
                )
            ),
        )

    first = run()
    assert first[0] and first[1] and first[2]
    assert run() == first
    book_reset()
    for model in book_models():
        assert not model.objects.exists(), model


def test_the_generated_files_are_what_they_say():
    assert sniff(tiny_png("identity")) == "image/png"
    assert tiny_png("receipt", 1) != tiny_png("receipt", 2)
    assert sniff(tiny_wav()) == "audio/wav"


def test_no_casework_runs_the_daily_cycle_once(db):
    out = StringIO()
    call_command("demo", "--loans", "60", "--as-of", AS_OF.isoformat(), "--no-casework", stdout=out)
    assert f"daily cycle for {AS_OF}" in out.getvalue()
    assert not Activity.objects.exists()
    assert list(EodRun.objects.values_list("as_of", flat=True)) == [AS_OF]
