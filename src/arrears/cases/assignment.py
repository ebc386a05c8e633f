"""Assigning cases (分案): who works a case, changed only here (docs/assignment.md).

One case, a selection or everything matching a filter goes to a collector, a field agent, a
legal officer or a team, with a reason. Managers and administrators assign anywhere; a team
lead only cases of their own team, to people of that team. Every move is a CaseAssignment row
(the case page shows them) and an audit entry, in the same transaction; a move can be undone
the same business day. Bulk moves are set-based: one locking read of the cases' current
assignment, one UPDATE per distinct outcome, bulk history rows and `audit_record_many`.

Assists (协催): a field agent or another team helps on a case until a date; they see it
(core.scoping) and the owners keep it. A collector asks, the case's team lead or a manager
grants; a team lead or manager may grant at once.

The web pages, the API (/api/v1/cases/assign…) and the CLI (`arrears import assignments`)
call these functions; errors are cases.errors (nothing written when one is raised).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import Case, CaseAssignment, CaseAssist
from arrears.core.audit import audit_record, audit_record_many
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.roles import Role
from arrears.core.scoping import cases_for
from arrears.ingest.bulk import insert_rows, reserve_ids, update_rows

# The slot each assignable role fills, and the user role that may fill it.
ROLES = ("collector", "field_agent", "legal", "team")
SLOT = {"collector": "collector", "field_agent": "field_agent", "legal": "legal_officer"}
USER_ROLE = {"collector": Role.COLLECTOR, "field_agent": Role.FIELD_AGENT, "legal": Role.LEGAL}
SLOTS = ("team", "collector", "field_agent", "legal_officer")
REASON_MAX = 500
ASSIST_MAX_DAYS = 90
CHUNK = 2000  # ids per IN list: inside SQLite's and every driver's parameter limits


@dataclass(frozen=True)
class Target:
    """Where cases go: `role` names the slot; `user` None takes the slot's holder off."""

    role: str
    user: User | None = None
    team: Team | None = None

    def describe(self) -> dict:
        return {
            "role": self.role,
            "user": self.user.username if self.user else None,
            "team": self.team.name if self.team else None,
        }


@dataclass
class AssignResult:
    """What a move did: `moved` cases changed hands, `unchanged` were already there."""

    batch: str
    moved: int = 0
    unchanged: int = 0
    case_ids: list[int] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)


def _require_assigner(actor) -> None:
    if actor is None:
        return
    if not actor.is_authenticated or actor.is_read_only or not actor.can("case.assign"):
        raise CaseForbidden(_("Your role may not assign cases."))


def _is_lead(actor) -> bool:
    return actor is not None and actor.role == Role.TEAM_LEAD


def _outside_team() -> CaseForbidden:
    return CaseForbidden(
        _("A team lead assigns only cases of their own team, to people of that team."),
        code="outside_team",
    )


def assign_target(*, role: str, user: User | None = None, team: Team | None = None) -> Target:
    """Check that `user` and `team` fit `role` (pure validation, no permission check)."""
    if role not in ROLES:
        raise CaseInvalid(
            "role", _("Choose one of: %(codes)s.") % {"codes": ", ".join(ROLES)}, code="bad_choice"
        )
    if role == "team":
        if team is None:
            raise CaseInvalid("team", _("Choose the team."), code="required")
        if user is not None:
            raise CaseInvalid(
                "user", _("Assigning to a team names no person."), code="user_not_allowed"
            )
        return Target(role, None, team)
    if user is not None:
        if not user.is_active:
            raise CaseInvalid(
                "user", _("%(user)s is not active.") % {"user": user}, code="inactive"
            )
        if user.role != USER_ROLE[role]:
            raise CaseInvalid(
                "user",
                _("%(user)s is not a %(role)s.")
                % {"user": user, "role": Role(USER_ROLE[role]).label},
                code="wrong_role",
            )
        if role == "collector" and team is not None and user.team_id != team.pk:
            raise CaseInvalid(
                "team",
                _("%(user)s is not in the team %(team)s.") % {"user": user, "team": team},
                code="not_in_team",
            )
    elif team is not None and role != "collector":
        raise CaseInvalid(
            "team", _("Only a collector's team may be given."), code="team_not_allowed"
        )
    return Target(role, user, team)


def _check_target(actor, target: Target) -> None:
    """A team lead moves cases only to their own team and its people."""
    if not _is_lead(actor):
        return
    if target.team is not None and target.team.pk != actor.team_id:
        raise _outside_team()
    if target.user is not None and target.user.team_id != actor.team_id:
        raise _outside_team()


def _after(before: dict, target: Target, team_of: dict[int, int | None]) -> dict:
    """The case's assignment after the move (slot values are ids or None)."""
    after = dict(before)
    if target.role == "team":
        after["team"] = target.team.pk
        if before["collector"] is not None and team_of.get(before["collector"]) != target.team.pk:
            after["collector"] = None  # a collector of another team does not keep it
        return after
    after[SLOT[target.role]] = target.user.pk if target.user else None
    if target.role == "collector":
        if target.team is not None:
            after["team"] = target.team.pk
        elif target.user is not None and target.user.team_id:
            after["team"] = target.user.team_id
    return after


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise CaseInvalid("reason", _("Say why the case is moved."), code="required")
    if len(text) > REASON_MAX:
        raise CaseInvalid(
            "reason", _("At most %(n)d characters, please.") % {"n": REASON_MAX}, code="too_long"
        )
    return text


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "username")) if wanted else {}


def _audit_view(values: dict, users: dict[int, str], teams: dict[int, str]) -> dict:
    return {
        slot: (teams if slot == "team" else users).get(values[slot]) if values[slot] else None
        for slot in SLOTS
    }


@transaction.atomic
def cases_assign_bulk(
    *,
    actor: User | None,
    target: Target,
    reason: str,
    case_ids: Iterable[int] | None = None,
    queryset: QuerySet[Case] | None = None,
    source: str = "web",
    on: dt.date | None = None,
    cause: str = "",
) -> AssignResult:
    """Move the chosen open cases to `target` (set-based); see the module docstring.

    Either `case_ids` (a selection: every one must be an open case the actor may assign, or
    nothing moves) or `queryset` (a filter: the open cases in it the actor may assign move,
    the rest are left alone). Cases already where the target puts them are counted
    `unchanged` and get no history row, so repeating a move changes nothing.
    """
    _require_assigner(actor)
    reason = _reason(reason)
    _check_target(actor, target)
    if (case_ids is None) == (queryset is None):
        raise ValueError("give exactly one of case_ids and queryset")
    scope = cases_for(actor) if actor is not None else Case.objects.all()
    if case_ids is not None:
        wanted = sorted({int(i) for i in case_ids})
        if not wanted:
            raise CaseInvalid("cases", _("Choose at least one case."), code="required")
        rows = []
        for chunk in _chunks(wanted):
            rows += list(
                scope.filter(pk__in=chunk).values_list("pk", "status", "team_id").order_by()
            )
        found = {pk for pk, _s, _t in rows}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise CaseInvalid(
                "cases",
                _("No such case: %(ids)s.") % {"ids": ", ".join(f"#{i}" for i in missing[:10])},
                code="not_found",
            )
        closed = [pk for pk, status, _t in rows if status != Case.Status.OPEN]
        if closed:
            raise CaseConflict(
                _("Closed cases are not assigned: %(ids)s.")
                % {"ids": ", ".join(f"#{i}" for i in closed[:10])}
            )
        if _is_lead(actor) and any(team != actor.team_id for _p, _s, team in rows):
            raise _outside_team()
        chosen = None
    else:
        chosen = queryset.filter(status=Case.Status.OPEN).filter(pk__in=scope.values("pk"))
        if _is_lead(actor):
            chosen = chosen.filter(team_id=actor.team_id)
        wanted = None

    # Lock the rows (in id order, so two bulk moves cannot deadlock) and read who has them.
    def locked(pks) -> list:
        return list(
            Case.objects.select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", *(f"{s}_id" for s in SLOTS))
        )

    rows = locked(chosen.values("pk")) if wanted is None else []
    for chunk in _chunks(wanted or []):
        rows += locked(chunk)
    before = {pk: dict(zip(SLOTS, rest, strict=True)) for pk, *rest in rows}
    return _write_moves(
        actor=actor,
        before=before,
        target_of=lambda _pk: (target, reason),
        source=source,
        day=on or local_today(),
        cause=cause,
    )


def _update_slots(groups: dict[tuple, list[int]], now) -> None:
    """Write the new holders: one set-based update per set of changed columns, whatever the
    number of distinct holders (ingest.bulk.update_rows)."""
    by_columns: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    now = connection.ops.adapt_datetimefield_value(now)
    for changed, ids in groups.items():
        columns = tuple(f"{s}_id" for s, _v in changed)
        values = tuple(v for _s, v in changed)
        by_columns[columns] += [(pk, *values, now) for pk in ids]
    for columns, rows in by_columns.items():
        update_rows(Case, [*columns, "updated_at"], rows)


def _write_moves(*, actor, before: dict[int, dict], target_of, source, day, cause) -> AssignResult:
    """Move the locked cases of `before` each to `target_of(pk)` = (Target, reason): one UPDATE
    per distinct set of changed columns, bulk history rows, one bulk audit."""
    result = AssignResult(batch=uuid.uuid4().hex)
    if not before:
        return result
    wanted = {pk: target_of(pk) for pk in before}
    team_of: dict[int, int | None] = {}
    if any(t.role == "team" for t, _r in wanted.values()):
        collectors = {b["collector"] for b in before.values() if b["collector"]}
        team_of = dict(User.objects.filter(pk__in=collectors).values_list("pk", "team_id"))
    groups: dict[tuple, list[int]] = defaultdict(list)
    afters: dict[int, dict] = {}
    for pk, values in before.items():
        after = _after(values, wanted[pk][0], team_of)
        if after == values:
            result.unchanged += 1
            continue
        afters[pk] = after
        # Only the columns that change: cases that differ in the slots left alone (their field
        # agent, say) still share one UPDATE.
        groups[tuple((s, after[s]) for s in SLOTS if after[s] != values[s])].append(pk)
    if not afters:
        return result
    now = timezone.now()
    _update_slots(groups, now)
    # History rows as plain tuples with keys taken up front: a model instance per row and
    # Django's bulk INSERT cost most of a 90,000-case allocation (bench/README.md).
    ids = reserve_ids(CaseAssignment, len(afters))
    at = connection.ops.adapt_datetimefield_value(now)
    on = connection.ops.adapt_datefield_value(day)
    actor_id = actor.pk if actor is not None and actor.pk else None
    insert_rows(
        CaseAssignment,
        [
            "id",
            "case_id",
            "kind",
            "batch",
            "on",
            "at",
            "actor_id",
            "source",
            "reason",
            "cause",
            *(f"from_{s}_id" for s in SLOTS),
            *(f"to_{s}_id" for s in SLOTS),
        ],
        (
            (
                row_id,
                pk,
                CaseAssignment.Kind.ASSIGN.value,
                result.batch,
                on,
                at,
                actor_id,
                source,
                wanted[pk][1],
                cause,
                *(before[pk][s] for s in SLOTS),
                *(after[s] for s in SLOTS),
            )
            for row_id, (pk, after) in zip(ids, afters.items(), strict=True)
        ),
    )
    users = _names(v for pk in afters for s in SLOTS[1:] for v in (before[pk][s], afters[pk][s]))
    teams = dict(
        Team.objects.filter(
            pk__in={v for pk in afters for v in (before[pk]["team"], afters[pk]["team"]) if v}
        ).values_list("pk", "name")
    )
    audit_record_many(
        actor=actor,
        source=source,
        items=[
            (
                "case.assign",
                "case",
                pk,
                _audit_view(before[pk], users, teams),
                {
                    **_audit_view(after, users, teams),
                    "reason": wanted[pk][1],
                    "batch": result.batch,
                    **({"cause": cause} if cause else {}),
                },
            )
            for pk, after in afters.items()
        ],
    )
    result.moved = len(afters)
    result.case_ids = list(afters)
    result.assignment_ids = ids
    return result


@transaction.atomic
def cases_assign_each(
    *,
    actor: User | None,
    moves: dict[int, tuple[Target, str]],
    source: str = "system",
    cause: str = "",
) -> AssignResult:
    """Move many open cases, each to its own target with its own reason, in one set-based
    write (allocation, rotation, cover): the same checks, history and audit as
    cases_assign_bulk. A case closed meanwhile, or outside the actor's scope, is skipped."""
    _require_assigner(actor)
    if not moves:
        return AssignResult(batch=uuid.uuid4().hex)
    checked: dict[int, tuple[Target, str]] = {}
    seen_targets: set[Target] = set()
    for pk, (target, reason) in moves.items():
        if target not in seen_targets:
            _check_target(actor, target)
            seen_targets.add(target)
        checked[int(pk)] = (target, _reason(reason))
    scope = Case.objects.all() if actor is None else cases_for(actor)
    if _is_lead(actor):
        scope = scope.filter(team_id=actor.team_id)
    rows = []
    for chunk in _chunks(sorted(checked)):
        rows += list(
            Case.objects.select_for_update()
            .filter(pk__in=chunk, status=Case.Status.OPEN)
            .filter(pk__in=scope.filter(pk__in=chunk).values("pk"))
            .order_by("pk")
            .values_list("pk", *(f"{s}_id" for s in SLOTS))
        )
    before = {pk: dict(zip(SLOTS, rest, strict=True)) for pk, *rest in rows}
    return _write_moves(
        actor=actor,
        before=before,
        target_of=checked.__getitem__,
        source=source,
        day=local_today(),
        cause=cause,
    )


def case_assign(
    *, case: Case, actor: User | None, target: Target, reason: str, source: str = "web"
) -> CaseAssignment | None:
    """Move one case (see cases_assign_bulk); the history row, or None if nothing changed."""
    result = cases_assign_bulk(
        actor=actor, target=target, reason=reason, case_ids=[case.pk], source=source
    )
    if not result.moved:
        return None
    row = CaseAssignment.objects.get(pk=result.assignment_ids[0])
    case.refresh_from_db()
    return row


@transaction.atomic
def assignment_undo(
    *, assignment: CaseAssignment, actor: User | None, reason: str = "", source: str = "web"
) -> CaseAssignment:
    """Put the case back where `assignment` took it from: the same business day only, and
    only while the case is still where that move put it (audited; a new history row)."""
    _require_assigner(actor)
    row = CaseAssignment.objects.select_for_update().get(pk=assignment.pk)
    if row.kind != CaseAssignment.Kind.ASSIGN or row.undone_at is not None:
        raise CaseConflict(_("This move cannot be undone (already undone, or not a move)."))
    if row.on != local_today():
        raise CaseConflict(
            _("Only a move made today can be undone; assign the case again instead."),
            code="not_today",
        )
    case = Case.objects.select_for_update().get(pk=row.case_id)
    if case.status != Case.Status.OPEN:
        raise CaseConflict(_("The case is closed."))
    current = {s: getattr(case, f"{s}_id") for s in SLOTS}
    moved_to = {s: getattr(row, f"to_{s}_id") for s in SLOTS}
    previous = {s: getattr(row, f"from_{s}_id") for s in SLOTS}
    if current != moved_to:
        raise CaseConflict(
            _("The case has moved again since; undo the later move first."), code="moved_since"
        )
    if _is_lead(actor) and (
        case.team_id != actor.team_id or previous["team"] not in (actor.team_id, None)
    ):
        raise _outside_team()
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        **{f"{s}_id": v for s, v in previous.items()}, updated_at=now
    )
    note = (reason or "").strip()[:REASON_MAX]
    undo = CaseAssignment.objects.create(
        case_id=case.pk,
        kind=CaseAssignment.Kind.UNDO,
        batch=row.batch,
        on=local_today(),
        at=now,
        actor=actor,
        source=source,
        reason=note or row.reason,
        undo_of=row,
        **{f"from_{s}_id": v for s, v in current.items()},
        **{f"to_{s}_id": v for s, v in previous.items()},
    )
    CaseAssignment.objects.filter(pk=row.pk).update(undone_at=now, undone_by=actor)
    users = _names([*current.values(), *previous.values()])
    teams = dict(
        Team.objects.filter(pk__in=[current["team"], previous["team"]]).values_list("pk", "name")
    )
    audit_record(
        actor=actor,
        event="case.assign_undo",
        object_type="case",
        object_id=case.pk,
        before=_audit_view(current, users, teams),
        after={**_audit_view(previous, users, teams), "undo_of": row.pk, "reason": note},
        source=source,
    )
    return undo


# --- assists (协催) ------------------------------------------------------------------------


def _may_decide_assist(actor, case: Case) -> bool:
    if actor is None:
        return True
    if actor.is_read_only or not actor.can("case.assign"):
        return False
    return not _is_lead(actor) or case.team_id == actor.team_id


@transaction.atomic
def assist_request(
    *,
    case: Case,
    actor: User | None,
    reason: str,
    until: dt.date,
    user: User | None = None,
    team: Team | None = None,
    source: str = "web",
) -> CaseAssist:
    """Ask for help on a case (协催) from a person or a team until `until` (audited).

    Granted at once when the actor may decide it (the case's team lead, a manager); otherwise
    it waits for them. The helper sees the case only while the grant is active.
    """
    if actor is not None and (actor.is_read_only or not actor.can("case.work")):
        raise CaseForbidden(_("Your role may not ask for an assist."))
    if case.status != Case.Status.OPEN:
        raise CaseConflict(_("The case is closed."))
    if (user is None) == (team is None):
        raise CaseInvalid("user", _("Choose a person or a team to help."), code="required")
    if user is not None:
        if not user.is_active or user.role in (Role.AUDITOR, Role.AGENCY):
            raise CaseInvalid(
                "user", _("%(user)s cannot help on cases.") % {"user": user}, code="wrong_role"
            )
        if user.pk in (case.collector_id, case.field_agent_id, case.legal_officer_id):
            raise CaseInvalid(
                "user", _("%(user)s already works this case.") % {"user": user}, code="owner"
            )
    if team is not None and team.pk == case.team_id:
        raise CaseInvalid("team", _("That team already has the case."), code="owner")
    text = _reason(reason)
    today = local_today()
    if not isinstance(until, dt.date) or until < today:
        raise CaseInvalid("until", _("The end date is in the past."), code="past_date")
    if until > today + dt.timedelta(days=ASSIST_MAX_DAYS):
        raise CaseInvalid(
            "until",
            _("An assist lasts at most %(n)d days.") % {"n": ASSIST_MAX_DAYS},
            code="too_long",
        )
    now = timezone.now()
    grant = _may_decide_assist(actor, case)
    if grant and _is_lead(actor):
        # A team lead brings in only their own people (another team's lead lends theirs).
        if (user is not None and user.team_id != actor.team_id) or team is not None:
            grant = False
    assist = CaseAssist.objects.create(
        case=case,
        user=user,
        team=team,
        reason=text,
        until=until,
        status=CaseAssist.Status.ACTIVE if grant else CaseAssist.Status.REQUESTED,
        requested_by=actor,
        requested_at=now,
        decided_by=actor if grant else None,
        decided_at=now if grant else None,
    )
    audit_record(
        actor=actor,
        event="case.assist_grant" if grant else "case.assist_request",
        object_type="case",
        object_id=case.pk,
        after={
            "assist": assist.pk,
            "user": user.username if user else None,
            "team": team.name if team else None,
            "until": until,
            "reason": text,
        },
        source=source,
    )
    return assist


@transaction.atomic
def assist_decide(
    *, assist: CaseAssist, actor: User | None, approve: bool, source: str = "web"
) -> CaseAssist:
    """Grant or refuse a requested assist: the case's team lead or a manager (audited)."""
    row = CaseAssist.objects.select_for_update().select_related("case").get(pk=assist.pk)
    if not _may_decide_assist(actor, row.case):
        raise CaseForbidden(_("Only the case's team lead or a manager decides an assist."))
    if row.status != CaseAssist.Status.REQUESTED:
        raise CaseConflict(_("This assist was already decided."))
    row.status = CaseAssist.Status.ACTIVE if approve else CaseAssist.Status.REFUSED
    row.decided_by, row.decided_at = actor, timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        event="case.assist_grant" if approve else "case.assist_refuse",
        object_type="case",
        object_id=row.case_id,
        before={"assist": row.pk, "status": "requested"},
        after={"assist": row.pk, "status": row.status},
        source=source,
    )
    return row


@transaction.atomic
def assist_end(*, assist: CaseAssist, actor: User | None, source: str = "web") -> CaseAssist:
    """End an assist early (its team lead, a manager, or whoever asked for it; audited)."""
    row = CaseAssist.objects.select_for_update().select_related("case").get(pk=assist.pk)
    if not (_may_decide_assist(actor, row.case) or row.requested_by_id == getattr(actor, "pk", 0)):
        raise CaseForbidden(_("Only the case's team lead, a manager or the requester ends it."))
    if row.status not in (CaseAssist.Status.REQUESTED, CaseAssist.Status.ACTIVE):
        raise CaseConflict(_("This assist has already ended."))
    before = row.status
    row.status = CaseAssist.Status.ENDED
    row.ended_by, row.ended_at = actor, timezone.now()
    row.save(update_fields=["status", "ended_by", "ended_at"])
    audit_record(
        actor=actor,
        event="case.assist_end",
        object_type="case",
        object_id=row.case_id,
        before={"assist": row.pk, "status": before},
        after={"assist": row.pk, "status": "ended"},
        source=source,
    )
    return row


# Days a requested assist waits for a decision before it expires.
ASSIST_DECIDE_DAYS = 3


def assists_expire(*, day: dt.date, actor=None, source: str = "system") -> dict:
    """End-of-day (phase `assists`): a request not decided within ASSIST_DECIDE_DAYS days
    expires, an active assist past `until` ends. Set-based: two UPDATEs, bulk audit."""
    from arrears.core.dates import local_zone

    cutoff = timezone.make_aware(
        dt.datetime.combine(day - dt.timedelta(days=ASSIST_DECIDE_DAYS - 1), dt.time.min),
        local_zone(),
    )
    stale = CaseAssist.objects.filter(status=CaseAssist.Status.REQUESTED, requested_at__lt=cutoff)
    lapsed = CaseAssist.objects.filter(status=CaseAssist.Status.ACTIVE, until__lt=day)
    expired = list(stale.values_list("pk", "case_id"))
    ended = list(lapsed.values_list("pk", "case_id"))
    now = timezone.now()
    if expired:
        CaseAssist.objects.filter(pk__in=[p for p, _c in expired]).update(
            status=CaseAssist.Status.EXPIRED, ended_at=now
        )
    if ended:
        CaseAssist.objects.filter(pk__in=[p for p, _c in ended]).update(
            status=CaseAssist.Status.ENDED, ended_at=now
        )
    audit_record_many(
        actor=actor,
        source=source,
        items=[
            (
                "case.assist_expire",
                "case",
                c,
                {"assist": p, "status": "requested"},
                {"assist": p, "status": "expired"},
            )
            for p, c in expired
        ]
        + [
            (
                "case.assist_end",
                "case",
                c,
                {"assist": p, "status": "active"},
                {"assist": p, "status": "ended", "until_passed": True},
            )
            for p, c in ended
        ],
    )
    return {"expired": len(expired), "ended": len(ended)}


def assists_eod_phase(ctx) -> dict:
    """End-of-day phase `assists` (order 66)."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    return assists_expire(day=ctx.as_of)
