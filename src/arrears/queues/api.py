"""Queues over HTTP: GET /api/v1/queues (your queue; a team lead's team; managers all),
GET /api/v1/queues/exclusions (cases left out and why, for those who oversee),
GET /api/v1/queues/coverage (each person's queue worked so far, for those who oversee), and
POST /api/v1/cases/{id}/colour (案件标色)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema

from arrears.api.errors import ApiError, error_responses, not_found
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    Blankable,
    PageMeta,
    SafeText,
    page_of,
)
from arrears.cases.errors import CaseError
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import fen_to_yuan
from arrears.queues import selectors
from arrears.queues.models import QueueEntry

queues = Router(tags=["queues"])
colour = Router(tags=["cases"])


class QueueEntryOut(Schema):
    day: dt.date
    user: str = Field(description="the person whose queue it is (username)")
    position: int = Field(description="1 is done first")
    case_id: int
    loan_id: str
    segment: str
    step: str
    channel: str = Field(description="call, sms, letter, visit or email")
    priority: str = Field(description="expected yuan per minute: amount × probability ÷ minutes")
    amount_due: str = Field(description="yuan, as of the end-of-day that built the queue")
    probability: str
    minutes: int
    done: bool = Field(description="an activity on this channel was logged on the case that day")


class QueuePage(PageMeta):
    items: list[QueueEntryOut]


class QueueFilters(Schema):
    on: dt.date | None = Field(None, description="the day (default today)")
    user: Blankable(SafeText(150)) = Field(
        None, description="one person's queue (username), within your scope"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ExclusionOut(Schema):
    day: dt.date
    case_id: int
    loan_id: str
    user: str | None
    channel: str
    rule_id: str
    reason: str
    next_allowed_at: dt.datetime | None


class ExclusionPage(PageMeta):
    items: list[ExclusionOut]


class ExclusionFilters(Schema):
    on: dt.date | None = Field(None, description="the day (default today)")
    channel: Blankable(SafeText(10)) = None
    rule: Blankable(SafeText(64)) = Field(None, description="a rule id, e.g. CN.HOLD_DISPUTE")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _entry(e) -> dict:
    return {
        "day": e.on,
        "user": e.user.username,
        "position": e.position,
        "case_id": e.case_id,
        "loan_id": e.loan.external_id,
        "segment": e.segment,
        "step": e.step,
        "channel": e.channel,
        "priority": f"{e.priority}",
        "amount_due": f"{fen_to_yuan(e.amount_due_fen)}",
        "probability": f"{e.probability}",
        "minutes": e.minutes,
        "done": bool(e.done),
    }


@queues.get("", response={200: QueuePage, **error_responses()}, summary="Work queues")
def queue_list(request: HttpRequest, filters: Query[QueueFilters]):
    """The day's queue entries you may see, person by person, position 1 first: your own
    queue; a team lead's team; managers everyone's."""
    user: User = request.user
    person = None
    if filters.user:
        person = User.objects.filter(username=filters.user).first()
        if person is None:
            return page_of(QueueEntry.objects.none(), filters.page, filters.page_size)
    qs = selectors.queue_entries(user=user, on=filters.on or local_today(), person=person)
    page = page_of(qs, filters.page, filters.page_size)
    page["items"] = [_entry(e) for e in page["items"]]
    return page


@queues.get(
    "/exclusions",
    response={200: ExclusionPage, **error_responses(403)},
    summary="Cases left out of the queues",
)
def exclusion_list(request: HttpRequest, filters: Query[ExclusionFilters]):
    """The cases the compliance rules left out of the day's queues, with the rule, the reason
    and when the contact is next allowed (team leads: their team's cases; managers all)."""
    user: User = request.user
    if not selectors.may_oversee(user):
        raise ApiError(403, "forbidden", f"your role ({user.role}) does not oversee queues")
    qs = selectors.exclusions(
        user=user,
        on=filters.on or local_today(),
        channel=filters.channel or "",
        rule=filters.rule or "",
    )
    page = page_of(qs, filters.page, filters.page_size)
    page["items"] = [
        {
            "day": x.on,
            "case_id": x.case_id,
            "loan_id": x.case.loan.external_id,
            "user": x.user.username if x.user_id else None,
            "channel": x.channel,
            "rule_id": x.rule_id,
            "reason": x.reason_en,
            "next_allowed_at": x.next_allowed_at,
        }
        for x in page["items"]
    ]
    return page


class CoverageRowOut(Schema):
    user: str | None = Field(description="username; null on the totals row")
    name: str
    role: str
    team: str
    capacity: int = Field(description="the most actions a day the person's queue takes")
    entries: int = Field(description="entries in the person's queue that day")
    done: int = Field(description="entries with an activity on their channel logged that day")
    remaining: int
    left_out: int = Field(description="cases the compliance rules left out of the queue")
    suspended: int = Field(description="the person's open cases suspended (停催) that day")
    absent: bool


class CoverageOut(Schema):
    day: dt.date
    items: list[CoverageRowOut] = Field(description="one row per person, most remaining first")
    totals: CoverageRowOut


class CoverageFilters(Schema):
    day: dt.date | None = Field(None, description="the day (default today)")
    team: int | None = Field(
        None, ge=1, le=2**63 - 1, description="managers: one team's people (team id)"
    )


def _coverage_row(r) -> dict:
    return {
        "user": r.username or None,
        "name": r.name,
        "role": r.role,
        "team": r.team,
        "capacity": r.capacity,
        "entries": r.entries,
        "done": r.done,
        "remaining": r.remaining,
        "left_out": r.left_out,
        "suspended": r.suspended,
        "absent": r.absent,
    }


@queues.get(
    "/coverage",
    response={200: CoverageOut, **error_responses(403)},
    summary="Queue coverage per person",
)
def coverage(request: HttpRequest, filters: Query[CoverageFilters]):
    """Per collector and field agent you oversee (a team lead: their team; managers: everyone
    or one team): capacity, entries in the day's queue, done, remaining, cases left out by the
    compliance rules, suspended cases and whether they are away — the figures of
    /queues/coverage/."""
    user: User = request.user
    if not selectors.may_oversee(user):
        raise ApiError(403, "forbidden", f"your role ({user.role}) does not oversee queues")
    day = filters.day or local_today()
    found = selectors.queue_coverage(user=user, on=day, team_id=filters.team)
    return {
        "day": day,
        "items": [_coverage_row(r) for r in found.rows],
        "totals": _coverage_row(found.totals),
    }


class ColourIn(Schema):
    colour: SafeText(10) = Field(
        description="red, orange, yellow, green, blue or purple; an empty string clears it",
    )


class ColourOut(Schema):
    case_id: int
    colour: str
    changed: bool


@colour.post(
    "/{int:case_id}/colour",
    response={200: ColourOut, **error_responses(403, 404)},
    summary="Mark a case with a colour",
)
def case_colour(request: HttpRequest, case_id: int, payload: ColourIn):
    """案件标色: put a colour on a case to mark it for yourself (or clear it)."""
    from arrears.cases.colours import case_colour_set, may_colour
    from arrears.cases.selectors import case_for_user

    user: User = request.user
    if not may_colour(user):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not mark cases")
    try:
        case = case_for_user(user, case_id)
    except Http404:
        raise not_found("case") from None
    try:
        with translation.override("en"):
            changed = case_colour_set(case=case, colour=payload.colour, actor=user, source="api")
    except CaseError as exc:
        raise ApiError(exc.status, exc.code, exc.message, field=exc.field) from exc
    return {"case_id": case.pk, "colour": case.colour_flag, "changed": changed}
