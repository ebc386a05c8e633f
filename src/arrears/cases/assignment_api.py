"""Assignment (分案) over HTTP, mounted at /api/v1/cases/ beside the cases router.

Thin: parse, call arrears.cases.assignment with the requesting user, shape the answer. A role
without `case.assign` (assigning, undoing, deciding assists) or `case.work` (asking for an
assist) is a 403 before anything is looked up; a case, move or assist outside the user's
scope a 404; a team lead reaching outside the team a 403; bad input a 422 naming the field;
a move that cannot be undone (another day, moved since) a 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema
from ninja.responses import Status

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import Blankable, SafeText
from arrears.cases import assignment
from arrears.cases import assignment_selectors as sel
from arrears.cases.api import (  # one capability check and case lookup
    _case,
    _require,
    filtered_cases,
)
from arrears.cases.errors import CaseError
from arrears.cases.models import CaseAssignment, CaseAssist
from arrears.core.models import Team, User

router = Router(tags=["assignment"])

MAX_IDS = 10_000


def _english(call):
    try:
        with translation.override("en"):
            return call()
    except CaseError as exc:
        if exc.code == "not_found":
            raise ApiError(404, "not_found", exc.message, field=exc.field) from exc
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _name(user) -> str | None:
    return user.username if user is not None else None


# --- schemas --------------------------------------------------------------------------------

AssignRole = Literal["collector", "field_agent", "legal", "team"]


class AssignIn(Schema):
    role: AssignRole = Field(description="the slot: collector, field_agent, legal, or team")
    user: Blankable(SafeText(150)) = Field(
        None, description="username; empty takes the slot's holder off (not for role team)"
    )
    team: Blankable(SafeText(100)) = Field(
        None, description="team name: required for role team; for a collector, their team"
    )
    reason: SafeText(500) = Field(description="why the case moves (required)")


class CaseFilterIn(Schema):
    """The case list's filters (GET /cases): everything matching them is assigned."""

    q: Blankable(SafeText(100)) = None
    status: Blankable(SafeText(10)) = None
    bucket: Blankable(SafeText(8)) = None
    collector: Blankable(SafeText(150)) = Field(None, description="username, or 'none'")
    debtor_type: Blankable(SafeText(40)) = None
    escalation: Blankable(SafeText(20)) = None
    colour: Blankable(SafeText(10)) = Field(None, description="a colour flag, or 'none'")


class BulkAssignIn(AssignIn):
    case_ids: list[int] | None = Field(
        None,
        description=f"a selection (at most {MAX_IDS}): every one must be an open case you may "
        "assign, or nothing moves",
    )
    filter: CaseFilterIn | None = Field(
        None, description="instead of case_ids: every open case matching, within your scope"
    )


class AssignResultOut(Schema):
    batch: str = Field(description="groups the history rows of this move")
    moved: int
    unchanged: int = Field(description="already assigned so: no history row, nothing written")
    case_ids: list[int]
    assignment_ids: list[int]


class Slots(Schema):
    team: str | None
    collector: str | None
    field_agent: str | None
    legal_officer: str | None


class AssignmentOut(Schema):
    id: int
    case_id: int
    kind: str = Field(description="assign, undo, carried, migrated")
    batch: str
    on: dt.date
    at: dt.datetime
    actor: str | None
    source: str
    reason: str
    cause: str = Field(
        description="what made the move: empty (by hand), allocation, rotation, cover, cover_return"
    )
    before: Slots
    after: Slots
    undo_of: int | None
    undone_at: dt.datetime | None
    undone_by: str | None


class UndoIn(Schema):
    reason: Blankable(SafeText(500)) = None


class AssistIn(Schema):
    user: Blankable(SafeText(150)) = Field(None, description="the helper's username, or …")
    team: Blankable(SafeText(100)) = Field(None, description="… a team's name (exactly one)")
    until: dt.date = Field(description="the last day the helper sees the case (≤ 90 days)")
    reason: SafeText(500)


class AssistDecideIn(Schema):
    approve: bool


class AssistOut(Schema):
    id: int
    case_id: int
    user: str | None
    team: str | None
    reason: str
    until: dt.date
    status: str = Field(
        description="requested, active, refused, ended, expired (not decided in time)"
    )
    requested_by: str | None
    decided_by: str | None

    @staticmethod
    def resolve_user(obj: CaseAssist) -> str | None:
        return _name(obj.user)

    @staticmethod
    def resolve_team(obj: CaseAssist) -> str | None:
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_requested_by(obj: CaseAssist) -> str | None:
        return _name(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj: CaseAssist) -> str | None:
        return _name(obj.decided_by)


def _assignment_out(row: CaseAssignment) -> dict:
    def slots(side: str) -> dict:
        team = getattr(row, f"{side}_team")
        return {
            "team": team.name if team else None,
            "collector": _name(getattr(row, f"{side}_collector")),
            "field_agent": _name(getattr(row, f"{side}_field_agent")),
            "legal_officer": _name(getattr(row, f"{side}_legal_officer")),
        }

    return {
        "id": row.pk,
        "case_id": row.case_id,
        "kind": row.kind,
        "batch": row.batch,
        "on": row.on,
        "at": row.at,
        "actor": _name(row.actor),
        "source": row.source,
        "reason": row.reason,
        "cause": row.cause,
        "before": slots("from"),
        "after": slots("to"),
        "undo_of": row.undo_of_id,
        "undone_at": row.undone_at,
        "undone_by": _name(row.undone_by),
    }


def _target(payload: AssignIn) -> assignment.Target:
    user = team = None
    if payload.user:
        user = User.objects.select_related("team").filter(username=payload.user).first()
        if user is None:
            raise ApiError(422, "unknown_user", f"no user {payload.user!r}", field="user")
    if payload.team:
        team = Team.objects.filter(name=payload.team).first()
        if team is None:
            raise ApiError(422, "unknown_team", f"no team {payload.team!r}", field="team")
    return _english(lambda: assignment.assign_target(role=payload.role, user=user, team=team))


def _result(result: assignment.AssignResult) -> dict:
    return {
        "batch": result.batch,
        "moved": result.moved,
        "unchanged": result.unchanged,
        "case_ids": result.case_ids,
        "assignment_ids": result.assignment_ids,
    }


# --- endpoints ------------------------------------------------------------------------------


@router.post(
    "/assign",
    response={200: AssignResultOut, **error_responses(403, 404, 409)},
    summary="Assign a selection of cases, or every case matching a filter",
)
def cases_assign(request: HttpRequest, payload: BulkAssignIn):
    """Give exactly one of `case_ids` and `filter`. Set-based: thousands of cases move in a
    few statements, each with a history row and an audit entry. A team lead moves only their
    team's cases, to their team's people."""
    user = _require(request, "case.assign", "assign cases")
    if (payload.case_ids is None) == (payload.filter is None):
        raise ApiError(422, "invalid", "give exactly one of case_ids and filter", field="case_ids")
    if payload.case_ids is not None and len(payload.case_ids) > MAX_IDS:
        raise ApiError(422, "too_many", f"at most {MAX_IDS} case_ids", field="case_ids")
    target = _target(payload)
    if payload.case_ids is not None:
        return _result(
            _english(
                lambda: assignment.cases_assign_bulk(
                    actor=user,
                    target=target,
                    reason=payload.reason,
                    case_ids=payload.case_ids,
                    source="api",
                )
            )
        )
    qs = filtered_cases(user, payload.filter).order_by()
    return _result(
        _english(
            lambda: assignment.cases_assign_bulk(
                actor=user, target=target, reason=payload.reason, queryset=qs, source="api"
            )
        )
    )


@router.post(
    "/{int:case_id}/assign",
    response={200: AssignResultOut, **error_responses(403, 404, 409)},
    summary="Assign or reassign one case",
)
def case_assign(request: HttpRequest, case_id: int, payload: AssignIn):
    user = _require(request, "case.assign", "assign cases")
    case = _case(user, case_id)
    target = _target(payload)
    return _result(
        _english(
            lambda: assignment.cases_assign_bulk(
                actor=user, target=target, reason=payload.reason, case_ids=[case.pk], source="api"
            )
        )
    )


@router.get(
    "/{int:case_id}/assignments",
    response={200: list[AssignmentOut], **error_responses(404)},
    summary="A case's history of assignment",
)
def case_assignments(request: HttpRequest, case_id: int):
    """Every move of the case, newest first: who had it, who has it, by whom, why."""
    return [_assignment_out(r) for r in sel.case_assignments(_case(request.user, case_id))]


@router.post(
    "/assignments/{int:assignment_id}/undo",
    response={200: AssignmentOut, **error_responses(403, 404, 409)},
    summary="Undo a move made today",
)
def assignment_undo(request: HttpRequest, assignment_id: int, payload: UndoIn):
    """Puts the case back with its previous holders: the same business day only, and only
    while the case is still where that move put it (409 otherwise)."""
    user = _require(request, "case.assign", "undo assignments")
    try:
        row = sel.assignment_for_user(user, assignment_id)
    except Http404:
        raise not_found("assignment") from None
    undo = _english(
        lambda: assignment.assignment_undo(
            assignment=row, actor=user, reason=payload.reason or "", source="api"
        )
    )
    return _assignment_out(sel.case_assignments(row.case).get(pk=undo.pk))


@router.get(
    "/{int:case_id}/assists",
    response={200: list[AssistOut], **error_responses(404)},
    summary="A case's assists (协催)",
)
def case_assists(request: HttpRequest, case_id: int):
    return list(sel.case_assists(_case(request.user, case_id)))


@router.post(
    "/{int:case_id}/assists",
    response={201: AssistOut, **error_responses(403, 404, 409)},
    summary="Ask a person or a team to help on a case (协催)",
)
def assist_request(request: HttpRequest, case_id: int, payload: AssistIn):
    """Granted at once when you may decide it (the case's team lead for their own people, a
    manager); otherwise `requested`, waiting for them."""
    user = _require(request, "case.work", "ask for assists")
    case = _case(user, case_id)
    helper = team = None
    if payload.user:
        helper = User.objects.filter(username=payload.user).first()
        if helper is None:
            raise ApiError(422, "unknown_user", f"no user {payload.user!r}", field="user")
    if payload.team:
        team = Team.objects.filter(name=payload.team).first()
        if team is None:
            raise ApiError(422, "unknown_team", f"no team {payload.team!r}", field="team")
    assist = _english(
        lambda: assignment.assist_request(
            case=case,
            actor=user,
            user=helper,
            team=team,
            reason=payload.reason,
            until=payload.until,
            source="api",
        )
    )
    return Status(201, assist)


def _assist(user: User, assist_id: int) -> CaseAssist:
    try:
        return sel.assist_for_user(user, assist_id)
    except Http404:
        raise not_found("assist") from None


@router.post(
    "/assists/{int:assist_id}/decide",
    response={200: AssistOut, **error_responses(403, 404, 409)},
    summary="Grant or refuse a requested assist",
)
def assist_decide(request: HttpRequest, assist_id: int, payload: AssistDecideIn):
    user = _require(request, "case.assign", "decide assists")
    row = _assist(user, assist_id)
    return _english(
        lambda: assignment.assist_decide(
            assist=row, actor=user, approve=payload.approve, source="api"
        )
    )


@router.post(
    "/assists/{int:assist_id}/end",
    response={200: AssistOut, **error_responses(403, 404, 409)},
    summary="End an assist",
)
def assist_end(request: HttpRequest, assist_id: int):
    """The case's team lead, a manager, or whoever asked for it."""
    user = _require(request, "case.work", "end assists")
    row = _assist(user, assist_id)
    return _english(lambda: assignment.assist_end(assist=row, actor=user, source="api"))
