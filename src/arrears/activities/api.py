"""Activities over HTTP (mounted at /api/v1/activities/).

Thin: parse, call arrears.activities.services / selectors with the requesting user, shape the
answer. A case or activity outside the user's scope is a 404, the same as a missing ID; a role
that may not log is a 403; bad input is a 422 naming the field; a contact the rule pack blocks
is a 409 with one error per blocking rule, `code` being the rule id (e.g. CN.CONTACT_HOURS) and
`field` "occurred_at" when the rule is about the time. Numbers are shown masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AfterValidator

from arrears.activities import selectors, services
from arrears.activities.errors import ActivityInvalid
from arrears.activities.models import (
    Activity,
    Channel,
    DefaultReason,
    Direction,
    Outcome,
    Purpose,
    RecordedFact,
)
from arrears.api.access import require
from arrears.api.errors import error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    PageMeta,
    SafeText,
    amount_fen,
    api_enum,
    page_of,
)
from arrears.core.models import User
from arrears.core.scoping import show_phone

ActivityChannel = api_enum(Channel, "ActivityChannel")
ActivityOutcome = api_enum(Outcome, "ActivityOutcome")
ActivityDirection = api_enum(Direction, "ActivityDirection")
ActivityPurpose = api_enum(Purpose, "ActivityPurpose")

router = Router(tags=["activities"])


def _note_text(value: str) -> str:
    # Notes keep their line breaks; other control characters (and NUL) are refused.
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value) or "\x7f" in value:
        raise ValueError("must not contain control characters other than line breaks")
    return value


NoteText = Annotated[str, Field(max_length=services.NOTE_MAX), AfterValidator(_note_text)]


# --- schemas --------------------------------------------------------------------------------


class RuleNote(Schema):
    rule_id: str
    message: str = Field(description="the reason, in English")
    message_zh: str


class ActivityOut(Schema):
    id: int
    case_id: int
    loan_id: str
    channel: ActivityChannel
    direction: ActivityDirection
    target_kind: str = Field(description="borrower, guarantor or third_party (from the pack)")
    contact_id: int | None
    guarantor_id: int | None
    relation: str
    number: str = Field(description="the number used, masked (138****5678)")
    purpose: ActivityPurpose
    occurred_at: dt.datetime
    duration_seconds: int | None
    outcome: ActivityOutcome
    connected: bool
    default_reason: str
    note: str
    participants: int | None
    recording_ref: str
    next_action_at: dt.datetime | None = Field(description="the callback set with this entry")
    corrects: int | None = Field(description="the entry this one corrects")
    corrected_by: int | None = Field(description="the entry that replaced this one, if any")
    source: str
    created_by: str | None
    created_at: dt.datetime
    warnings: list[RuleNote] = Field(description="warnings of the rule pack, saved with it")
    overridden: list[RuleNote] = Field(description="blocking rules overridden, with a reason")
    documents: list[int]

    @staticmethod
    def resolve_loan_id(obj: Activity) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_number(obj: Activity, context) -> str:
        return show_phone(context["request"].user, obj.number)

    @staticmethod
    def resolve_corrects(obj: Activity) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_corrected_by(obj: Activity) -> int | None:
        return next((c.pk for c in obj.corrections.all()), None)

    @staticmethod
    def resolve_created_by(obj: Activity) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_warnings(obj: Activity) -> list[dict]:
        return [
            {"rule_id": w["rule_id"], "message": w["en"], "message_zh": w["zh"]}
            for w in obj.warnings
        ]

    @staticmethod
    def resolve_overridden(obj: Activity) -> list[dict]:
        return [
            {"rule_id": w["rule_id"], "message": w["en"], "message_zh": w["zh"]}
            for w in obj.overridden
        ]

    @staticmethod
    def resolve_documents(obj: Activity) -> list[int]:
        return [d.pk for d in obj.documents.all()]


class ActivityPage(PageMeta):
    items: list[ActivityOut]


class ActivityIn(Schema):
    """One contact attempt or action. `contact` or `guarantor` names who was reached (neither:
    the borrower); `number` defaults to their phone for calls and texts, and a number alone
    is matched against the numbers on file."""

    case: int = Field(ge=1, description="the case ID")
    channel: ActivityChannel
    outcome: ActivityOutcome
    occurred_at: dt.datetime = Field(description="with its time zone, e.g. 2026-11-28T15:30+08:00")
    direction: ActivityDirection = Direction.OUTBOUND
    contact: int | None = Field(None, ge=1, description="a contact of the borrower")
    guarantor: int | None = Field(None, ge=1, description="a guarantor of the case's loan")
    number: SafeText(32) = ""
    purpose: ActivityPurpose = Purpose.COLLECT
    duration_seconds: int | None = Field(None, ge=0, le=services.MAX_DURATION_SECONDS)
    default_reason: DefaultReason | Literal[""] = ""
    note: NoteText = ""
    participants: int | None = Field(None, ge=1, le=services.MAX_PARTICIPANTS)
    recording_ref: SafeText(services.RECORDING_REF_MAX) = ""
    next_action_at: dt.datetime | None = Field(
        None, description="a callback: when to act on the case next, with its time zone"
    )
    corrects: int | None = Field(None, ge=1, description="the entry of the same case corrected")
    override_reason: SafeText(1000) = Field(
        "", description="to override blocking rules your role may override (≥ 10 characters)"
    )
    documents: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, max_length=20, description="IDs of documents filed on the borrower"
    )
    promise_amount: AmountIn | None = Field(
        None, description="with outcome promise_to_pay: the amount promised"
    )
    promised_on: dt.date | None = Field(None, description="the date the amount is promised for")


class ActivityFilters(Schema):
    case: int | None = Field(None, ge=1, description="only this case's entries")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- endpoints ------------------------------------------------------------------------------


def _case(user: User, case_id: int):
    from arrears.cases.selectors import case_for_user

    try:
        return case_for_user(user, case_id)
    except Http404:
        raise not_found("case") from None


def _with_details(qs):
    return qs.prefetch_related("documents", "corrections")


def _activity(user: User, pk: int) -> Activity:
    activity = selectors.activity_for_user(user, pk)
    if activity is None:
        raise not_found("activity")
    return activity


@router.get("", response={200: ActivityPage, **error_responses(404)}, summary="List activities")
def activity_list(request: HttpRequest, filters: Query[ActivityFilters]):
    """Activities on cases you may see, newest first (every version: a corrected entry has
    `corrected_by`); `case` narrows to one case (404 if you may not see it)."""
    user: User = request.user
    qs = _with_details(selectors.activities_for(user)).order_by("-occurred_at", "-id")
    if filters.case is not None:
        qs = qs.filter(case=_case(user, filters.case))
    return page_of(qs, filters.page, filters.page_size)


@router.get(
    "/{int:activity_id}", response={200: ActivityOut, **error_responses(404)}, summary="One"
)
def activity_detail(request: HttpRequest, activity_id: int):
    """One activity (404 when it does not exist or its case is not yours to see)."""
    return _activity(request.user, activity_id)


@router.post(
    "", response={201: ActivityOut, **error_responses(403, 404, 409)}, summary="Log an activity"
)
def activity_create(request: HttpRequest, payload: ActivityIn):
    """Log a contact attempt or action. The case's rule pack is asked first: a blocked contact
    is a 409 listing the rules (code = rule id) and nothing is saved; warnings are saved with
    the entry. With outcome promise_to_pay, `promise_amount` and `promised_on` record the
    promise in the same transaction."""
    from arrears.book.models import Contact, Guarantor

    user = require(request, services.WORK_CAPABILITY, "log activities")
    case = _case(user, payload.case)
    contact = guarantor = corrects = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact, borrower_id=case.borrower_id).first()
        if contact is None:
            raise ActivityInvalid("contact", "no such contact of the case's borrower")
    if payload.guarantor is not None:
        guarantor = Guarantor.objects.filter(pk=payload.guarantor, loan_id=case.loan_id).first()
        if guarantor is None:
            raise ActivityInvalid("guarantor", "no such guarantor of the case's loan")
    if payload.corrects is not None:
        corrects = selectors.activities_for(user).filter(pk=payload.corrects, case=case).first()
        if corrects is None:
            raise ActivityInvalid("corrects", "no such entry on this case")
    documents = []
    if payload.documents:
        from arrears.documents.selectors import documents_for

        found = {d.pk: d for d in documents_for(user).filter(pk__in=payload.documents)}
        missing = [pk for pk in payload.documents if pk not in found]
        if missing:
            raise ActivityInvalid("documents", f"no such document: {missing[0]}")
        documents = [found[pk] for pk in dict.fromkeys(payload.documents)]
    with translation.override("en"):  # API messages are English, as elsewhere in the API
        activity = _log(request, user, case, payload, contact, guarantor, corrects, documents)
    return Status(201, _activity(user, activity.pk))


def _log(request, user, case, payload: ActivityIn, contact, guarantor, corrects, documents):
    from arrears.core.audit import request_ip

    return services.outcome_log(
        case=case,
        channel=payload.channel,
        outcome=payload.outcome,
        occurred_at=payload.occurred_at,
        actor=user,
        source="api",
        direction=payload.direction,
        contact=contact,
        guarantor=guarantor,
        number=payload.number,
        purpose=payload.purpose,
        duration_seconds=payload.duration_seconds,
        default_reason=payload.default_reason,
        note=payload.note,
        participants=payload.participants,
        recording_ref=payload.recording_ref,
        next_action_at=payload.next_action_at,
        corrects=corrects,
        override_reason=payload.override_reason,
        documents=documents,
        promise_amount_fen=amount_fen(payload.promise_amount)
        if payload.promise_amount is not None
        else None,
        promised_on=payload.promised_on,
        ip=request_ip(request),
    )


# --- recorded facts and guarantees (activities.recorded, activities.guarantees) -------------

FactKind = api_enum(RecordedFact.Kind, "FactKind")


class FactIn(Schema):
    case: int
    kind: FactKind  # type: ignore[valid-type]
    on: dt.date = Field(description="the day it happened (not in the future)")
    contact: int | None = Field(None, description="third_party_refused: the contact who refused")
    guarantor: int | None = Field(
        None, description="guarantor_demand (required) or acknowledgement by a guarantor"
    )
    channel: ActivityChannel | None = Field(None, description="opt_out: the channel")  # type: ignore[valid-type]
    starts: dt.time | None = Field(None, description="inconvenient_time: from (local time)")
    ends: dt.time | None = Field(None, description="inconvenient_time: until")
    note: NoteText = ""


class FactOut(Schema):
    id: int
    case: int
    kind: str
    on: dt.date
    contact: int | None
    guarantor: int | None
    channel: str
    starts: dt.time | None
    ends: dt.time | None
    note: str
    recorded_by: str | None
    active: bool
    withdrawn_reason: str


class FactWithdrawIn(Schema):
    reason: SafeText(300)


class GuaranteeOut(Schema):
    guarantor: int
    name: str
    kind: Literal["joint", "general"]
    deadline: dt.date = Field(description="last day of the guarantee period")
    agreed: bool = Field(description="the period as agreed; false: six months (art. 692)")
    status: Literal["running", "claimed", "released"]
    claimed_on: dt.date | None


def _fact_out(f: RecordedFact) -> dict:
    return {
        "id": f.pk,
        "case": f.case_id,
        "kind": f.kind,
        "on": f.happened_on,
        "contact": f.contact_id,
        "guarantor": f.guarantor_id,
        "channel": f.channel,
        "starts": f.starts,
        "ends": f.ends,
        "note": f.note,
        "recorded_by": f.recorded_by.username if f.recorded_by_id else None,
        "active": f.withdrawn_at is None,
        "withdrawn_reason": f.withdrawn_reason,
    }


@router.get(
    "/facts", response={200: list[FactOut], **error_responses(404)}, summary="List recorded facts"
)
def fact_list(request: HttpRequest, case: int):
    """The facts recorded about the case's borrower (every case of theirs), newest first,
    withdrawn ones included with `active` false."""
    found = _case(request.user, case)
    qs = RecordedFact.objects.filter(borrower_id=found.borrower_id).select_related("recorded_by")
    return [_fact_out(f) for f in qs.order_by("-happened_on", "-id")]


@router.post(
    "/facts", response={201: FactOut, **error_responses(403, 404)}, summary="Record a fact"
)
def fact_create(request: HttpRequest, payload: FactIn):
    """Record a fact the rules read (an opt-out, an inconvenient time, consent outside hours, a
    third party's refusal, forbearance offered, enforcement exhausted, a written
    acknowledgement, a demand on a guarantor). Audited; a bad field is a 422 naming it."""
    from arrears.activities.recorded import fact_record
    from arrears.book.models import Contact, Guarantor
    from arrears.core.audit import request_ip

    user = require(request, services.WORK_CAPABILITY, "record facts")
    case = _case(user, payload.case)
    contact = guarantor = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact, borrower_id=case.borrower_id).first()
        if contact is None:
            raise ActivityInvalid("contact", "no such contact of the case's borrower")
    if payload.guarantor is not None:
        guarantor = Guarantor.objects.filter(pk=payload.guarantor, loan_id=case.loan_id).first()
        if guarantor is None:
            raise ActivityInvalid("guarantor", "no such guarantor of the case's loan")
    with translation.override("en"):
        fact = fact_record(
            case=case,
            kind=str(payload.kind),
            on=payload.on,
            contact=contact,
            guarantor=guarantor,
            channel=str(payload.channel) if payload.channel else "",
            starts=payload.starts,
            ends=payload.ends,
            note=payload.note,
            actor=user,
            source="api",
            ip=request_ip(request),
        )
    return Status(201, _fact_out(fact))


@router.post(
    "/facts/{fact_id}/withdraw",
    response={200: FactOut, **error_responses(403, 404)},
    summary="Withdraw a recorded fact",
)
def fact_withdraw(request: HttpRequest, fact_id: int, payload: FactWithdrawIn):
    """A fact that no longer holds (the debtor takes an opt-out back), with the reason."""
    from arrears.activities.recorded import fact_withdraw as withdraw
    from arrears.core.audit import request_ip

    user = require(request, services.WORK_CAPABILITY, "withdraw facts")
    fact = RecordedFact.objects.filter(pk=fact_id).first()
    if fact is None:
        raise not_found("fact")
    _case(user, fact.case_id)
    with translation.override("en"):
        fact = withdraw(
            fact=fact, reason=payload.reason, actor=user, source="api", ip=request_ip(request)
        )
    return _fact_out(fact)


@router.get(
    "/guarantees",
    response={200: list[GuaranteeOut], **error_responses(404)},
    summary="Guarantee periods and status",
)
def guarantee_list(request: HttpRequest, case: int):
    """Each guarantor of the case's loan: type, guarantee period's last day, and whether the
    guarantee is running, claimed within the period, or released (Civil Code arts. 692–693)."""
    from arrears.activities.guarantees import loan_guarantees
    from arrears.core.dates import local_today

    found = _case(request.user, case)
    return [
        {
            "guarantor": g.pk,
            "name": g.name,
            "kind": p.kind,
            "deadline": p.deadline,
            "agreed": p.agreed,
            "status": p.status,
            "claimed_on": p.claimed_on,
        }
        for g, p in loan_guarantees(found.loan, as_of=local_today())
    ]
