"""Strategies, a case's treatment and hand-overs over HTTP.

Mounted at /api/v1/strategies/ (strategies, versions, validation, hand-overs) and
/api/v1/cases/{case_id}/treatment. Thin: selectors and services decide. Reading strategies
needs `strategy.read`, saving `strategy.edit` (403 otherwise, before any lookup); an invalid
definition is a 422 listing every problem, each `field` dotted as
`segments.<segment>.paths.<path>.steps.<step>.<field>`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from arrears.api.errors import ApiError, ErrorOut, error_responses, not_found
from arrears.api.schemas import SafeText
from arrears.core.models import User
from arrears.strategy import selectors, services
from arrears.strategy.definition import HANDOVER_CHANNELS, Problem
from arrears.strategy.errors import StrategyError
from arrears.strategy.models import HandOver, Strategy, StrategyVersion

router = Router(tags=["strategies"])
cases = Router(tags=["strategies"])


def _raise(exc: StrategyError) -> None:
    raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _need(request: HttpRequest, capability: str, doing: str, write: bool = False) -> User:
    user: User = request.user
    if (write and user.is_read_only) or not user.can(capability):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not {doing}")
    return user


def _field(p: Problem) -> str:
    parts = ["segments"]
    if p.segment:
        parts.append(p.segment)
    if p.path:
        parts += ["paths", p.path]
    if p.step:
        parts += ["steps", p.step]
    if p.field:
        parts.append(p.field)
    return ".".join(parts)


def _problems(problems) -> dict:
    return {
        "errors": [{"code": p.code, "field": _field(p), "message": p.message} for p in problems]
    }


# --- schemas --------------------------------------------------------------------------------


class VersionOut(Schema):
    number: int
    note: str
    created_by: str | None = Field(description="username; null for the shipped version")
    created_at: dt.datetime
    definition: dict[str, Any]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class VersionSummaryOut(Schema):
    number: int
    note: str
    created_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class StrategyOut(Schema):
    code: str
    name_zh: str
    name_en: str
    is_active: bool = Field(description="the strategy the next end-of-day runs")
    latest: VersionOut | None

    @staticmethod
    def resolve_latest(obj) -> StrategyVersion | None:
        return obj.latest()


class DefinitionIn(Schema):
    segments: list[dict[str, Any]] = Field(
        description="ordered segments: {key, name_zh, name_en, when, holding_days, exit, paths}"
    )


class VersionIn(DefinitionIn):
    note: SafeText(300) = ""


class ValidationOut(Schema):
    valid: bool
    errors: list[dict[str, str]]


class DueActionOut(Schema):
    on: dt.date
    segment_key: str
    path_key: str
    step_key: str
    channel: str
    role: str
    template: str
    trigger: str
    skipped_rule: str = Field(description="the rule that refused the step; empty when due")
    skipped_reason: str
    skipped_reason_zh: str


class HandOverOut(Schema):
    id: int
    case_id: int
    channel: str = Field(description="visit, agency_placement or legal_review")
    created_on: dt.date
    status: str = Field(description="open, taken, done or cancelled")
    segment_key: str
    step_key: str
    taken_by: str | None
    ref: str
    note: str

    @staticmethod
    def resolve_taken_by(obj) -> str | None:
        return obj.taken_by.username if obj.taken_by_id else None


class TreatmentOut(Schema):
    case_id: int
    strategy: str | None
    version: int | None
    segment_key: str | None
    path_key: str | None
    entered_on: dt.date | None = Field(description="first working day in the segment")
    holding_days: int | None
    due_actions: list[DueActionOut]
    handovers: list[HandOverOut]


class HandOverFilters(Schema):
    channel: str | None = Field(None, description="visit, agency_placement or legal_review")


class CloseIn(Schema):
    outcome: str = Field("done", description="done or cancelled")
    ref: SafeText(100) = ""
    note: SafeText(500) = ""


# --- strategies ------------------------------------------------------------------------------


def _strategy(user: User, code: str) -> Strategy:
    strategy = selectors.strategy_get(user, code)
    if strategy is None:
        raise not_found("strategy")
    return strategy


@router.get("", response={200: list[StrategyOut], **error_responses(403)}, summary="Strategies")
def strategy_list(request: HttpRequest):
    """Every strategy with its latest version (the active one first)."""
    user = _need(request, "strategy.read", "read strategies")
    return list(selectors.strategies(user))


@router.post(
    "/validate", response={200: ValidationOut, **error_responses(403)}, summary="Check a definition"
)
def strategy_validate(request: HttpRequest, payload: DefinitionIn):
    """Every problem of a definition, as a save would report them; nothing is saved."""
    _need(request, "strategy.read", "validate strategies")
    with translation.override("en"):
        problems = services.definition_validate({"segments": payload.segments})
    return {"valid": not problems, "errors": _problems(problems)["errors"]}


@router.get(
    "/handovers", response={200: list[HandOverOut], **error_responses()}, summary="Hand-overs"
)
def handover_list(request: HttpRequest, filters: Query[HandOverFilters]):
    """Live hand-overs (open or taken) on cases you may see, oldest first."""
    if filters.channel and filters.channel not in HANDOVER_CHANNELS:
        raise ApiError(422, "invalid", "unknown hand-over channel", field="channel")
    return list(selectors.open_handovers(request.user, filters.channel)[:500])


@router.post(
    "/handovers/{int:handover_id}/take",
    response={200: HandOverOut, **error_responses(403, 404, 409)},
    summary="Take a hand-over",
)
def handover_take(request: HttpRequest, handover_id: int):
    user = _need(request, "case.work", "take hand-overs", write=True)
    try:
        with translation.override("en"):
            return services.handover_take(handover_id=handover_id, actor=user, source="api")
    except StrategyError as exc:
        _raise(exc)


@router.post(
    "/handovers/{int:handover_id}/close",
    response={200: HandOverOut, **error_responses(403, 404, 409)},
    summary="Close a hand-over",
)
def handover_close(request: HttpRequest, handover_id: int, payload: CloseIn):
    user = _need(request, "case.work", "close hand-overs", write=True)
    try:
        with translation.override("en"):
            return services.handover_close(
                handover_id=handover_id,
                actor=user,
                outcome=payload.outcome,
                ref=payload.ref,
                note=payload.note,
                source="api",
            )
    except StrategyError as exc:
        _raise(exc)


@router.get(
    "/{strategy_code}",
    response={200: StrategyOut, **error_responses(403, 404)},
    summary="One strategy",
)
def strategy_detail(request: HttpRequest, strategy_code: str):
    user = _need(request, "strategy.read", "read strategies")
    return _strategy(user, strategy_code)


@router.get(
    "/{strategy_code}/versions",
    response={200: list[VersionSummaryOut], **error_responses(403, 404)},
    summary="A strategy's versions",
)
def version_list(request: HttpRequest, strategy_code: str):
    user = _need(request, "strategy.read", "read strategies")
    return list(selectors.versions(_strategy(user, strategy_code)))


@router.get(
    "/{strategy_code}/versions/{int:number}",
    response={200: VersionOut, **error_responses(403, 404)},
    summary="One version",
)
def version_detail(request: HttpRequest, strategy_code: str, number: int):
    user = _need(request, "strategy.read", "read strategies")
    version = _strategy(user, strategy_code).versions.filter(number=number).first()
    if version is None:
        raise not_found("version")
    return version


@router.post(
    "/{strategy_code}/versions",
    response={201: VersionOut, 422: ErrorOut, **error_responses(403)},
    summary="Save a new version",
)
def version_create(request: HttpRequest, strategy_code: str, payload: VersionIn):
    """Validate and save the definition as the next version of `strategy_code` (a new strategy when the
    code is new). The next end-of-day uses it if the strategy is active."""
    user = _need(request, "strategy.edit", "change strategies", write=True)
    try:
        with translation.override("en"):
            version = services.strategy_save(
                code=strategy_code,
                definition={"segments": payload.segments},
                actor=user,
                note=payload.note,
                source="api",
            )
    except StrategyError as exc:
        if exc.problems:
            return Status(422, _problems(exc.problems))
        _raise(exc)
    return Status(201, version)


# --- a case's treatment -----------------------------------------------------------------------


@cases.get(
    "/{int:case_id}/treatment",
    response={200: TreatmentOut, **error_responses(404)},
    summary="A case's strategy treatment and hand-overs",
)
def case_treatment(request: HttpRequest, case_id: int):
    """The segment and path the last end-of-day put the case in, its due (and refused) steps of
    the next working day, and its hand-overs."""
    from arrears.core.scoping import cases_for

    user: User = request.user
    if not cases_for(user).filter(pk=case_id).exists():
        raise not_found("case")
    t = selectors.case_treatment(user, case_id)
    return {
        "case_id": case_id,
        "strategy": t.strategy_version.strategy.code if t else None,
        "version": t.strategy_version.number if t else None,
        "segment_key": t.segment_key if t else None,
        "path_key": t.path_key if t else None,
        "entered_on": t.entered_on if t else None,
        "holding_days": t.holding_days if t else None,
        "due_actions": list(selectors.case_due_actions(user, case_id)),
        "handovers": list(selectors.case_handovers(user, case_id)),
    }


__all__ = ["HandOver", "cases", "router"]
