"""Allocation (分案), rotation (轮换), retention (留案) and suspension (停催) over HTTP.

Case-level operations are mounted at /api/v1/cases/ (beside the cases router), the rest at
/api/v1/allocation/. Thin: a role without the capability is a 403 before anything is looked
up; a case outside the user's scope a 404; bad input a 422 naming the field; a state that does
not allow it (nothing in force to retain on, already suspended) a 409.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema
from ninja.responses import Status

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import Blankable, SafeText
from arrears.cases import allocation, rotation, suspension
from arrears.cases.api import _case, _require
from arrears.cases.errors import CaseError
from arrears.cases.models import (
    Absence,
    AllocationRule,
    CaseRetention,
    CaseSuspension,
    CollectorSkill,
)
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.roles import Role
from arrears.core.scoping import cases_for

cases_router = Router(tags=["allocation"])
router = Router(tags=["allocation"])


def _english(call):
    try:
        with translation.override("en"):
            return call()
    except CaseError as exc:
        if exc.status == 403:
            raise ApiError(403, "forbidden", exc.message) from exc
        if exc.code == "not_found":
            raise ApiError(404, "not_found", exc.message, field=exc.field) from exc
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _name(user) -> str | None:
    return user.username if user is not None else None


# --- schemas --------------------------------------------------------------------------------


class SuspendIn(Schema):
    reason: SafeText(20) = Field(
        description="dispute_review, hospitalised, disaster, bereavement or other"
    )
    ends_on: dt.date = Field(description="the last day of the suspension (not in the past)")
    starts_on: dt.date | None = Field(None, description="default today")
    note: Blankable(SafeText(500)) = Field(None, description="required for reason other")


class ReasonIn(Schema):
    reason: SafeText(500)


class SuspensionOut(Schema):
    id: int
    case_id: int
    reason: str
    note: str
    starts_on: dt.date
    ends_on: dt.date
    resumes_on: dt.date = Field(description="the day collection resumes")
    lifted_on: dt.date | None
    in_force: bool
    created_by: str | None


def _suspension_out(row: CaseSuspension) -> dict:
    today = local_today()
    resumes = row.lifted_on or row.ends_on + dt.timedelta(days=1)
    return {
        "id": row.pk,
        "case_id": row.case_id,
        "reason": row.reason,
        "note": row.note,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "resumes_on": resumes,
        "lifted_on": row.lifted_on,
        "in_force": row.starts_on <= today <= row.ends_on
        and (row.lifted_on is None or row.lifted_on > today),
        "created_by": _name(row.created_by),
    }


class RetentionOut(Schema):
    id: int
    case_id: int
    collector: str
    reason: str
    starts_on: dt.date
    ended_on: dt.date | None
    end_reason: str


def _retention_out(row: CaseRetention) -> dict:
    return {
        "id": row.pk,
        "case_id": row.case_id,
        "collector": row.collector.username,
        "reason": row.reason,
        "starts_on": row.starts_on,
        "ended_on": row.ended_on,
        "end_reason": row.end_reason,
    }


class RotateOut(Schema):
    case_id: int
    collector: str | None
    team: str | None


class RuleIn(Schema):
    position: int = Field(100, ge=0, le=1_000_000)
    name: SafeText(100)
    active: bool = True
    region_prefix: Blankable(SafeText(200)) = None
    product: Blankable(SafeText(30)) = Field(None, description="product code")
    dpd_min: int | None = Field(None, ge=0, le=100_000)
    dpd_max: int | None = Field(None, ge=0, le=100_000)
    borrower_kind: Blankable(SafeText(10)) = Field(None, description="person or business")
    debtor_type: Blankable(SafeText(40)) = Field(None, description="debtor type code")
    team: SafeText(100) = Field(description="team name")


class RuleOut(Schema):
    id: int
    position: int
    name: str
    active: bool
    region_prefix: str
    product: str | None
    dpd_min: int | None
    dpd_max: int | None
    borrower_kind: str
    debtor_type: str | None
    team: str


def _rule_out(r: AllocationRule) -> dict:
    return allocation.rule_content(r)


class PlacedOut(Schema):
    user: str
    cases: int
    amount_fen: int = Field(description="amount due on the cases given (integer fen)")


class AllocationRunOut(Schema):
    day: dt.date
    routed: int = Field(description="cases without a team routed by a rule")
    no_rule: int = Field(description="cases without a team that match no rule")
    placed: int = Field(description="cases given to a collector")
    unplaced: int = Field(description="cases that found nobody present with room")
    covered: int = Field(description="cases of absent collectors moved to a teammate")
    returned: int = Field(description="covered cases given back to their returned owner")
    by_collector: list[PlacedOut]


def _allocation_out(report) -> dict:
    users = User.objects.in_bulk(list(report.placed))
    return {
        "day": report.day,
        **report.counts(),
        "by_collector": [
            {"user": users[u].username, "cases": n, "amount_fen": report.placed_amount.get(u, 0)}
            for u, n in sorted(report.placed.items())
        ],
    }


class AbsenceIn(Schema):
    user: SafeText(150) = Field(description="username")
    starts_on: dt.date
    ends_on: dt.date
    reason: SafeText(10) = Field(description="leave, sick, training or other")
    note: Blankable(SafeText(300)) = None


class AbsenceChangeIn(Schema):
    ends_on: dt.date | None = Field(None, description="the new last day (not in the past)")
    starts_on: dt.date | None = Field(
        None, description="the new first day; only before the absence has started"
    )


class AbsenceCancelIn(Schema):
    reason: Blankable(SafeText(300)) = None


class AbsenceOut(Schema):
    id: int
    user: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    note: str
    cancelled_on: dt.date | None = Field(description="set once the absence is cancelled")


def _absence_out(a: Absence) -> dict:
    return allocation.absence_row(a)


class SkillIn(Schema):
    kind: SafeText(10) = Field(description="region or dialect")
    label: Blankable(SafeText(50)) = Field(None, description="the dialect's name, e.g. 客家话")
    region_prefix: SafeText(200) = Field(description="region path prefix, e.g. 广东省/梅州市")


class SkillsIn(Schema):
    skills: list[SkillIn] = Field(max_length=100)


class SkillOut(Schema):
    kind: str
    label: str
    region_prefix: str


class TeamRotationIn(Schema):
    rotation_days: int | None = Field(description="1–365; null: the team does not rotate")
    retain_quota: int = Field(ge=0, le=1000, description="open retentions per collector")


class TeamRotationOut(Schema):
    id: int
    name: str
    rotation_days: int | None
    retain_quota: int


# --- case-level ---------------------------------------------------------------------------------


@cases_router.get(
    "/{int:case_id}/suspensions",
    response={200: list[SuspensionOut], **error_responses(404)},
    summary="A case's suspensions (停催)",
)
def case_suspensions(request: HttpRequest, case_id: int):
    case = _case(request.user, case_id)
    return [_suspension_out(s) for s in case.suspensions.select_related("created_by")]


@cases_router.post(
    "/{int:case_id}/suspend",
    response={201: SuspensionOut, **error_responses(403, 404, 409)},
    summary="Suspend collection on a case (停催) until a date",
)
def case_suspend(request: HttpRequest, case_id: int, payload: SuspendIn):
    """The case leaves every queue and is not allocated or rotated until it ends."""
    user = _require(request, "case.work", "suspend collection")
    case = _case(user, case_id)
    row = _english(
        lambda: suspension.case_suspend(
            case=case,
            reason=payload.reason,
            ends_on=payload.ends_on,
            starts_on=payload.starts_on,
            note=payload.note or "",
            actor=user,
            source="api",
        )
    )
    return Status(201, _suspension_out(row))


@cases_router.post(
    "/suspensions/{int:suspension_id}/lift",
    response={200: SuspensionOut, **error_responses(403, 404, 409)},
    summary="Lift a suspension today",
)
def suspension_lift(request: HttpRequest, suspension_id: int, payload: ReasonIn):
    user = _require(request, "case.work", "lift suspensions")
    row = CaseSuspension.objects.filter(
        pk=suspension_id, case__in=cases_for(user).values("pk")
    ).first()
    if row is None:
        raise not_found("suspension")
    row = _english(
        lambda: suspension.suspension_lift(
            suspension=row, reason=payload.reason, actor=user, source="api"
        )
    )
    return _suspension_out(row)


@cases_router.post(
    "/{int:case_id}/retain",
    response={201: RetentionOut, **error_responses(403, 404, 409)},
    summary="Retain a case (留案) while a promise or plan is in force",
)
def case_retain(request: HttpRequest, case_id: int, payload: ReasonIn):
    """Only the case's collector, within the team's quota per collector."""
    user = _require(request, "case.work", "retain cases")
    case = _case(user, case_id)
    row = _english(
        lambda: rotation.case_retain(case=case, actor=user, reason=payload.reason, source="api")
    )
    return Status(201, _retention_out(row))


@cases_router.post(
    "/retentions/{int:retention_id}/end",
    response={200: RetentionOut, **error_responses(403, 404, 409)},
    summary="End a retention",
)
def retention_end(request: HttpRequest, retention_id: int, payload: ReasonIn):
    user = _require(request, "case.work", "end retentions")
    row = (
        CaseRetention.objects.filter(pk=retention_id, case__in=cases_for(user).values("pk"))
        .select_related("collector")
        .first()
    )
    if row is None:
        raise not_found("retention")
    row = _english(
        lambda: rotation.retention_end(
            retention=row, actor=user, reason=payload.reason, source="api"
        )
    )
    return _retention_out(row)


@cases_router.post(
    "/{int:case_id}/rotate",
    response={200: RotateOut, **error_responses(403, 404, 409)},
    summary="Move a case to another collector of its team now",
)
def case_rotate(request: HttpRequest, case_id: int, payload: ReasonIn):
    """Before the holding period ends only a team lead or a manager may (403 otherwise); after
    it, the case's collector may hand it over. The least loaded other collector gets it."""
    user = _require(request, "case.work", "move cases")
    case = _case(user, case_id)
    moved = _english(
        lambda: rotation.case_rotate(case=case, actor=user, reason=payload.reason, source="api")
    )
    return {
        "case_id": moved.pk,
        "collector": _name(moved.collector),
        "team": moved.team.name if moved.team_id else None,
    }


# --- allocation -----------------------------------------------------------------------------


def _team_ids(user):
    if user.role == Role.TEAM_LEAD:
        return [user.team_id] if user.team_id else []
    return None


@router.get(
    "/rules",
    response={200: list[RuleOut], **error_responses(403)},
    summary="The allocation rules, in order",
)
def rules(request: HttpRequest):
    _require(request, "case.assign", "read allocation rules")
    return [
        _rule_out(r)
        for r in AllocationRule.objects.select_related("team", "product", "debtor_type")
    ]


def _rule_fields(payload: RuleIn) -> dict:
    from arrears.book.models import Borrower, Product
    from arrears.cases.models import DebtorType

    team = Team.objects.filter(name=payload.team).first()
    if team is None:
        raise ApiError(422, "unknown_team", f"no team {payload.team!r}", field="team")
    product = None
    if payload.product:
        product = Product.objects.filter(code=payload.product).first()
        if product is None:
            raise ApiError(422, "unknown_product", "no such product", field="product")
    debtor_type = None
    if payload.debtor_type:
        debtor_type = DebtorType.objects.filter(code=payload.debtor_type).first()
        if debtor_type is None:
            raise ApiError(422, "unknown_debtor_type", "no such debtor type", field="debtor_type")
    kind = payload.borrower_kind or ""
    if kind and kind not in Borrower.Kind.values:
        raise ApiError(422, "bad_choice", "person or business", field="borrower_kind")
    if payload.dpd_min is not None and payload.dpd_max is not None:
        if payload.dpd_max < payload.dpd_min:
            raise ApiError(422, "invalid", "dpd_max is below dpd_min", field="dpd_max")
    return {
        "position": payload.position,
        "name": payload.name,
        "active": payload.active,
        "region_prefix": (payload.region_prefix or "").strip().strip("/"),
        "product": product,
        "dpd_min": payload.dpd_min,
        "dpd_max": payload.dpd_max,
        "borrower_kind": kind,
        "debtor_type": debtor_type,
        "team": team,
    }


def _save_rule(user, rule: AllocationRule | None, payload: RuleIn) -> AllocationRule:
    from django.db import transaction
    from django.utils import timezone

    from arrears.core.audit import audit_record

    fields = _rule_fields(payload)
    with transaction.atomic():
        if rule is None:
            rule = AllocationRule.objects.create(**fields)
        else:
            for k, v in fields.items():
                setattr(rule, k, v)
            rule.updated_at = timezone.now()
            rule.save()
        audit_record(
            actor=user,
            event="allocation.rule_save",
            object_type="allocation_rule",
            object_id=rule.pk,
            after=_rule_out(rule),
            source="api",
        )
    return rule


@router.post(
    "/rules",
    response={201: RuleOut, **error_responses(403)},
    summary="Add an allocation rule",
)
def rule_create(request: HttpRequest, payload: RuleIn):
    user = _require(request, "allocation.edit", "edit allocation rules")
    return Status(201, _rule_out(_save_rule(user, None, payload)))


@router.post(
    "/rules/{int:rule_id}",
    response={200: RuleOut, **error_responses(403, 404)},
    summary="Change an allocation rule",
)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn):
    user = _require(request, "allocation.edit", "edit allocation rules")
    rule = AllocationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise not_found("rule")
    return _rule_out(_save_rule(user, rule, payload))


@router.post(
    "/rules/{int:rule_id}/delete",
    response={200: RuleOut, **error_responses(403, 404)},
    summary="Delete an allocation rule (answers with what it was)",
)
def rule_delete(request: HttpRequest, rule_id: int):
    """Cases the rule routed keep their team; new cases go by the remaining rules."""
    user = _require(request, "allocation.edit", "delete allocation rules")
    rule = AllocationRule.objects.select_related("team", "product", "debtor_type")
    rule = rule.filter(pk=rule_id).first()
    if rule is None:
        raise not_found("rule")
    gone = _rule_out(rule)
    _english(lambda: allocation.rule_delete(rule=rule, actor=user, source="api"))
    return gone


@router.get(
    "/preview",
    response={200: AllocationRunOut, **error_responses(403)},
    summary="What allocation would do now (nothing written)",
)
def preview(request: HttpRequest):
    user = _require(request, "case.assign", "allocate cases")
    report, _r, _m = allocation.allocation_plan(day=local_today(), team_ids=_team_ids(user))
    return _allocation_out(report)


@router.post(
    "/run",
    response={200: AllocationRunOut, **error_responses(403)},
    summary="Run allocation now: cover absences, route and place new cases",
)
def run(request: HttpRequest):
    """A team lead's run touches only their team's cases and people."""
    from arrears.core.audit import audit_record

    user = _require(request, "case.assign", "allocate cases")
    report = allocation.allocation_run(
        day=local_today(), actor=user, source="api", team_ids=_team_ids(user)
    )
    audit_record(
        actor=user,
        event="allocation.run",
        object_type="allocation",
        after=report.counts(),
        source="api",
    )
    return _allocation_out(report)


def _person(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ApiError(422, "unknown_user", f"no user {username!r}", field="user")
    return user


@router.get(
    "/absences",
    response={200: list[AbsenceOut], **error_responses(403)},
    summary="Absences now and to come (a team lead: their team's)",
)
def absences(request: HttpRequest):
    user = _require(request, "case.assign", "read absences")
    qs = allocation.live_absences().filter(ends_on__gte=local_today()).select_related("user")
    if user.role == Role.TEAM_LEAD:
        qs = qs.filter(user__team_id=user.team_id)
    return [_absence_out(a) for a in qs.order_by("starts_on", "pk")]


@router.post(
    "/absences",
    response={201: AbsenceOut, **error_responses(403)},
    summary="Record an absence (cases are covered by teammates meanwhile)",
)
def absence_create(request: HttpRequest, payload: AbsenceIn):
    user = _require(request, "case.assign", "record absences")
    person = _person(payload.user)
    row = _english(
        lambda: allocation.absence_record(
            user=person,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            reason=payload.reason,
            note=payload.note or "",
            actor=user,
            source="api",
        )
    )
    return Status(201, _absence_out(row))


def _absence(user, absence_id: int) -> Absence:
    """An absence the user may see: a team lead's are their team's (others: 404)."""
    qs = Absence.objects.filter(pk=absence_id).select_related("user")
    if user.role == Role.TEAM_LEAD:
        qs = qs.filter(user__team_id=user.team_id)
    row = qs.first()
    if row is None:
        raise not_found("absence")
    return row


@router.post(
    "/absences/{int:absence_id}",
    response={200: AbsenceOut, **error_responses(403, 404, 409)},
    summary="Move an absence's end (or, before it starts, its start)",
)
def absence_change(request: HttpRequest, absence_id: int, payload: AbsenceChangeIn):
    """Shorten or extend: the checks of recording one (not over, at most a year, no overlap).
    Once it has started only the end moves (422 `started`); an absence already over or
    cancelled is a 409. Ending it before tomorrow gives the covered cases back at the next
    end-of-day."""
    user = _require(request, "case.assign", "change absences")
    row = _absence(user, absence_id)
    row = _english(
        lambda: allocation.absence_change(
            absence=row,
            ends_on=payload.ends_on,
            starts_on=payload.starts_on,
            actor=user,
            source="api",
        )
    )
    return _absence_out(row)


@router.post(
    "/absences/{int:absence_id}/cancel",
    response={200: AbsenceOut, **error_responses(403, 404, 409)},
    summary="Cancel an absence (covered cases go back at the next end-of-day)",
)
def absence_cancel(request: HttpRequest, absence_id: int, payload: AbsenceCancelIn):
    user = _require(request, "case.assign", "cancel absences")
    row = _absence(user, absence_id)
    row = _english(
        lambda: allocation.absence_cancel(
            absence=row, reason=payload.reason or "", actor=user, source="api"
        )
    )
    return _absence_out(row)


@router.get(
    "/skills/{username}",
    response={200: list[SkillOut], **error_responses(403)},
    summary="A person's region and dialect skills",
)
def skills(request: HttpRequest, username: str):
    _require(request, "case.assign", "read skills")
    person = _person(username)
    return list(CollectorSkill.objects.filter(user=person).values("kind", "label", "region_prefix"))


@router.post(
    "/skills/{username}",
    response={200: list[SkillOut], **error_responses(403)},
    summary="Replace a person's skills",
)
def skills_set(request: HttpRequest, username: str, payload: SkillsIn):
    user = _require(request, "case.assign", "set skills")
    person = _person(username)
    _english(
        lambda: allocation.skills_set(
            user=person,
            skills=[(s.kind, s.label or "", s.region_prefix) for s in payload.skills],
            actor=user,
            source="api",
        )
    )
    return list(CollectorSkill.objects.filter(user=person).values("kind", "label", "region_prefix"))


@router.post(
    "/teams/{int:team_id}",
    response={200: TeamRotationOut, **error_responses(403, 404)},
    summary="Set a team's rotation days and retention quota",
)
def team_rotation(request: HttpRequest, team_id: int, payload: TeamRotationIn):
    user = _require(request, "allocation.edit", "set rotation")
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise not_found("team")
    team = _english(
        lambda: allocation.team_rotation_set(
            team=team,
            rotation_days=payload.rotation_days,
            retain_quota=payload.retain_quota,
            actor=user,
            source="api",
        )
    )
    return {
        "id": team.pk,
        "name": team.name,
        "rotation_days": team.rotation_days,
        "retain_quota": team.retain_quota,
    }
