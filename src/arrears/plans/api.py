"""Repayment plans and settlements over HTTP (mounted at /api/v1/plans/).

Thin: parse, call arrears.plans.selectors/services with the requesting user, shape the
answer. A plan or case outside the user's scope is a 404, the same as a missing ID; a role or
authority that does not allow the action is a 403 saying why; bad input is a 422 naming the
field; a plan not in a state for the action is a 409. Money is a string of yuan.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BeforeValidator

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    AmountIn,
    PageMeta,
    SafeText,
    Yuan,
    amount_fen,
    api_enum,
    page_of,
    yuan,
)
from arrears.core.models import User
from arrears.plans import selectors, services
from arrears.plans.errors import PlanError
from arrears.plans.models import Plan, PlanApproval

PlanKind = api_enum(Plan.Kind, "PlanKind")
PlanStatus = api_enum(Plan.Status, "PlanStatus")
PlanAction = api_enum(PlanApproval.Action, "PlanAction")

router = Router(tags=["plans"])


def _raise(exc: PlanError) -> None:
    raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc


def _english(call):
    # API messages are English whatever the request's language, as elsewhere in the API;
    # the services phrase them in the active language for the pages.
    with translation.override("en"):
        return call()


def _require(request: HttpRequest, capability: str, doing: str) -> User:
    user: User = request.user
    if user.is_read_only or not user.can(capability):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not {doing}")
    return user


# --- schemas --------------------------------------------------------------------------------


class AmountDueOut(Schema):
    """The full amount due as of a date (snapshot at the proposal)."""

    as_of: dt.date
    full_due: Yuan = Field(description="what would end the loan: the parts below less credit")
    due_now: Yuan = Field(description="overdue principal + interest + penalty + fees")
    principal: Yuan
    interest: Yuan
    penalty: Yuan
    fees: Yuan
    credit: Yuan


class PlanInstallmentOut(Schema):
    number: int
    due_on: dt.date
    amount: Yuan
    paid: Yuan

    @staticmethod
    def resolve_amount(obj) -> str:
        return yuan(obj.amount_fen)

    @staticmethod
    def resolve_paid(obj) -> str:
        return yuan(obj.paid_fen)


class HistoryOut(Schema):
    action: PlanAction
    actor: str | None = Field(description="username; null for the end-of-day run")
    role: str = Field(description="the actor's role when they acted")
    note: str
    reason: str = Field(
        description="for rows the system wrote: within_authority, passed_up, superseded, "
        "short, paid, expired"
    )
    ref: str = Field(description="what the reason refers to: a role, a plan ID, an amount")
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class PlanOut(Schema):
    id: int
    case_id: int
    loan_id: str
    kind: PlanKind
    status: PlanStatus
    amount_due: AmountDueOut
    agreed_total: Yuan
    discount: Yuan
    discount_percent: str = Field(description='the discount as a percentage, e.g. "25.00"')
    term_months: int
    term_days: int
    first_due_on: dt.date
    last_due_on: dt.date
    awaiting_role: str | None = Field(description="who must approve, while awaiting approval")
    note: str
    created_by: str
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    accepted_on: dt.date | None = Field(description="the borrower agreed (limitation restart)")
    broken_on: dt.date | None
    completed_on: dt.date | None
    paid: Yuan = Field(description="paid towards the plan since acceptance, at the last end of day")
    waived: Yuan = Field(description="the discount posted to the loan as a waiver on completion")
    installments: list[PlanInstallmentOut]
    history: list[HistoryOut]

    @staticmethod
    def resolve_loan_id(obj: Plan) -> str:
        return obj.loan.external_id

    @staticmethod
    def resolve_amount_due(obj: Plan) -> dict:
        return {
            "as_of": obj.proposed_on,
            "full_due": yuan(obj.full_due_fen),
            "due_now": yuan(obj.overdue_fen),
            "principal": yuan(obj.due_principal_fen),
            "interest": yuan(obj.due_interest_fen),
            "penalty": yuan(obj.due_penalty_fen),
            "fees": yuan(obj.due_fees_fen),
            "credit": yuan(obj.due_credit_fen),
        }

    @staticmethod
    def resolve_agreed_total(obj: Plan) -> str:
        return yuan(obj.agreed_total_fen)

    @staticmethod
    def resolve_discount(obj: Plan) -> str:
        return yuan(obj.discount_fen)

    @staticmethod
    def resolve_awaiting_role(obj: Plan) -> str | None:
        return obj.awaiting_role if obj.status == Plan.Status.PENDING_APPROVAL else None

    @staticmethod
    def resolve_created_by(obj: Plan) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_decided_by(obj: Plan) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None

    @staticmethod
    def resolve_paid(obj: Plan) -> str:
        return yuan(obj.paid_fen)

    @staticmethod
    def resolve_waived(obj: Plan) -> str:
        return yuan(obj.waiver_payment.amount_fen if obj.waiver_payment_id else 0)

    @staticmethod
    def resolve_installments(obj: Plan) -> list:
        return list(obj.installments.all())

    @staticmethod
    def resolve_history(obj: Plan) -> list:
        return list(obj.history.all())


class PlanPage(PageMeta):
    items: list[PlanOut]


class InstallmentIn(Schema):
    due_on: dt.date
    amount: AmountIn


def _interval(value):
    # 14 and "14" alike; the field error then names `interval`, not a union branch.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Interval = Annotated[str, BeforeValidator(_interval), Field(pattern=r"^(month|[0-9]{1,3})$")]


class PlanIn(Schema):
    """A proposal: either `installments`, or `count` + `first_due_on` (+ `interval`)."""

    case: int = Field(description="the case ID", ge=1)
    kind: PlanKind
    agreed_total: AmountIn
    installments: list[InstallmentIn] | None = Field(
        None, description="explicit schedule; the amounts must add up to agreed_total"
    )
    count: int | None = Field(
        None, ge=1, le=services.MAX_INSTALLMENTS, description="equal installments"
    )
    first_due_on: dt.date | None = None
    interval: Interval = Field(
        "month", description='"month", or a number of days between installments (1–366)'
    )
    note: SafeText(2000) = ""


class DecisionIn(Schema):
    approve: bool
    note: SafeText(2000) = ""


class NoteIn(Schema):
    note: SafeText(2000) = ""


class AcceptIn(Schema):
    accepted_on: dt.date = Field(description="the business date the borrower agreed")
    note: SafeText(2000) = ""


class PlanFilters(Schema):
    case: int | None = Field(None, ge=1, description="only this case's plans")
    status: PlanStatus | None = None
    awaiting_me: bool = Field(False, description="only plans waiting for your decision")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- endpoints ------------------------------------------------------------------------------


def _plan(user: User, pk: int) -> Plan:
    plan = selectors.plan_get(user, pk)
    if plan is None:
        raise not_found("plan")
    return plan


@router.get("", response={200: PlanPage, **error_responses(404)}, summary="List plans")
def plan_list(request: HttpRequest, filters: Query[PlanFilters]):
    """Plans on loans you may see, newest first; `case` narrows to one case (404 if unseen)."""
    user: User = request.user
    if filters.awaiting_me:
        qs = selectors.plans_awaiting(user)
    else:
        qs = selectors.with_details(selectors.plans_for(user))
    if filters.case is not None:
        if selectors.case_for(user, filters.case) is None:
            raise not_found("case")
        qs = qs.filter(case_id=filters.case)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_of(qs, filters.page, filters.page_size)


@router.post("", response={201: PlanOut, **error_responses(403, 404)}, summary="Propose a plan")
def plan_create(request: HttpRequest, payload: PlanIn):
    """Propose a plan or settlement. The full amount due is computed first (today); the plan
    is approved at once when within your authority, otherwise it waits for approval."""
    user = _require(request, "plan.propose", "propose repayment plans")
    case = selectors.case_for(user, payload.case)
    if case is None:
        raise not_found("case")
    total = amount_fen(payload.agreed_total)
    if payload.installments is not None:
        if payload.count is not None:
            raise ApiError(
                422, "invalid", "give either installments or count, not both", field="count"
            )
        rows = [(i.due_on, amount_fen(i.amount)) for i in payload.installments]
    else:
        if payload.count is None:
            raise ApiError(
                422, "missing", "give installments, or count and first_due_on", field="count"
            )
        if payload.first_due_on is None:
            raise ApiError(422, "missing", "give the first due date", field="first_due_on")
        interval = "month" if payload.interval == "month" else int(payload.interval)
        rows = services.Spread(payload.count, payload.first_due_on, interval)
    try:
        plan = _english(
            lambda: services.plan_propose(
                case=case,
                kind=payload.kind,
                agreed_total_fen=total,
                installments=rows,
                actor=user,
                note=payload.note,
                source="api",
            )
        )
    except PlanError as exc:
        _raise(exc)
    return Status(201, _plan(user, plan.pk))


@router.get("/{int:plan_id}", response={200: PlanOut, **error_responses(404)}, summary="One plan")
def plan_detail(request: HttpRequest, plan_id: int):
    """A plan with its full amount due, schedule and approval history."""
    return _plan(request.user, plan_id)


def _act(request: HttpRequest, plan_id: int, capability: str, doing: str, call) -> Plan:
    user = _require(request, capability, doing)
    plan = _plan(user, plan_id)
    try:
        _english(lambda: call(plan, user))
    except PlanError as exc:
        _raise(exc)
    return _plan(user, plan_id)


@router.post(
    "/{int:plan_id}/decision",
    response={200: PlanOut, **error_responses(403, 404, 409)},
    summary="Approve or reject a plan",
)
def plan_decision(request: HttpRequest, plan_id: int, payload: DecisionIn):
    """Approve (`approve: true`) or reject a plan awaiting approval. 403 when its discount or
    term is beyond your authority (the message says whose it needs)."""
    return _act(
        request,
        plan_id,
        "plan.approve",
        "decide on repayment plans",
        lambda plan, user: services.plan_decide(
            plan, actor=user, approve=payload.approve, note=payload.note, source="api"
        ),
    )


@router.post(
    "/{int:plan_id}/escalate",
    response={200: PlanOut, **error_responses(403, 404, 409)},
    summary="Pass a plan up for approval",
)
def plan_escalation(request: HttpRequest, plan_id: int, payload: NoteIn):
    """Pass a waiting plan one rung up: team lead → manager → administrator."""
    return _act(
        request,
        plan_id,
        "plan.approve",
        "escalate repayment plans",
        lambda plan, user: services.plan_escalate(
            plan, actor=user, note=payload.note, source="api"
        ),
    )


@router.post(
    "/{int:plan_id}/accept",
    response={200: PlanOut, **error_responses(403, 404, 409)},
    summary="Record the borrower's acceptance",
)
def plan_acceptance(request: HttpRequest, plan_id: int, payload: AcceptIn):
    """The borrower agreed to an approved plan on `accepted_on`: the plan runs from then, and
    the date restarts the limitation period."""
    return _act(
        request,
        plan_id,
        "plan.propose",
        "record plan acceptance",
        lambda plan, user: services.plan_accept(
            plan, actor=user, accepted_on=payload.accepted_on, note=payload.note, source="api"
        ),
    )


@router.post(
    "/{int:plan_id}/cancel",
    response={200: PlanOut, **error_responses(403, 404, 409)},
    summary="Cancel a plan",
)
def plan_cancellation(request: HttpRequest, plan_id: int, payload: NoteIn):
    """Withdraw a proposal (its proposer, before acceptance) or end a plan (an approver; a
    running plan needs a note)."""
    user: User = request.user
    if user.is_read_only:
        raise ApiError(403, "forbidden", "your role may not change plans")
    return _act(
        request,
        plan_id,
        "plan.propose" if not user.can("plan.approve") else "plan.approve",
        "cancel repayment plans",
        lambda plan, u: services.plan_cancel(plan, actor=u, note=payload.note, source="api"),
    )
