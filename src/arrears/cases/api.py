"""Collection cases over HTTP (mounted at /api/v1/cases/).

Thin: parse, call arrears.cases.selectors/services with the requesting user, shape the answer.
A case (or a complaint or death report of one) outside the user's scope is a 404, the same as
a missing ID; a role that may not act is a 403, checked before anything is looked up; bad
input is a 422 naming the field; a record not in a state for the action is a 409. Money is a
string of yuan. Messages are English here; the pages use the reader's language.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.api.book import EodFigures, Position
from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    Blankable,
    PageMeta,
    SafeText,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    yuan,
)
from arrears.book.selectors import loan_position
from arrears.cases import selectors, services
from arrears.cases.errors import CaseError
from arrears.cases.holds import case_holds, debtor_statuses
from arrears.cases.models import (
    Case,
    Complaint,
    DeathReport,
    DebtorType,
    Escalation,
    Whereabouts,
)
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.eod.selectors import loan_state

CaseStatus = api_enum(Case.Status, "CaseStatus")
ComplaintStatus = api_enum(Complaint.Status, "ComplaintStatus")
DeathOutcome = api_enum(DeathReport.Outcome, "DeathOutcome")
WhereaboutsStatus = api_enum(Whereabouts.Status, "WhereaboutsStatus")
ComplaintCategory = api_enum(Complaint.Category, "ComplaintCategory")
DeathSource = api_enum(DeathReport.Source, "DeathSource")

router = Router(tags=["cases"])


def _english(call):
    """Run a service with English messages, and answer its refusals in the one error shape."""
    try:
        with translation.override("en"):
            return call()
    except CaseError as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _require(request: HttpRequest, capability: str, doing: str) -> User:
    user: User = request.user
    if user.is_read_only or not user.can(capability):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not {doing}")
    return user


def _case(user: User, case_id: int) -> Case:
    try:
        return selectors.case_for_user(user, case_id)
    except Http404:
        raise not_found("case") from None


def _complaint(user: User, complaint_id: int) -> Complaint:
    try:
        return selectors.complaint_for_user(user, complaint_id)
    except Http404:
        raise not_found("complaint") from None


def _report(user: User, report_id: int) -> DeathReport:
    try:
        return selectors.death_report_for_user(user, report_id)
    except Http404:
        raise not_found("death report") from None


def _username(user) -> str | None:
    return user.username if user is not None else None


# --- schemas --------------------------------------------------------------------------------


class DebtorTypeOut(Schema):
    code: str
    name_zh: str
    name_en: str
    traits_zh: str
    traits_en: str
    example_zh: str
    example_en: str
    techniques_zh: list[str]
    techniques_en: list[str]
    active: bool


class DebtorTypeRef(Schema):
    code: str
    name_zh: str
    name_en: str
    active: bool


class SuggestionOut(Schema):
    code: str = Field(
        description="a debtor type code, or verify_death / dispute_first (first actions)"
    )
    is_type: bool
    reason_zh: str
    reason_en: str


class CaseRow(Schema):
    id: int
    loan_id: str
    borrower_id: str
    borrower_name: str
    status: CaseStatus
    close_reason: str
    opened_on: dt.date
    closed_on: dt.date | None
    bucket: str
    dpd: int
    total_due: Yuan | None = Field(description="from the latest end-of-day run")
    collector: str | None
    debtor_type: str | None
    escalation: str

    @staticmethod
    def resolve_loan_id(obj: Case) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_borrower_id(obj: Case) -> str:
        return obj.borrower.external_id

    @staticmethod
    def resolve_borrower_name(obj: Case) -> str:
        return obj.borrower.name

    @staticmethod
    def resolve_total_due(obj: Case) -> str | None:
        return yuan(getattr(obj, "total_due_fen", None))

    @staticmethod
    def resolve_collector(obj: Case) -> str | None:
        return obj.collector.username if obj.collector_id else None

    @staticmethod
    def resolve_debtor_type(obj: Case) -> str | None:
        return obj.debtor_type.code if obj.debtor_type_id else None


class CasePage(PageMeta):
    items: list[CaseRow]


class Limitation(Schema):
    deadline: dt.date | None = Field(description="statute of limitations (诉讼时效)")
    time_barred: bool


class Estate(Schema):
    estate_handling: bool
    since: dt.date | None
    related_party_repays: bool | None = Field(
        description="代位清偿: null not known yet, true agreed, false refused"
    )
    party_name: str
    party_relation: str
    agreed_amount: Yuan | None


class CaseDetail(Schema):
    id: int
    loan_id: str
    borrower_id: str
    borrower_name: str
    status: CaseStatus
    close_reason: str
    opened_on: dt.date
    closed_on: dt.date | None
    bucket: str
    dpd: int
    collector: str | None
    field_agent: str | None
    legal_officer: str | None
    agency: str | None
    position: Position = Field(description="replayed from the ledger as of today")
    end_of_day: EodFigures | None
    limitation: Limitation
    debtor_type: DebtorTypeRef | None
    debtor_type_set_by: str | None
    debtor_type_set_at: dt.datetime | None
    suggestion: SuggestionOut | None = Field(
        description="what the record suggests; never stored over the collector's choice"
    )
    holds: list[str] = Field(description="e.g. dispute, death_verification")
    debtor_statuses: list[str] = Field(description="e.g. unreachable, deceased")
    escalation: str
    escalated_on: dt.date | None
    estate: Estate


class CaseFilters(Schema):
    q: Blankable(SafeText(100)) = Field(
        None, description="loan ID, borrower name or ID, or the end of a phone number"
    )
    status: Blankable(CaseStatus) = None
    bucket: Blankable(SafeText(8)) = None
    collector: Blankable(SafeText(150)) = Field(
        None, description="the collector's username, or 'none'"
    )
    debtor_type: Blankable(SafeText(40)) = Field(None, description="a type code, or 'none'")
    escalation: Blankable(SafeText(20)) = Field(
        None, description="a reason (willful, …), 'any' or 'none'"
    )
    colour: Blankable(SafeText(10)) = Field(
        None, description="a colour flag (red, orange, yellow, green, blue, purple) or 'none'"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class DebtorTypeIn(Schema):
    code: SafeText(40) | None = Field(description="a type code; null clears the choice")


class EscalateIn(Schema):
    reason: str = Field(description="willful or legal_track")


class ComplaintIn(Schema):
    category: ComplaintCategory
    description: SafeText(4000, min_length=1)
    owner: SafeText(150) | None = Field(None, description="username of the handler")
    opened_on: dt.date | None = None


class ComplaintOut(Schema):
    id: int
    case_id: int
    category: ComplaintCategory
    description: str
    owner: str | None
    status: ComplaintStatus
    resolution: str
    opened_on: dt.date
    resolved_on: dt.date | None
    created_by: str | None

    @staticmethod
    def resolve_owner(obj: Complaint) -> str | None:
        return _username(obj.owner)

    @staticmethod
    def resolve_created_by(obj: Complaint) -> str | None:
        return _username(obj.created_by)


class ComplaintAssignIn(Schema):
    owner: SafeText(150, min_length=1)


class ComplaintResolveIn(Schema):
    status: str = Field(description="resolved or rejected")
    resolution: SafeText(4000, min_length=1)
    resolved_on: dt.date | None = None


class CheckItem(Schema):
    checked: bool
    note: SafeText(500) = ""


class DeathReportIn(Schema):
    reported_on: dt.date | None = None
    source: DeathSource = Field(description="who reported the death")
    source_detail: SafeText(200) = ""
    note: SafeText(4000) = ""


class DeathChecklistIn(Schema):
    contacts: CheckItem | None = None
    employer: CheckItem | None = None
    relatives: CheckItem | None = None
    address: CheckItem | None = None
    phone: CheckItem | None = None
    institution: CheckItem | None = None
    evidence: list[int] = Field(
        default_factory=list,
        description="IDs of documents filed on the borrower (death certificate, …)",
    )


class DeathDecideIn(Schema):
    outcome: str = Field(description="confirmed or false")
    decided_on: dt.date | None = None
    note: SafeText(4000) = ""


class CheckOut(Schema):
    item: str
    checked: bool
    note: str


class DeathReportOut(Schema):
    id: int
    case_id: int
    reported_on: dt.date
    reported_by: str | None
    source: DeathSource
    source_detail: str
    note: str
    checklist: list[CheckOut]
    evidence: list[int]
    outcome: DeathOutcome
    decided_on: dt.date | None
    decided_by: str | None
    decision_note: str

    @staticmethod
    def resolve_reported_by(obj: DeathReport) -> str | None:
        return _username(obj.reported_by)

    @staticmethod
    def resolve_decided_by(obj: DeathReport) -> str | None:
        return _username(obj.decided_by)

    @staticmethod
    def resolve_checklist(obj: DeathReport) -> list[dict]:
        return [{"item": i, "checked": c, "note": n} for i, c, n in obj.checklist()]

    @staticmethod
    def resolve_evidence(obj: DeathReport) -> list[int]:
        return sorted(obj.evidence.values_list("pk", flat=True))


class EstateIn(Schema):
    related_party_repays: bool | None = None
    party_name: SafeText(200) = ""
    party_relation: SafeText(100) = ""
    agreed_amount: AmountIn | None = None


class WhereaboutsIn(Schema):
    status: WhereaboutsStatus
    detail: SafeText(300) = ""
    recorded_on: dt.date | None = None


class WhereaboutsOut(Schema):
    id: int
    case_id: int
    status: WhereaboutsStatus
    detail: str
    recorded_on: dt.date
    recorded_by: str | None

    @staticmethod
    def resolve_recorded_by(obj: Whereabouts) -> str | None:
        return _username(obj.recorded_by)


def _detail(case: Case) -> dict:
    state = loan_state(case.loan)
    suggestion = selectors.case_profile_suggestion(case)
    position = loan_position(case.loan)
    return {
        "id": case.pk,
        "loan_id": case.loan.external_id,
        "borrower_id": case.borrower.external_id,
        "borrower_name": case.borrower.name,
        "status": case.status,
        "close_reason": case.close_reason,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "bucket": case.bucket,
        "dpd": case.dpd,
        "collector": _username(case.collector),
        "field_agent": _username(case.field_agent),
        "legal_officer": _username(case.legal_officer),
        "agency": case.agency.name if case.agency_id else None,
        "position": Position.from_position(position),
        "end_of_day": EodFigures.from_state(state, case.pk if case.status == "open" else None)
        if state
        else None,
        "limitation": {
            "deadline": state.limitation_deadline if state else None,
            "time_barred": bool(state and state.time_barred),
        },
        "debtor_type": case.debtor_type,
        "debtor_type_set_by": _username(case.debtor_type_set_by),
        "debtor_type_set_at": case.debtor_type_set_at,
        "suggestion": {
            "code": suggestion.code,
            "is_type": suggestion.is_type,
            "reason_zh": suggestion.reason_zh,
            "reason_en": suggestion.reason_en,
        }
        if suggestion
        else None,
        "holds": sorted(case_holds(case)),
        "debtor_statuses": sorted(debtor_statuses(case)),
        "escalation": case.escalation,
        "escalated_on": case.escalated_on,
        "estate": {
            "estate_handling": case.estate_handling,
            "since": case.estate_handling_on,
            "related_party_repays": case.estate_party_repays,
            "party_name": case.estate_party_name,
            "party_relation": case.estate_party_relation,
            "agreed_amount": yuan(case.estate_agreed_fen),
        },
    }


def _user_by_name(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ApiError(422, "unknown_user", f"no active user {username!r}", field=field)
    return user


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/debtor-types",
    response={200: list[DebtorTypeOut], **error_responses()},
    summary="Debtor types",
)
def debtor_type_list(request: HttpRequest, include_retired: bool = False):
    """The debtor types and their playbooks (Chinese and English), in the managers' order."""
    return list(selectors.debtor_types(include_retired=include_retired))


class DebtorTypeEditIn(Schema):
    name_zh: SafeText(60, min_length=1)
    name_en: SafeText(60, min_length=1)
    traits_zh: SafeText(4000) = ""
    traits_en: SafeText(4000) = ""
    example_zh: SafeText(4000) = ""
    example_en: SafeText(4000) = ""
    techniques_zh: list[SafeText(500)] = Field(default_factory=list)
    techniques_en: list[SafeText(500)] = Field(default_factory=list)
    sort_order: int = Field(100, ge=0, le=32767)
    active: bool = True


class DebtorTypeCreateIn(DebtorTypeEditIn):
    code: SafeText(40, min_length=2) = Field(description="lower-case letters, digits and _")


def _type_values(payload: DebtorTypeEditIn) -> dict:
    return payload.dict(exclude={"code", "active"})


@router.post(
    "/debtor-types",
    response={201: DebtorTypeOut, **error_responses(403)},
    summary="Add a debtor type",
)
def debtor_type_create(request: HttpRequest, payload: DebtorTypeCreateIn):
    """Managers and administrators only."""
    user = _require(request, "playbook.edit", "edit debtor types")

    def create():
        dtype = services.debtor_type_create(
            code=payload.code, actor=user, source="api", **_type_values(payload)
        )
        if not payload.active:
            services.debtor_type_set_active(
                debtor_type=dtype, active=False, actor=user, source="api"
            )
        return dtype

    return Status(201, _english(create))


@router.post(
    "/debtor-types/{code}",
    response={200: DebtorTypeOut, **error_responses(403, 404)},
    summary="Rename, edit the playbook of, retire or restore a debtor type",
)
def debtor_type_update(request: HttpRequest, code: str, payload: DebtorTypeEditIn):
    """The code stays. `active: false` retires the type: no new case may choose it, cases
    that have it keep it. A type is never deleted here."""
    user = _require(request, "playbook.edit", "edit debtor types")
    dtype = DebtorType.objects.filter(code=code).first()
    if dtype is None:
        raise not_found("debtor type")

    def update():
        services.debtor_type_update(
            debtor_type=dtype, actor=user, source="api", **_type_values(payload)
        )
        services.debtor_type_set_active(
            debtor_type=dtype, active=payload.active, actor=user, source="api"
        )
        return dtype

    return _english(update)


@router.get("", response={200: CasePage, **error_responses()}, summary="List cases")
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    """The cases you may see, worst first (open, highest DPD), searched and filtered."""
    qs = filtered_cases(request.user, filters)
    return page_of(qs, filters.page, filters.page_size)


def filtered_cases(user: User, filters):
    """The scoped case list for the API's filter fields (the list and the assign-by-filter
    endpoint read the same filter); an unknown collector name matches nothing."""
    collector: str | None = None
    if filters.collector == "none":
        collector = "none"
    elif filters.collector:
        found = User.objects.filter(username=filters.collector).values_list("pk", flat=True)
        collector = str(found[0]) if found else "0"
    return selectors.case_list(
        user=user,
        q=filters.q or "",
        status=filters.status or "",
        bucket=filters.bucket or "",
        collector=collector,
        debtor_type=filters.debtor_type or "",
        escalation=filters.escalation or "",
        colour=filters.colour or "",
    )


@router.get(
    "/{int:case_id}", response={200: CaseDetail, **error_responses(404)}, summary="One case"
)
def case_detail(request: HttpRequest, case_id: int):
    """Balances and DPD, bucket, limitation deadline, debtor type and the suggestion, holds."""
    return _detail(_case(request.user, case_id))


@router.post(
    "/{int:case_id}/debtor-type",
    response={200: CaseDetail, **error_responses(403, 404)},
    summary="Set the debtor type",
)
def case_debtor_type(request: HttpRequest, case_id: int, payload: DebtorTypeIn):
    """The collector's choice of debtor type (null clears it); a suggestion never changes it."""
    user = _require(request, "case.work", "set the debtor type")
    case = _case(user, case_id)
    dtype = None
    if payload.code:
        dtype = DebtorType.objects.filter(code=payload.code).first()
        if dtype is None:
            raise ApiError(
                422, "unknown_debtor_type", f"no debtor type {payload.code!r}", field="code"
            )
    try:
        _english(
            lambda: services.case_set_debtor_type(
                case=case, debtor_type=dtype, actor=user, source="api"
            )
        )
    except ApiError as exc:
        if exc.field == "debtor_type":
            exc.field = "code"
        raise
    return _detail(_case(user, case_id))


@router.post(
    "/{int:case_id}/escalate",
    response={200: CaseDetail, **error_responses(403, 404)},
    summary="Escalate a case",
)
def case_escalate(request: HttpRequest, case_id: int, payload: EscalateIn):
    """Mark a willful non-payer (legal-consequences track) or move the case to the legal
    track. Idempotent; an escalation never steps down."""
    user = _require(request, "case.work", "escalate cases")
    if payload.reason not in (Escalation.WILLFUL, Escalation.LEGAL_TRACK):
        raise ApiError(422, "bad_choice", "reason must be willful or legal_track", field="reason")
    if payload.reason == Escalation.LEGAL_TRACK:
        # Checked before the lookup, like every capability: the refusal says nothing about
        # whether the case exists.
        _require(request, "case.legal_track", "move cases to the legal track")
    case = _case(user, case_id)
    _english(
        lambda: services.case_escalate(
            case=case, reason=payload.reason, on=local_today(), actor=user, source="api"
        )
    )
    return _detail(_case(user, case_id))


@router.get(
    "/{int:case_id}/complaints",
    response={200: list[ComplaintOut], **error_responses(404)},
    summary="A case's complaints",
)
def complaint_list(request: HttpRequest, case_id: int):
    return list(selectors.case_complaints(_case(request.user, case_id)))


@router.post(
    "/{int:case_id}/complaints",
    response={201: ComplaintOut, **error_responses(403, 404)},
    summary="Record a complaint",
)
def complaint_create(request: HttpRequest, case_id: int, payload: ComplaintIn):
    """Record a complaint or dispute; while it is open the dispute hold applies."""
    user = _require(request, "case.work", "record complaints")
    case = _case(user, case_id)
    owner = _user_by_name(payload.owner, "owner")
    complaint = _english(
        lambda: services.complaint_open(
            case=case,
            category=payload.category,
            description=payload.description,
            owner=owner,
            opened_on=payload.opened_on,
            actor=user,
            source="api",
        )
    )
    return Status(201, complaint)


@router.post(
    "/complaints/{int:complaint_id}/assign",
    response={200: ComplaintOut, **error_responses(403, 404, 409)},
    summary="Assign a complaint",
)
def complaint_assign(request: HttpRequest, complaint_id: int, payload: ComplaintAssignIn):
    user = _require(request, "complaint.resolve", "assign complaints")
    complaint = _complaint(user, complaint_id)
    owner = _user_by_name(payload.owner, "owner")
    return _english(
        lambda: services.complaint_assign(
            complaint=complaint, owner=owner, actor=user, source="api"
        )
    )


@router.post(
    "/complaints/{int:complaint_id}/resolve",
    response={200: ComplaintOut, **error_responses(403, 404, 409)},
    summary="Resolve or reject a complaint",
)
def complaint_resolve(request: HttpRequest, complaint_id: int, payload: ComplaintResolveIn):
    """Close the complaint; the dispute hold lifts when the borrower has no other open one."""
    user = _require(request, "complaint.resolve", "resolve complaints")
    complaint = _complaint(user, complaint_id)
    return _english(
        lambda: services.complaint_resolve(
            complaint=complaint,
            status=payload.status,
            resolution=payload.resolution,
            resolved_on=payload.resolved_on,
            actor=user,
            source="api",
        )
    )


@router.get(
    "/{int:case_id}/death-reports",
    response={200: list[DeathReportOut], **error_responses(404)},
    summary="Death reports on the case's borrower",
)
def death_report_list(request: HttpRequest, case_id: int):
    case = _case(request.user, case_id)
    return list(selectors.borrower_death_reports(case).filter(case=case))


@router.post(
    "/{int:case_id}/death-reports",
    response={201: DeathReportOut, **error_responses(403, 404, 409)},
    summary="Record a reported death",
)
def death_report_create(request: HttpRequest, case_id: int, payload: DeathReportIn):
    """Collection contact on the borrower's cases is held until the report is decided."""
    user = _require(request, "case.work", "record death reports")
    case = _case(user, case_id)
    report = _english(
        lambda: services.death_report_open(
            case=case,
            reported_on=payload.reported_on,
            report_source=payload.source,
            source_detail=payload.source_detail,
            note=payload.note,
            actor=user,
            source="api",
        )
    )
    return Status(201, report)


@router.post(
    "/death-reports/{int:report_id}/checklist",
    response={200: DeathReportOut, **error_responses(403, 404, 409)},
    summary="Update the verification checklist",
)
def death_report_checklist(request: HttpRequest, report_id: int, payload: DeathChecklistIn):
    """Tick what was verified (contacts, employer, relatives, address, phone, institution) and
    attach evidence documents filed on the borrower (POST /api/v1/documents first)."""
    from arrears.documents.selectors import documents_for

    user = _require(request, "case.work", "update death reports")
    report = _report(user, report_id)
    checks = {
        item: (value.checked, value.note)
        for item in DeathReport.CHECKLIST
        if (value := getattr(payload, item)) is not None
    }
    # Only documents the user may see: one outside the scope is as unknown as a missing ID.
    docs = list(documents_for(user).filter(pk__in=payload.evidence))
    missing = set(payload.evidence) - {d.pk for d in docs}
    if missing:
        raise ApiError(
            422, "unknown_document", f"no document {sorted(missing)[0]}", field="evidence"
        )

    def update():
        from django.db import transaction

        with transaction.atomic():
            services.death_report_check(report=report, checks=checks, actor=user, source="api")
            if docs:
                services.death_report_add_evidence(
                    report=report, documents=docs, actor=user, source="api"
                )

    try:
        _english(update)
    except ApiError as exc:
        if exc.field == "documents":
            exc.field = "evidence"
        raise
    return _report(user, report_id)


@router.post(
    "/death-reports/{int:report_id}/decide",
    response={200: DeathReportOut, **error_responses(403, 404, 409)},
    summary="Decide a death report",
)
def death_report_decide(request: HttpRequest, report_id: int, payload: DeathDecideIn):
    """confirmed: the debtor is deceased and the borrower's open cases go to estate handling;
    false: the hold lifts. Final either way."""
    user = _require(request, "death.decide", "decide death reports")
    report = _report(user, report_id)
    _english(
        lambda: services.death_report_decide(
            report=report,
            outcome=payload.outcome,
            decided_on=payload.decided_on,
            note=payload.note,
            actor=user,
            source="api",
        )
    )
    return _report(user, report_id)


@router.post(
    "/{int:case_id}/estate",
    response={200: CaseDetail, **error_responses(403, 404, 409)},
    summary="Estate handling: a related party repaying (代位清偿)",
)
def case_estate(request: HttpRequest, case_id: int, payload: EstateIn):
    user = _require(request, "case.work", "update estate handling")
    case = _case(user, case_id)
    agreed = amount_fen(payload.agreed_amount) if payload.agreed_amount is not None else None
    try:
        _english(
            lambda: services.case_estate_update(
                case=case,
                party_repays=payload.related_party_repays,
                party_name=payload.party_name,
                party_relation=payload.party_relation,
                agreed_fen=agreed,
                actor=user,
                source="api",
            )
        )
    except ApiError as exc:
        if exc.field == "estate_party_repays":
            exc.field = "related_party_repays"
        raise
    return _detail(_case(user, case_id))


@router.post(
    "/{int:case_id}/whereabouts",
    response={201: WhereaboutsOut, **error_responses(403, 404)},
    summary="Record whereabouts",
)
def whereabouts_create(request: HttpRequest, case_id: int, payload: WhereaboutsIn):
    """Moved away (e.g. working in Shenzhen), unreachable, or located again."""
    user = _require(request, "case.work", "record whereabouts")
    case = _case(user, case_id)
    entry = _english(
        lambda: services.whereabouts_record(
            case=case,
            status=payload.status,
            detail=payload.detail,
            recorded_on=payload.recorded_on,
            actor=user,
            source="api",
        )
    )
    return Status(201, entry)


@router.get(
    "/{int:case_id}/whereabouts",
    response={200: list[WhereaboutsOut], **error_responses(404)},
    summary="The borrower's whereabouts",
)
def whereabouts_list(request: HttpRequest, case_id: int):
    return list(selectors.borrower_whereabouts(_case(request.user, case_id)))
