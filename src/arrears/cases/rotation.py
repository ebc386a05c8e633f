"""Rotation (轮换) and retention (留案) (docs/allocation.md).

**Holding period.** A strategy app registers where each case's period comes from with
`register_holding_period_source(fn)`: `fn()` returns a queryset (or SQL text) of rows
`(case_id, holding_days, entered_on)`. Without one, a case's period is its team's
`Team.rotation_days` (null: the team does not rotate). The clock runs from the later of the
day the collector got the case (their last move onto it; the case's opening day if it never
moved) and `entered_on`.

**Progress** (any of them within the last `holding_days` days up to the as-of date): a payment
on the loan (not a waiver), a promise judged kept, a plan accepted, or a right-party contact
(an activity whose outcome reached the debtor, activities.RIGHT_PARTY_OUTCOMES).

**End-of-day phase `rotation`** (order 64, after allocation): first ends retentions whose case
has no promise pending and no plan active any more (or closed, or moved away from the retaining
collector); then every open case held past its period without progress, not suspended and not
retained, moves to the least loaded other present collector of its team (cases/allocation.py's
balance), cause `rotation`, with the reason. A team lead undoes such a move the same day (the
assignment history's undo).

**Retention.** The case's collector retains a case with a promise pending or a plan active, up
to `Team.retain_quota` open retentions per collector; refused otherwise with the reason.

**Early moves.** `case_rotate` moves a case to another collector of its team now: the case's
collector may hand it over once its holding period has run; before that, only a team lead or
a manager (`case.assign`) may. A retained case moved this way stops being retained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrears.cases.allocation import (
    Item,
    _amounts,
    _apply_moves,
    amounts_of_loans,
    people,
    plan_collectors,
)
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import Case, CaseRetention, CaseSuspension, suspended_on
from arrears.core.audit import audit_record, audit_record_many
from arrears.core.dates import local_today
from arrears.core.models import Team, User

_HOLDING_SOURCE: Callable[[], Any] | None = None


def register_holding_period_source(fn: Callable[[], Any] | None) -> None:
    """Set (or with None, clear) where per-case holding periods come from (see above)."""
    global _HOLDING_SOURCE
    _HOLDING_SOURCE = fn


def holding_periods(case_qs) -> dict[int, tuple[int | None, dt.date | None]]:
    """Case id → (holding days, entered on) for the cases of `case_qs`."""
    if _HOLDING_SOURCE is not None:
        source = _HOLDING_SOURCE()
        if isinstance(source, QuerySet):
            rows = source.values_list("case_id", "holding_days", "entered_on")
        else:
            with connection.cursor() as cur:
                cur.execute(str(source))
                rows = cur.fetchall()
        found = {
            int(c): (
                None if d is None else int(d),
                dt.date.fromisoformat(e) if isinstance(e, str) else e,
            )
            for c, d, e in rows
        }
        wanted = case_qs.values_list("pk", flat=True)
        return {pk: found.get(pk, (None, None)) for pk in wanted}
    days = dict(Team.objects.values_list("pk", "rotation_days"))
    return {pk: (days.get(team), None) for pk, team in case_qs.values_list("pk", "team_id")}


def _held_since(case_qs) -> dict[int, dt.date]:
    """Case id → the day its current collector got it (its opening day if never moved)."""
    return {
        pk: held or opened
        for pk, held, opened in case_qs.annotate(
            held=Max("assignments__on", filter=Q(assignments__to_collector_id=F("collector_id")))
        ).values_list("pk", "held", "opened_on")
    }


def last_progress(case_qs, *, since: dt.date, until: dt.date) -> dict[int, dt.date]:
    """Case id → the latest progress date in [since, until] (see the module docstring)."""
    from arrears.activities.models import RIGHT_PARTY_OUTCOMES, Activity
    from arrears.book.models import WAIVER_CHANNELS, Payment
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    best: dict[int, dt.date] = {}

    def take(pairs) -> None:
        for pk, day in pairs:
            if day is not None and (pk not in best or day > best[pk]):
                best[pk] = day

    loan_case = dict(case_qs.values_list("loan_id", "pk"))
    take(
        (loan_case[loan], day)
        for loan, day in Payment.objects.filter(
            loan_id__in=case_qs.values("loan_id"), paid_on__gte=since, paid_on__lte=until
        )
        .exclude(channel__in=WAIVER_CHANNELS)
        .values("loan_id")
        .annotate(d=Max("paid_on"))
        .order_by()
        .values_list("loan_id", "d")
    )
    take(
        Promise.objects.filter(
            case_id__in=case_qs.values("pk"),
            status=Promise.Status.KEPT,
            judged_on__gte=since,
            judged_on__lte=until,
        )
        .values("case_id")
        .annotate(d=Max("judged_on"))
        .order_by()
        .values_list("case_id", "d")
    )
    take(
        Plan.objects.filter(
            case_id__in=case_qs.values("pk"), accepted_on__gte=since, accepted_on__lte=until
        )
        .values("case_id")
        .annotate(d=Max("accepted_on"))
        .order_by()
        .values_list("case_id", "d")
    )
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    take(
        (pk, timezone.localtime(at).date())
        for pk, at in Activity.objects.filter(
            case_id__in=case_qs.values("pk"),
            outcome__in=list(RIGHT_PARTY_OUTCOMES),
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("case_id")
        .annotate(d=Max("occurred_at"))
        .order_by()
        .values_list("case_id", "d")
    )
    return best


def due_for_rotation(*, day: dt.date, case_qs=None) -> dict[int, int]:
    """Open cases held past their holding period without progress on `day`: case → days held.

    Suspended and retained cases are left out.
    """
    qs = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
    if case_qs is not None:
        qs = qs.filter(pk__in=case_qs.values("pk"))
    qs = qs.exclude(
        pk__in=CaseSuspension.objects.filter(suspended_on(day)).values("case_id")
    ).exclude(pk__in=CaseRetention.objects.filter(ended_on__isnull=True).values("case_id"))
    periods = holding_periods(qs)
    held = _held_since(qs)
    due: dict[int, tuple[int, dt.date]] = {}
    for pk, (days, entered) in periods.items():
        if days is None or pk not in held:
            continue
        start = max(held[pk], entered) if entered else held[pk]
        if (day - start).days >= days:
            due[pk] = (int(days), start)
    if not due:
        return {}
    longest = max(d for d, _s in due.values())
    # Over every candidate (a subquery, not a list of ids: SQLite's parameter limit).
    progress = last_progress(qs, since=day - dt.timedelta(days=longest), until=day)
    return {
        pk: (day - start).days
        for pk, (days, start) in due.items()
        if not (pk in progress and progress[pk] > day - dt.timedelta(days=days))
    }


def _text(code: str, **kw) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if code == "rotation":
            return _("Rotation: held %(days)d days without progress.") % kw
        if code == "early":
            return _("Moved before the holding period ended: %(reason)s") % kw
        return _("Handed over after the holding period: %(reason)s") % kw


def retentions_end(*, day: dt.date, actor=None, source: str = "system") -> int:
    """End retentions with nothing in force any more (set-based; audited)."""
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    open_rows = CaseRetention.objects.filter(ended_on__isnull=True)
    promised = Promise.objects.filter(status=Promise.Status.PENDING).values("case_id")
    planned = Plan.objects.filter(status=Plan.Status.ACTIVE).values("case_id")
    ending = open_rows.filter(
        ~Q(case__status=Case.Status.OPEN)
        | ~Q(case__collector_id=F("collector_id"))
        | (~Q(case_id__in=promised) & ~Q(case_id__in=planned))
    )
    rows = list(ending.values_list("pk", "case_id"))
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        why = _("No promise or plan in force any more, or the case moved or closed.")
    CaseRetention.objects.filter(pk__in=[r[0] for r in rows]).update(ended_on=day, end_reason=why)
    audit_record_many(
        actor=actor,
        source=source,
        items=[
            ("case.retain_end", "case", case, {"retention": pk}, {"ended_on": day, "why": why})
            for pk, case in rows
        ],
    )
    return len(rows)


@transaction.atomic
def rotation_run(*, day: dt.date, actor=None, source: str = "system") -> dict:
    """End lapsed retentions, then rotate every case due (see the module docstring)."""
    ended = retentions_end(day=day, actor=actor, source=source)
    due = due_for_rotation(day=day)
    if not due:
        return {"retentions_ended": ended, "rotated": 0, "stuck": 0}
    qs = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
    held = [r for r in qs.values_list("pk", "team_id", "collector_id", "loan_id") if r[0] in due]
    amounts = amounts_of_loans({pk: loan for pk, _t, _c, loan in held})
    rows = [(pk, team, holder) for pk, team, holder, _loan in held]
    items = [
        Item(case_id=pk, team_id=team, amount_fen=amounts.get(pk, 0), exclude=holder)
        for pk, team, holder in rows
        if team is not None
    ]
    team_ids = {i.team_id for i in items}
    pool = people(day + dt.timedelta(days=1), team_ids=team_ids)
    # The case leaves its holder: take it off their load before balancing.
    by_id = {p.id: p for p in pool}
    for pk, _team, holder in rows:
        if holder in by_id:
            by_id[holder].count -= 1
            by_id[holder].amount_fen -= amounts.get(pk, 0)
    plan = plan_collectors(items, pool)
    moves = {case_id: (uid, str(due[case_id])) for case_id, (uid, _w) in plan.moves.items()}
    _apply_moves(
        actor=actor,
        moves=moves,
        cause="rotation",
        reason_for=lambda days: _text("rotation", days=int(days)),
        source=source,
    )
    return {"retentions_ended": ended, "rotated": len(plan.moves), "stuck": len(plan.unplaced)}


def rotation_eod_phase(ctx) -> dict:
    """End-of-day phase `rotation` (order 64)."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    return rotation_run(day=ctx.as_of, actor=None, source="system")


# --- retention (留案) ---------------------------------------------------------------------------


def _in_force(case: Case) -> bool:
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    return (
        Promise.objects.filter(case=case, status=Promise.Status.PENDING).exists()
        or Plan.objects.filter(case=case, status=Plan.Status.ACTIVE).exists()
    )


@transaction.atomic
def case_retain(*, case: Case, actor: User, reason: str, source: str = "web") -> CaseRetention:
    """The case's collector keeps it past rotation (留案), within the team's quota (audited)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if actor is None or actor.is_read_only or not actor.can("case.work"):
        raise CaseForbidden(_("Your role may not retain cases."))
    if case.collector_id != actor.pk:
        raise CaseForbidden(_("Only the case's collector retains it."), code="not_collector")
    if case.status != Case.Status.OPEN:
        raise CaseConflict(_("The case is closed."))
    text = (reason or "").strip()
    if not text:
        raise CaseInvalid("reason", _("Say why you keep the case."), code="required")
    if len(text) > 500:
        raise CaseInvalid("reason", _("At most %(n)d characters, please.") % {"n": 500})
    if CaseRetention.objects.filter(case=case, ended_on__isnull=True).exists():
        raise CaseConflict(_("The case is already retained."), code="already")
    if not _in_force(case):
        raise CaseConflict(
            _("A case is retained only while a promise to pay or a repayment plan is in force."),
            code="nothing_in_force",
        )
    quota = case.team.retain_quota if case.team_id else 0
    held = CaseRetention.objects.filter(collector=actor, ended_on__isnull=True).count()
    if held >= quota:
        raise CaseConflict(
            _("You already retain %(held)d cases; your team's quota is %(quota)d.")
            % {"held": held, "quota": quota},
            code="over_quota",
        )
    row = CaseRetention.objects.create(
        case=case, collector=actor, reason=text, starts_on=local_today(), created_by=actor
    )
    audit_record(
        actor=actor,
        event="case.retain",
        object_type="case",
        object_id=case.pk,
        after={"retention": row.pk, "reason": text},
        source=source,
    )
    return row


@transaction.atomic
def retention_end(
    *, retention: CaseRetention, actor: User, reason: str = "", source: str = "web"
) -> CaseRetention:
    """End a retention by hand: its collector, the team lead or a manager (audited)."""
    row = CaseRetention.objects.select_for_update().select_related("case").get(pk=retention.pk)
    lead = actor.can("case.assign") and (
        actor.role != "team_lead" or row.case.team_id == actor.team_id
    )
    if not (row.collector_id == actor.pk or lead):
        raise CaseForbidden(_("Only the collector, the team lead or a manager ends it."))
    if row.ended_on is not None:
        raise CaseConflict(_("This retention has already ended."))
    row.ended_on = local_today()
    row.end_reason = (reason or "").strip()[:200]
    row.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        actor=actor,
        event="case.retain_end",
        object_type="case",
        object_id=row.case_id,
        before={"retention": row.pk},
        after={"ended_on": row.ended_on, "why": row.end_reason},
        source=source,
    )
    return row


def holding_ends_on(case: Case) -> dt.date | None:
    """The day the case's current holding period runs out (None: it does not rotate)."""
    qs = Case.objects.filter(pk=case.pk)
    days, entered = holding_periods(qs).get(case.pk, (None, None))
    if days is None:
        return None
    start = _held_since(qs).get(case.pk, case.opened_on)
    if entered and entered > start:
        start = entered
    return start + dt.timedelta(days=int(days))


@transaction.atomic
def case_rotate(*, case: Case, actor: User, reason: str, source: str = "web"):
    """Move the case now to the least loaded other collector of its team (see above)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    text = (reason or "").strip()
    if not text:
        raise CaseInvalid("reason", _("Say why the case is moved."), code="required")
    if case.status != Case.Status.OPEN or case.collector_id is None or case.team_id is None:
        raise CaseConflict(_("Only an open case with a collector in a team is rotated."))
    today = local_today()
    ends = holding_ends_on(case)
    early = ends is None or today < ends
    is_lead = actor.can("case.assign") and (
        actor.role != "team_lead" or case.team_id == actor.team_id
    )
    if early and not is_lead:
        raise CaseForbidden(
            _("The holding period runs until %(day)s: moving the case earlier needs a team lead.")
            % {"day": ends.isoformat() if ends else "—"},
            code="early_move",
        )
    if not is_lead and case.collector_id != actor.pk:
        raise CaseForbidden(_("Only the case's collector or a team lead moves it."))
    if CaseSuspension.objects.filter(suspended_on(today), case=case).exists():
        raise CaseConflict(_("The case is suspended; it is not moved while suspended."))
    pool = people(today + dt.timedelta(days=1), team_ids=[case.team_id])
    amount = _amounts(Case.objects.filter(pk=case.pk)).get(case.pk, 0)
    plan = plan_collectors(
        [Item(case_id=case.pk, team_id=case.team_id, amount_fen=amount, exclude=case.collector_id)],
        pool,
    )
    if case.pk not in plan.moves:
        raise CaseConflict(_("No other collector of the team is present with room."))
    CaseRetention.objects.filter(case=case, ended_on__isnull=True).update(
        ended_on=today, end_reason=text[:200]
    )
    move = _text("early" if early else "handover", reason=text)[:500]
    # The actor for the move is the system when a collector hands over (they may not assign).
    _apply_moves(
        actor=actor if is_lead else None,
        moves={case.pk: (plan.moves[case.pk][0], "rotation")},
        cause="rotation",
        reason_for=lambda _w: move,
        source=source,
    )
    if not is_lead:
        audit_record(
            actor=actor,
            event="case.handover",
            object_type="case",
            object_id=case.pk,
            after={"reason": text},
            source=source,
        )
    case.refresh_from_db()
    return case
