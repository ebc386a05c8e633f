"""Reads of the cases app. Every case read starts from core.scoping.cases_for(user).

A case outside the user's scope is an Http404, the same as a case that does not exist, so a
collector guessing another's case IDs learns nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.http import Http404
from django.utils.translation import gettext as _

from arrears.book.selectors import borrower_search_q
from arrears.cases.models import Case, Complaint, DeathReport, DebtorType, Whereabouts
from arrears.cases.profiling import ProfileRules, ProfileSignals, Suggestion, suggest_profile
from arrears.core.models import User
from arrears.core.scoping import cases_for


def case_for_user(user: User, pk: int) -> Case:
    """The case, or Http404 when it does not exist or the user may not see it."""
    case = (
        cases_for(user)
        .select_related(
            "loan",
            "loan__product",
            "borrower",
            "team",
            "collector",
            "field_agent",
            "legal_officer",
            "agency",
            "debtor_type",
            "debtor_type_set_by",
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("No such case."))
    return case


# Sort orders of the case list: (key, order_by). Nulls last, so a case without the figure
# does not crowd the top.
CASE_SORTS = {
    "dpd": ("closed_last", F("dpd").desc(), "-id"),
    "due": ("closed_last", F("total_due_fen").desc(nulls_last=True), "-id"),
    "next_action": ("closed_last", F("next_action_at").asc(nulls_last=True), "-dpd", "-id"),
    "promise": ("closed_last", F("promise_due_on").asc(nulls_last=True), "-dpd", "-id"),
    "last_contact": ("closed_last", F("last_contact_at").asc(nulls_first=True), "-dpd", "-id"),
    "region": ("closed_last", "borrower__county", "borrower__town", "borrower__village", "-id"),
}


def _latest_entry():
    """The case's latest logged outcome (corrections included, quick notes left out), newest
    first; a correction has the time of the entry it corrects and a higher id."""
    from arrears.activities.models import Activity, Channel, Outcome

    return (
        Activity.objects.filter(case_id=OuterRef("pk"))
        .exclude(channel=Channel.OTHER, outcome=Outcome.OTHER)
        .order_by("-occurred_at", "-id")
    )


def with_work_facts(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate every case with what a collector sorts by, set-based (one query for the page):

    `total_due_fen` (latest end-of-day figures), `last_contact_at` and `last_outcome` (the
    latest logged outcome), `next_action_at` (the callback that outcome set; an outcome logged
    without one clears it), `promise_due_on` (the earliest pending promise), `plan_awaiting`
    (a plan awaiting approval), and `hold_<name>` for every hold with a set-based source
    (cases.holds.register_hold_expression).
    """
    from arrears.cases.holds import hold_expressions
    from arrears.eod.models import LoanState
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    due = LoanState.objects.filter(loan_id=OuterRef("loan_id")).values("total_due_fen")[:1]
    latest = _latest_entry()
    promise = (
        Promise.objects.filter(case_id=OuterRef("pk"), status=Promise.Status.PENDING)
        .order_by("promised_on")
        .values("promised_on")[:1]
    )
    holds = {f"hold_{name}": expr for name, expr in hold_expressions().items()}
    return qs.annotate(
        total_due_fen=Subquery(due, output_field=BigIntegerField()),
        last_contact_at=Subquery(latest.values("occurred_at")[:1]),
        last_outcome=Subquery(latest.values("outcome")[:1]),
        next_action_at=Subquery(latest.values("next_action_at")[:1]),
        promise_due_on=Subquery(promise),
        plan_awaiting=Exists(
            Plan.objects.filter(case_id=OuterRef("pk"), status=Plan.Status.PENDING_APPROVAL)
        ),
        closed_last=DbCase(When(status=Case.Status.OPEN, then=Value(0)), default=Value(1)),
        **holds,
    )


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def case_list(
    *,
    user: User,
    q: str = "",
    status: str = "",
    bucket: str = "",
    collector: int | str | None = None,
    debtor_type: str = "",
    escalation: str = "",
    hold: str = "",
    colour: str = "",
    county: str = "",
    town: str = "",
    village: str = "",
    dpd_min: int | None = None,
    dpd_max: int | None = None,
    due_min_fen: int | None = None,
    due_max_fen: int | None = None,
    next_action: str = "",
    promise: str = "",
    plan_awaiting: bool = False,
    sort: str = "dpd",
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """The cases a user may see, searched and filtered, worst first (open, highest DPD).

    `collector` is a user id, or "none" for cases nobody collects; `debtor_type` a type code
    or "none"; `escalation` a reason, "any" (escalated at all) or "none"; `hold` a hold name,
    "any" or "none"; `colour` a colour flag or "none"; `next_action` and `promise` are "today", "overdue" (before today, still
    standing), "week" (today and the next six days) or "none"; `sort` a key of CASE_SORTS.
    Each row carries the figures of `with_work_facts`.
    """
    from arrears.core.dates import local_today

    today = today or local_today()
    qs = cases_for(user).select_related("loan", "borrower", "collector", "debtor_type")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(loan__external_id__icontains=q) | borrower_search_q(user, q, "borrower__"))
    if status:
        qs = qs.filter(status=status)
    if bucket:
        qs = qs.filter(bucket=bucket)
    if collector == "none":
        qs = qs.filter(collector__isnull=True)
    elif collector:
        qs = qs.filter(collector_id=collector)
    if colour == "none":
        qs = qs.filter(colour_flag="")
    elif colour:
        qs = qs.filter(colour_flag=colour)
    if debtor_type == "none":
        qs = qs.filter(debtor_type__isnull=True)
    elif debtor_type:
        qs = qs.filter(debtor_type__code=debtor_type)
    if escalation == "any":
        qs = qs.exclude(escalation="")
    elif escalation == "none":
        qs = qs.filter(escalation="")
    elif escalation:
        qs = qs.filter(escalation=escalation)
    for name, value in (("county", county), ("town", town), ("village", village)):
        if value:
            qs = qs.filter(**{f"borrower__{name}": value})
    if dpd_min is not None:
        qs = qs.filter(dpd__gte=dpd_min)
    if dpd_max is not None:
        qs = qs.filter(dpd__lte=dpd_max)
    qs = with_work_facts(qs)
    if due_min_fen is not None:
        qs = qs.filter(total_due_fen__gte=due_min_fen)
    if due_max_fen is not None:
        qs = qs.filter(total_due_fen__lte=due_max_fen)
    if hold:
        names = [k for k in qs.query.annotations if k.startswith("hold_")]
        if hold == "any" or hold == "none":
            anyhold = Q()
            for k in names:
                anyhold |= Q(**{k: True})
            if names:
                qs = qs.filter(anyhold) if hold == "any" else qs.exclude(anyhold)
            elif hold == "any":
                qs = qs.none()
        elif f"hold_{hold}" in names:
            qs = qs.filter(**{f"hold_{hold}": True})
        else:
            qs = qs.none()
    start, end = local_day_bounds(today)
    if next_action == "today":
        qs = qs.filter(next_action_at__gte=start, next_action_at__lt=end)
    elif next_action == "overdue":
        qs = qs.filter(next_action_at__lt=start)
    elif next_action == "week":
        qs = qs.filter(next_action_at__gte=start, next_action_at__lt=end + dt.timedelta(days=6))
    elif next_action == "none":
        qs = qs.filter(next_action_at__isnull=True)
    if promise == "today":
        qs = qs.filter(promise_due_on=today)
    elif promise == "overdue":
        qs = qs.filter(promise_due_on__lt=today)
    elif promise == "week":
        qs = qs.filter(promise_due_on__gte=today, promise_due_on__lte=today + dt.timedelta(days=6))
    elif promise == "none":
        qs = qs.filter(promise_due_on__isnull=True)
    if plan_awaiting:
        qs = qs.filter(plan_awaiting=True)
    return qs.order_by(*CASE_SORTS.get(sort, CASE_SORTS["dpd"]))


# A missed callback stays on the home page this many days (the case list finds older ones).
MISSED_CALLBACK_DAYS = 14


def work_today(*, user: User, today: dt.date | None = None) -> dict:
    """The collector's home-page list: callbacks set for today (and ones missed before today
    still standing), and promises to pay falling due today, on open cases the user may see
    and works (their own cases for a collector; a lead's team, a manager's everything)."""
    from arrears.activities.models import Activity
    from arrears.core.dates import local_today
    from arrears.promises.models import Promise

    today = today or local_today()
    base = case_list(user=user, status=Case.Status.OPEN, today=today)
    mine = base.filter(_works_q(user))
    start, end = local_day_bounds(today)
    # Candidates first, from the indexed columns (a manager's home page on a large book must
    # not compute every case's latest entry); the annotations then say which still stand.
    set_lately = Activity.objects.filter(
        next_action_at__gte=start - dt.timedelta(days=MISSED_CALLBACK_DAYS),
        next_action_at__lt=end,
    ).values("case_id")
    callbacks = list(
        mine.filter(
            pk__in=set_lately, next_action_at__lt=end, next_action_at__isnull=False
        ).order_by("next_action_at", "id")[:100]
    )
    due_today = Promise.objects.filter(status=Promise.Status.PENDING, promised_on=today).values(
        "case_id"
    )
    promises = list(
        mine.filter(pk__in=due_today, promise_due_on=today).order_by("-dpd", "id")[:100]
    )
    for case in callbacks:
        case.callback_missed = case.next_action_at < start
    return {"callbacks": callbacks, "promises": promises, "today": today}


def _works_q(user: User) -> Q:
    """The cases a user works themself: theirs as collector, field agent or legal officer;
    every case in scope for roles that oversee (leads, managers, admins)."""
    if user.role in ("collector", "field_agent", "legal"):
        return Q(collector=user) | Q(field_agent=user) | Q(legal_officer=user)
    return Q()


def collector_choices(user: User) -> list[tuple[int, str]]:
    """The collectors of the cases a user may see (id, display name)."""
    ids = cases_for(user).exclude(collector__isnull=True).values("collector_id").distinct()
    return [
        (u.pk, u.get_full_name() or u.username)
        for u in User.objects.filter(pk__in=ids).order_by("username")
    ]


def bucket_choices(user: User) -> list[str]:
    buckets = cases_for(user).values_list("bucket", flat=True).distinct().order_by()
    # M1 < M2 < … < M7+; M0 first.
    return sorted({b for b in buckets if b}, key=lambda b: (len(b), b))


def debtor_types(*, include_retired: bool = False) -> QuerySet[DebtorType]:
    qs = DebtorType.objects.all()
    return qs if include_retired else qs.filter(active=True)


# --- the records of special situations, fetched through the case's scope -------------------


def complaint_for_user(user: User, pk: int) -> Complaint:
    complaint = (
        Complaint.objects.filter(case__in=cases_for(user))
        .select_related("case", "owner")
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise Http404(_("No such complaint."))
    return complaint


def death_report_for_user(user: User, pk: int) -> DeathReport:
    report = (
        DeathReport.objects.filter(case__in=cases_for(user))
        .select_related("case")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("No such death report."))
    return report


def case_complaints(case: Case) -> QuerySet[Complaint]:
    return case.complaints.select_related("owner", "created_by", "resolved_by").order_by(
        "-opened_on", "-id"
    )


def borrower_death_reports(case: Case) -> QuerySet[DeathReport]:
    """Death reports on the borrower (any of their cases): death is a fact about the person."""
    return (
        DeathReport.objects.filter(borrower_id=case.borrower_id)
        .select_related("reported_by", "decided_by", "case", "case__loan")
        .prefetch_related("evidence")
        .order_by("-reported_on", "-id")
    )


def borrower_whereabouts(case: Case) -> QuerySet[Whereabouts]:
    return (
        Whereabouts.objects.filter(borrower_id=case.borrower_id)
        .select_related("recorded_by")
        .order_by("-recorded_on", "-id")
    )


# --- hold and status sources (registered in CasesConfig.ready) ------------------------------


def has_open_complaint(case) -> bool:
    """The dispute hold: the borrower has a complaint open or under investigation."""
    return Complaint.objects.filter(
        borrower_id=case.borrower_id, status__in=Complaint.OPEN_STATUSES
    ).exists()


def has_unverified_death_report(case) -> bool:
    """The death_verification hold: a report of the borrower's death awaits a decision."""
    return DeathReport.objects.filter(
        borrower_id=case.borrower_id, outcome=DeathReport.Outcome.UNVERIFIED
    ).exists()


def suspension_in_force_exists():
    """A suspension (停催) in force today, for every row of a Case queryset."""
    from arrears.cases.models import CaseSuspension, suspended_on
    from arrears.core.dates import local_today

    return Exists(
        CaseSuspension.objects.filter(suspended_on(local_today()), case_id=OuterRef("pk"))
    )


def has_suspension_in_force(case) -> bool:
    """The `suspended` hold: a suspension (停催) is in force on the case today."""
    from arrears.cases.models import CaseSuspension, suspended_on
    from arrears.core.dates import local_today

    return CaseSuspension.objects.filter(suspended_on(local_today()), case_id=case.pk).exists()


# How far back suspensions are read for the compliance facts: a contact logged late (up to the
# activities' lookback) is judged on the day it happened.
SUSPENSION_LOOKBACK_DAYS = 31


def suspension_facts(case_ids, *, since: dt.date | None = None) -> dict[int, tuple]:
    """{case id: (compliance.rules.Suspension, …)} for the suspensions of the cases that are
    in force on or after `since` (today − 31 days), read in one query per 2,000 cases.

    The end is the last day in force: a suspension lifted early ends the day before it was
    lifted (cases.models.suspended_on), one lifted on its first day never took effect. The
    reason is given in both languages for the rule's message; "other" carries its note.
    """
    from django.utils import translation

    from arrears.cases.models import CaseSuspension
    from arrears.compliance.rules import Suspension
    from arrears.core.dates import local_today

    since = since or local_today() - dt.timedelta(days=SUSPENSION_LOOKBACK_DAYS)
    ids = sorted(set(case_ids))
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels[language] = {c: str(label) for c, label in CaseSuspension.Reason.choices}
    out: dict[int, list] = {}
    for i in range(0, len(ids), 2000):
        rows = (
            CaseSuspension.objects.filter(case_id__in=ids[i : i + 2000], ends_on__gte=since)
            .order_by("case_id", "starts_on", "id")
            .values_list("case_id", "reason", "note", "starts_on", "ends_on", "lifted_on")
        )
        for case_id, reason, note, starts, ends, lifted in rows:
            if lifted is not None:
                ends = min(ends, lifted - dt.timedelta(days=1))
            if ends < starts:
                continue
            zh, en = labels["zh-hans"].get(reason, reason), labels["en"].get(reason, reason)
            if reason == CaseSuspension.Reason.OTHER and note:
                zh, en = f"{zh}：{note}", f"{en}: {note}"
            out.setdefault(case_id, []).append(
                Suspension(starts_on=starts, ends_on=ends, reason_zh=zh, reason_en=en)
            )
    return {k: tuple(v) for k, v in out.items()}


def open_complaint_exists():
    """has_open_complaint for every row of a Case queryset."""
    return Exists(
        Complaint.objects.filter(
            borrower_id=OuterRef("borrower_id"), status__in=Complaint.OPEN_STATUSES
        )
    )


def unverified_death_report_exists():
    """has_unverified_death_report for every row of a Case queryset."""
    return Exists(
        DeathReport.objects.filter(
            borrower_id=OuterRef("borrower_id"), outcome=DeathReport.Outcome.UNVERIFIED
        )
    )


def is_deceased(case) -> bool:
    """Debtor status `deceased`: a report of the borrower's death was confirmed."""
    return DeathReport.objects.filter(
        borrower_id=case.borrower_id, outcome=DeathReport.Outcome.CONFIRMED
    ).exists()


def is_unreachable(case) -> bool:
    """Debtor status `unreachable`: the latest whereabouts say moved away or unreachable (a
    later `located` ends it)."""
    latest = (
        Whereabouts.objects.filter(borrower_id=case.borrower_id)
        .order_by("-recorded_on", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return latest in (Whereabouts.Status.MOVED_AWAY, Whereabouts.Status.UNREACHABLE)


# --- profile suggestion --------------------------------------------------------------------


def profile_rules() -> ProfileRules:
    """Thresholds of the suggestion rules; settings.ARREARS_PROFILE_RULES may change them."""
    return ProfileRules(**getattr(settings, "ARREARS_PROFILE_RULES", {}))


def _contact_signals_from_activities(case: Case) -> dict:
    """The counts of activities.signals.case_contact_signals, read here while that is missing.

    Latest versions only (an entry a correction replaced does not count). Attempts are calls
    and visits; a failed attempt is no answer, busy, wrong or invalid number; the run of
    failed attempts counts back to the last right-party contact.
    """
    from arrears.activities.models import (
        FAILED_ATTEMPT_OUTCOMES,
        RIGHT_PARTY_OUTCOMES,
        Activity,
        Channel,
        Outcome,
    )

    corrected = Activity.objects.filter(case=case, corrects__isnull=False).values("corrects_id")
    rows = (
        Activity.objects.filter(case=case)
        .exclude(pk__in=corrected)
        .order_by("occurred_at", "id")
        .values_list("channel", "outcome")
    )
    counts = dict(
        contact_attempts=0,
        right_party_contacts=0,
        consecutive_failed_attempts=0,
        hardship_outcomes=0,
        refusals=0,
    )
    for channel, outcome in rows:
        if outcome in RIGHT_PARTY_OUTCOMES:
            counts["right_party_contacts"] += 1
            counts["consecutive_failed_attempts"] = 0
        if outcome == Outcome.HARDSHIP:
            counts["hardship_outcomes"] += 1
        if outcome == Outcome.REFUSAL:
            counts["refusals"] += 1
        if channel in (Channel.CALL, Channel.VISIT):
            counts["contact_attempts"] += 1
            if outcome in FAILED_ATTEMPT_OUTCOMES:
                counts["consecutive_failed_attempts"] += 1
    return counts


def _contact_signals(case: Case) -> dict:
    try:
        from arrears.activities.signals import case_contact_signals
    except ImportError:
        return _contact_signals_from_activities(case)
    return case_contact_signals(case)


def _promise_counts(case: Case) -> dict:
    try:
        from arrears.promises.selectors import promise_counts
    except ImportError:
        return {}
    return promise_counts(case.borrower)


def profile_signals(case: Case) -> ProfileSignals:
    """What the record says about the debtor, as the counts profiling.suggest_profile reads."""
    contact = _contact_signals(case)
    promises = _promise_counts(case)
    return ProfileSignals(
        dpd=max(case.dpd, 0),
        broken_promises=int(promises.get("broken", 0)),
        promises_kept=int(promises.get("kept", 0)),
        contact_attempts=int(contact.get("contact_attempts", 0)),
        right_party_contacts=int(contact.get("right_party_contacts", 0)),
        consecutive_failed_attempts=int(contact.get("consecutive_failed_attempts", 0)),
        hardship_outcomes=int(contact.get("hardship_outcomes", 0)),
        refusals=int(contact.get("refusals", 0)),
        disputes_open=Complaint.objects.filter(
            borrower_id=case.borrower_id, status__in=Complaint.OPEN_STATUSES
        ).count(),
        reported_deceased=has_unverified_death_report(case),
    )


def case_profile_suggestion(case: Case) -> Suggestion | None:
    """The debtor type (or first action) the record suggests, with its reason; None if none.

    Only ever shown next to the collector's choice; it is never stored over it.
    """
    return suggest_profile(profile_signals(case), profile_rules())


def reason_for(suggestion: Suggestion | None, language: str | None) -> str:
    if suggestion is None:
        return ""
    return suggestion.reason_zh if (language or "").startswith("zh") else suggestion.reason_en


@dataclass
class Profile:
    """The profile section of a case page: the collector's choice, its playbook, the suggestion."""

    debtor_type: DebtorType | None
    name: str = ""
    traits: str = ""
    example: str = ""
    techniques: list[str] = field(default_factory=list)
    suggestion: Suggestion | None = None
    suggested_type: DebtorType | None = None
    suggested_name: str = ""
    suggestion_reason: str = ""
    # The suggestion may preselect the choice (nobody has chosen a type yet).
    suggestion_preselects: bool = False
    advice: list[str] = field(default_factory=list)


def case_profile(case: Case, language: str | None) -> Profile:
    from arrears.cases.models import CollectionAdvice
    from arrears.cases.profiling import may_override

    dtype = case.debtor_type
    suggestion = case_profile_suggestion(case)
    suggested = (
        DebtorType.objects.filter(code=suggestion.code).first()
        if suggestion is not None and suggestion.is_type
        else None
    )
    profile = Profile(
        debtor_type=dtype,
        suggestion=suggestion,
        suggested_type=suggested,
        suggested_name=suggested.name_for(language) if suggested is not None else "",
        suggestion_reason=reason_for(suggestion, language),
        suggestion_preselects=bool(
            suggested is not None
            and suggested.active
            and may_override(dtype.code if dtype else None, suggestion)
        ),
        advice=[a.text_for(language) for a in CollectionAdvice.objects.filter(active=True)],
    )
    if dtype is not None:
        profile.name = dtype.name_for(language)
        profile.traits = dtype.traits_for(language)
        profile.example = dtype.example_for(language)
        profile.techniques = dtype.techniques_for(language)
    return profile


def limitation(case: Case) -> tuple[dt.date | None, bool]:
    """(deadline, time_barred) from the latest end-of-day figures of the case's loan."""
    from arrears.eod.selectors import loan_state

    state = loan_state(case.loan)
    if state is None:
        return None, False
    return state.limitation_deadline, state.time_barred


def limitation_note(case: Case) -> str:
    """One line on how the deadline came to be, as of the latest end-of-day run: the revival
    that still stands and its cause ("revived: borrower signed notice CN-… on 2026-11-24"), or
    since when the debt is time-barred. Empty when there is nothing to say."""
    from django.utils.translation import gettext as _

    from arrears.eod.selectors import loan_limitation, loan_state

    state = loan_state(case.loan)
    if state is None:
        return ""
    story = loan_limitation(case.loan, as_of=state.as_of)
    if story is None:
        return ""
    step = story.revived_by
    if step is not None:
        ev = step.event
        what = {
            "notice_signed": _("borrower signed notice %(ref)s"),
            "payment": _("borrower paid (%(ref)s)"),
            "promise": _("borrower promised to pay"),
            "plan": _("borrower accepted a repayment plan"),
            "acknowledgement": _("borrower acknowledged the debt in writing"),
        }.get(ev.kind, _("borrower's own act (%(ref)s)"))
        return _("revived: %(what)s on %(day)s") % {
            "what": what % {"ref": ev.ref},
            "day": ev.event_date.isoformat(),
        }
    if story.time_barred:
        return _("time-barred since %(day)s") % {"day": story.barred_since.isoformat()}
    return ""
