"""Writes to cases. The end-of-day run opens, updates and closes cases here, set-based."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.core.audit import audit_record
from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.models import AuditEntry

_SNAP = "eod_loansnapshot"


@transaction.atomic
def cases_sync(*, as_of: dt.date) -> tuple[int, int]:
    """Bring cases in line with the snapshot of `as_of`; return (opened, closed).

    - an overdue loan (DPD > 0) without an open case gets one, linked to the loan's previous
      case and worked by its people, or for a first case by the loan's home assignment;
    - an open case whose loan is back to DPD 0 closes: `paid_off` when nothing at all is left,
      `settled` when a waiver (a settlement's discount) helped clear it, otherwise `cured`;
    - open cases take the day's DPD and bucket, and a bucket change is appended to the history.
    Whole-table SQL on the day's snapshot (identical on PostgreSQL and SQLite): no per-loan loop.
    Running it twice for the same day changes nothing the second time.
    """
    now = timezone.now()
    with connection.cursor() as cur:
        changed = (
            f"SELECT c.id FROM cases_case c JOIN {_SNAP} s"
            " ON s.loan_id = c.loan_id AND s.as_of = %s"
            " WHERE c.status = 'open' AND c.bucket <> s.bucket"
        )
        # A rerun of the same day after the book changed replaces that day's history rows.
        cur.execute(
            f"DELETE FROM cases_casebuckethistory WHERE as_of = %s AND case_id IN ({changed})",
            [as_of, as_of],
        )
        cur.execute(
            "INSERT INTO cases_casebuckethistory (case_id, as_of, bucket, dpd)"
            f" SELECT c.id, %s, s.bucket, s.dpd FROM cases_case c JOIN {_SNAP} s"
            " ON s.loan_id = c.loan_id AND s.as_of = %s"
            " WHERE c.status = 'open' AND c.bucket <> s.bucket",
            [as_of, as_of],
        )
        cur.execute(
            "UPDATE cases_case SET status = 'closed', closed_on = %s, updated_at = %s,"
            " dpd = 0, bucket = s.bucket,"
            " close_reason = CASE"
            " WHEN s.outstanding_principal_fen <> 0 OR s.total_due_fen <> 0 THEN 'cured'"
            # Cleared with the help of a waiver (a settlement's discount): settled, not paid.
            " WHEN EXISTS (SELECT 1 FROM book_payment w WHERE w.loan_id = cases_case.loan_id"
            " AND w.channel = 'waiver' AND w.paid_on <= %s) THEN 'settled'"
            " ELSE 'paid_off' END"
            f" FROM {_SNAP} s"
            " WHERE s.loan_id = cases_case.loan_id AND s.as_of = %s"
            " AND cases_case.status = 'open' AND s.dpd = 0",
            [as_of, now, as_of, as_of],
        )
        closed = cur.rowcount
        cur.execute(
            "UPDATE cases_case SET dpd = s.dpd, bucket = s.bucket, updated_at = %s"
            f" FROM {_SNAP} s"
            " WHERE s.loan_id = cases_case.loan_id AND s.as_of = %s"
            " AND cases_case.status = 'open'"
            " AND (cases_case.dpd <> s.dpd OR cases_case.bucket <> s.bucket)",
            [now, as_of],
        )
        # A new delinquency after a close starts a fresh case linked to the loan's latest one,
        # worked by the same people (continuity); an agency placement does not carry over.
        # A loan's first case takes the loan's home assignment from the loan book.
        cur.execute(
            "INSERT INTO cases_case (loan_id, borrower_id, opened_on, status, close_reason,"
            " bucket, dpd, team_id, collector_id, field_agent_id, legal_officer_id, agency_id,"
            " previous_case_id, created_at, updated_at)"
            " SELECT s.loan_id, l.borrower_id, %s, 'open', '', s.bucket, s.dpd,"
            " CASE WHEN p.id IS NULL THEN l.team_id ELSE p.team_id END,"
            " CASE WHEN p.id IS NULL THEN l.collector_id ELSE p.collector_id END,"
            " CASE WHEN p.id IS NULL THEN l.field_agent_id ELSE p.field_agent_id END,"
            " CASE WHEN p.id IS NULL THEN l.legal_officer_id ELSE p.legal_officer_id END,"
            " CASE WHEN p.id IS NULL THEN l.agency_id ELSE NULL END,"
            " p.id, %s, %s"
            f" FROM {_SNAP} s JOIN book_loan l ON l.id = s.loan_id"
            " LEFT JOIN cases_case p ON p.id ="
            " (SELECT MAX(c2.id) FROM cases_case c2 WHERE c2.loan_id = s.loan_id)"
            " WHERE s.as_of = %s AND s.dpd > 0 AND l.status <> 'written_off'"
            " AND NOT EXISTS (SELECT 1 FROM cases_case c"
            " WHERE c.loan_id = s.loan_id AND c.status = 'open')",
            [as_of, now, now, as_of],
        )
        opened = cur.rowcount
        if opened and connection.vendor == "postgresql":
            cur.execute("ANALYZE cases_case")  # see eod.services: keep plans sane after bulk
        cur.execute(
            "INSERT INTO cases_casebuckethistory (case_id, as_of, bucket, dpd)"
            " SELECT c.id, %s, c.bucket, c.dpd FROM cases_case c"
            " WHERE c.status = 'open' AND c.opened_on = %s AND NOT EXISTS"
            " (SELECT 1 FROM cases_casebuckethistory h WHERE h.case_id = c.id AND h.as_of = %s)",
            [as_of, as_of, as_of],
        )
    return opened, closed


# --- case work: debtor type, escalation, complaints, reported death, whereabouts ------------
#
# Every write runs in one transaction with its audit row and raises a cases.errors error
# (nothing written) for bad input, a role that may not, or a record not in a state for it.
# Messages are in the active language: the pages show them as they are, the API asks for
# English. The caller has fetched the case through the user's scope (selectors.case_for_user).

TEXT_MAX = 4000
NOTE_MAX = 500
DETAIL_MAX = 300
NAME_MAX = 200

# An escalation only ever moves up: a case on the legal track is not "merely" willful again.
ESCALATION_RANK = {
    "broken_promises": 1,
    "broken_plan": 1,
    "willful": 2,
    "legal_track": 3,
}
# Reasons a person may set by hand, and the capability each needs. broken_promises and
# broken_plan come from the end-of-day judging of promises and plans.
_MANUAL_ESCALATIONS = {"willful": "case.work", "legal_track": "case.legal_track"}


def _require(actor, capability: str, message: str) -> None:
    """Refuse a person whose role lacks `capability` (the system, actor None, may)."""
    if actor is None:
        return
    if getattr(actor, "is_read_only", False) or not actor.can(capability):
        raise CaseForbidden(message)


def _text(field: str, value: str | None, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CaseInvalid(field, _("This field is required."), code="required")
    if len(text) > limit:
        raise CaseInvalid(
            field,
            _("At most %(n)d characters, please.") % {"n": limit},
            code="too_long",
        )
    return text


def _day(field: str, value, *, default: dt.date | None = None, not_before=None) -> dt.date:
    """A business date that is not in the future (and, if given, not before `not_before`)."""
    if value in (None, ""):
        if default is None:
            raise CaseInvalid(field, _("This field is required."), code="required")
        return default
    try:
        day = parse_date(value)
    except DateError:
        raise CaseInvalid(
            field, _("Enter a real date, such as 2026-11-28."), code="bad_date"
        ) from None
    if day > local_today():
        raise CaseInvalid(field, _("The date is in the future."), code="future_date")
    if not_before is not None and day < not_before:
        raise CaseInvalid(
            field,
            _("The date is before %(day)s.") % {"day": not_before.isoformat()},
            code="date_too_early",
        )
    return day


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise CaseInvalid(
            field,
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(choices.values)},
            code="bad_choice",
        )
    return value


@transaction.atomic
def case_escalate(*, case, reason: str, on: dt.date, actor, source: str = "web") -> None:
    """Mark the case escalated for `reason` on `on` (audited).

    Idempotent and never a step down: a case already escalated for this reason, or for one at
    least as serious (ESCALATION_RANK), is left as it is and nothing is written.
    """
    from arrears.cases.models import Case, Escalation

    _choice("reason", reason, Escalation)
    capability = _MANUAL_ESCALATIONS.get(reason)
    if capability:
        _require(actor, capability, _("Your role may not escalate this case."))
    if not isinstance(on, dt.date):
        raise CaseInvalid("on", _("Enter a real date, such as 2026-11-28."), code="bad_date")
    row = Case.objects.select_for_update().get(pk=case.pk)
    current = row.escalation
    if current and ESCALATION_RANK.get(current, 0) >= ESCALATION_RANK[reason]:
        case.escalation, case.escalated_on = row.escalation, row.escalated_on
        return
    Case.objects.filter(pk=row.pk).update(
        escalation=reason, escalated_on=on, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        event="case.escalate",
        object_type="case",
        object_id=row.pk,
        before={"escalation": current, "escalated_on": row.escalated_on},
        after={"escalation": reason, "escalated_on": on},
        source=source,
    )
    case.escalation, case.escalated_on = reason, on


def cases_escalate_willful(*, as_of: dt.date, actor=None) -> int:
    """Escalate, as `willful`, every open case whose record says the default is willful.

    The evidence is an activity with default reason `willful` (its latest version: an entry
    a correction replaced does not count). Set-based: one query finds the cases, one UPDATE
    marks them, then one audit row each. Cases already escalated as far are left alone, so a
    rerun finds nothing. Returns how many cases it escalated.
    """
    from arrears.activities.models import Activity
    from arrears.cases.models import Case

    below = [r for r, rank in ESCALATION_RANK.items() if rank < ESCALATION_RANK["willful"]]
    corrected = Activity.objects.filter(corrects__isnull=False).values("corrects_id")
    willful = Activity.objects.filter(
        default_reason="willful", occurred_at__date__lte=as_of
    ).exclude(pk__in=corrected)
    with transaction.atomic():
        rows = list(
            Case.objects.filter(status=Case.Status.OPEN, pk__in=willful.values("case_id"))
            .filter(Q(escalation="") | Q(escalation__in=below))
            .select_for_update()
            .values_list("pk", "escalation", "escalated_on")
        )
        if not rows:
            return 0
        Case.objects.filter(pk__in=[pk for pk, _e, _d in rows]).update(
            escalation="willful", escalated_on=as_of, updated_at=timezone.now()
        )
        for pk, before, before_on in rows:
            audit_record(
                actor=actor,
                event="case.escalate",
                object_type="case",
                object_id=pk,
                before={"escalation": before, "escalated_on": before_on},
                after={"escalation": "willful", "escalated_on": as_of, "evidence": "activity"},
                source="eod",
            )
    return len(rows)


def cases_escalate_many(
    *, escalations: Iterable[tuple[int, dt.date]], reason: str, actor=None, source: str = "eod"
) -> int:
    """Escalate many cases for `reason`, each on its own date — (case_id, on) — set-based:
    one query reads them, one UPDATE per distinct date, one audit batch. As case_escalate,
    never a step down: a case already escalated as far is left alone. Returns how many."""
    from arrears.cases.models import Case, Escalation
    from arrears.core.audit import AuditItem, audit_record_many

    _choice("reason", reason, Escalation)
    on_by_case = dict(escalations)
    if not on_by_case:
        return 0
    below = [r for r, rank in ESCALATION_RANK.items() if rank < ESCALATION_RANK[reason]]
    with transaction.atomic():
        rows = list(
            Case.objects.filter(pk__in=on_by_case)
            .filter(Q(escalation="") | Q(escalation__in=below))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "escalation", "escalated_on")
        )
        by_day: dict[dt.date, list[int]] = {}
        for pk, _e, _d in rows:
            by_day.setdefault(on_by_case[pk], []).append(pk)
        now = timezone.now()
        for day, pks in by_day.items():
            Case.objects.filter(pk__in=pks).update(
                escalation=reason, escalated_on=day, updated_at=now
            )
        audit_record_many(
            actor=actor,
            items=[
                AuditItem(
                    "case.escalate",
                    "case",
                    pk,
                    {"escalation": before, "escalated_on": before_on},
                    {"escalation": reason, "escalated_on": on_by_case[pk]},
                )
                for pk, before, before_on in rows
            ],
            source=source,
        )
    return len(rows)


def escalations_eod_phase(ctx) -> dict:
    """End-of-day phase `escalations`: willful non-payers go to the legal-consequences track."""
    if not ctx.is_latest:
        return {"willful": 0}
    return {"willful": cases_escalate_willful(as_of=ctx.as_of, actor=ctx.actor)}


# --- debtor types --------------------------------------------------------------------------


@transaction.atomic
def case_set_debtor_type(*, case, debtor_type, actor, source: str = "web") -> bool:
    """Record the collector's choice of debtor type (None clears it); False if unchanged.

    A retired type cannot be chosen anew (a case keeps one it already has).
    """
    from arrears.cases.models import Case

    _require(actor, "case.work", _("Your role may not set the debtor type."))
    new_id = debtor_type.pk if debtor_type is not None else None
    row = Case.objects.select_for_update(of=("self",)).select_related("debtor_type").get(pk=case.pk)
    if row.debtor_type_id == new_id:
        return False
    if debtor_type is not None and not debtor_type.active:
        raise CaseInvalid(
            "debtor_type", _("This debtor type is retired; choose another."), code="retired"
        )
    now = timezone.now()
    Case.objects.filter(pk=row.pk).update(
        debtor_type=debtor_type,
        debtor_type_set_by=actor if actor is not None and actor.pk else None,
        debtor_type_set_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        event="case.debtor_type",
        object_type="case",
        object_id=row.pk,
        before={"debtor_type": row.debtor_type.code if row.debtor_type_id else None},
        after={"debtor_type": debtor_type.code if debtor_type is not None else None},
        source=source,
    )
    case.debtor_type = debtor_type
    case.debtor_type_set_by = actor
    case.debtor_type_set_at = now
    return True


_TYPE_FIELDS = (
    "name_zh",
    "name_en",
    "traits_zh",
    "traits_en",
    "example_zh",
    "example_en",
    "techniques_zh",
    "techniques_en",
    "sort_order",
)
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _type_values(values: dict) -> dict:
    clean = {}
    for name in ("name_zh", "name_en"):
        clean[name] = _text(name, values.get(name), 60, required=True)
    for name in ("traits_zh", "traits_en", "example_zh", "example_en"):
        clean[name] = _text(name, values.get(name), TEXT_MAX)
    for name in ("techniques_zh", "techniques_en"):
        items = values.get(name) or []
        if isinstance(items, str):
            items = items.splitlines()
        items = [str(t).strip() for t in items if str(t).strip()]
        if len(items) > 30 or any(len(t) > NOTE_MAX for t in items):
            raise CaseInvalid(
                name,
                _("At most 30 techniques of at most %(n)d characters each.") % {"n": NOTE_MAX},
                code="too_long",
            )
        clean[name] = items
    order = values.get("sort_order", 100)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 32767:
        raise CaseInvalid("sort_order", _("Enter a whole number from 0 to 32767."))
    clean["sort_order"] = order
    return clean


@transaction.atomic
def debtor_type_create(*, code: str, actor, source: str = "web", **values):
    """Add a debtor type with its playbook (managers; audited)."""
    from arrears.cases.models import DebtorType

    _require(actor, "playbook.edit", _("Your role may not edit debtor types."))
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise CaseInvalid(
            "code",
            _("2–40 lower-case letters, digits or _, starting with a letter (e.g. gambler)."),
            code="bad_code",
        )
    if DebtorType.objects.filter(code=code).exists():
        raise CaseInvalid("code", _("A debtor type with this code exists."), code="duplicate")
    clean = _type_values(values)
    dtype = DebtorType.objects.create(code=code, **clean)
    audit_record(
        actor=actor,
        event="debtor_type.create",
        object_type="debtor_type",
        object_id=code,
        after=clean,
        source=source,
    )
    return dtype


@transaction.atomic
def debtor_type_update(*, debtor_type, actor, source: str = "web", **values):
    """Rename a type or edit its playbook (the code stays: cases and clients refer to it)."""
    _require(actor, "playbook.edit", _("Your role may not edit debtor types."))
    merged = {f: getattr(debtor_type, f) for f in _TYPE_FIELDS}
    merged.update(values)
    clean = _type_values(merged)
    before = {f: getattr(debtor_type, f) for f in _TYPE_FIELDS}
    changed = {f: v for f, v in clean.items() if before[f] != v}
    if not changed:
        return debtor_type
    for f, v in changed.items():
        setattr(debtor_type, f, v)
    debtor_type.updated_at = timezone.now()
    debtor_type.save()
    audit_record(
        actor=actor,
        event="debtor_type.update",
        object_type="debtor_type",
        object_id=debtor_type.code,
        before={f: before[f] for f in changed},
        after=changed,
        source=source,
    )
    return debtor_type


@transaction.atomic
def debtor_type_set_active(*, debtor_type, active: bool, actor, source: str = "web"):
    """Retire a type (no new case may choose it; cases keep theirs) or bring it back."""
    _require(actor, "playbook.edit", _("Your role may not edit debtor types."))
    if debtor_type.active == active:
        return debtor_type
    debtor_type.active = active
    debtor_type.updated_at = timezone.now()
    debtor_type.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        event="debtor_type.restore" if active else "debtor_type.retire",
        object_type="debtor_type",
        object_id=debtor_type.code,
        before={"active": not active},
        after={"active": active},
        source=source,
    )
    return debtor_type


@transaction.atomic
def debtor_type_delete(*, debtor_type, actor, source: str = "web") -> None:
    """Delete a type no case has ever used (a mistake); a used type can only be retired."""
    from arrears.cases.models import Case

    _require(actor, "playbook.edit", _("Your role may not edit debtor types."))
    used = Case.objects.filter(debtor_type=debtor_type).exists()
    logged = AuditEntry.objects.filter(
        event="case.debtor_type", after__debtor_type=debtor_type.code
    ).exists()
    if used or logged:
        raise CaseConflict(
            _("This debtor type has been used on cases; retire it instead."), code="type_in_use"
        )
    audit_record(
        actor=actor,
        event="debtor_type.delete",
        object_type="debtor_type",
        object_id=debtor_type.code,
        before={f: getattr(debtor_type, f) for f in _TYPE_FIELDS},
        source=source,
    )
    debtor_type.delete()


@transaction.atomic
def advice_save(
    *,
    advice=None,
    code: str = "",
    zh: str,
    en: str,
    sort_order: int = 100,
    active: bool = True,
    actor,
    source: str = "web",
):
    """Add (advice None) or edit a piece of general collection advice (managers; audited)."""
    from arrears.cases.models import CollectionAdvice

    _require(actor, "playbook.edit", _("Your role may not edit the playbooks."))
    values = {
        "zh": _text("zh", zh, TEXT_MAX, required=True),
        "en": _text("en", en, TEXT_MAX, required=True),
        "sort_order": sort_order,
        "active": bool(active),
    }
    if not isinstance(sort_order, int) or not 0 <= sort_order <= 32767:
        raise CaseInvalid("sort_order", _("Enter a whole number from 0 to 32767."))
    if advice is None:
        code = (code or "").strip()
        if not _CODE_RE.match(code):
            raise CaseInvalid(
                "code",
                _("2–40 lower-case letters, digits or _, starting with a letter (e.g. gambler)."),
                code="bad_code",
            )
        if CollectionAdvice.objects.filter(code=code).exists():
            raise CaseInvalid("code", _("Advice with this code exists."), code="duplicate")
        advice = CollectionAdvice.objects.create(code=code, **values)
        audit_record(
            actor=actor,
            event="advice.create",
            object_type="advice",
            object_id=code,
            after=values,
            source=source,
        )
        return advice
    before = {f: getattr(advice, f) for f in values}
    changed = {f: v for f, v in values.items() if before[f] != v}
    if not changed:
        return advice
    for f, v in changed.items():
        setattr(advice, f, v)
    advice.updated_at = timezone.now()
    advice.save()
    audit_record(
        actor=actor,
        event="advice.update",
        object_type="advice",
        object_id=advice.code,
        before={f: before[f] for f in changed},
        after=changed,
        source=source,
    )
    return advice


# --- complaints and disputes ---------------------------------------------------------------


def _complaint_owner(owner):
    if owner is None:
        return None
    if not owner.is_active or not owner.can("complaint.resolve"):
        raise CaseInvalid(
            "owner",
            _("The owner must be someone who may resolve complaints (team lead or manager)."),
            code="bad_owner",
        )
    return owner


def _complaint_row(complaint):
    return {
        "category": complaint.category,
        "status": complaint.status,
        "owner": complaint.owner.username if complaint.owner_id else None,
        "opened_on": complaint.opened_on,
        "resolved_on": complaint.resolved_on,
    }


@transaction.atomic
def complaint_open(
    *,
    case,
    category: str,
    description: str,
    actor,
    owner=None,
    opened_on=None,
    source: str = "web",
):
    """Record a complaint or dispute on the case; the dispute hold applies while it is open."""
    from arrears.cases.models import Complaint

    _require(actor, "case.work", _("Your role may not record complaints."))
    complaint = Complaint(
        case=case,
        borrower_id=case.borrower_id,
        category=_choice("category", category, Complaint.Category),
        description=_text("description", description, TEXT_MAX, required=True),
        owner=_complaint_owner(owner),
        opened_on=_day("opened_on", opened_on, default=local_today()),
        created_by=actor if actor is not None and actor.pk else None,
    )
    if complaint.owner is not None:
        complaint.status = Complaint.Status.INVESTIGATING
    complaint.save()
    audit_record(
        actor=actor,
        event="complaint.open",
        object_type="complaint",
        object_id=complaint.pk,
        after={"case": case.pk, **_complaint_row(complaint)},
        source=source,
    )
    return complaint


@transaction.atomic
def complaint_assign(*, complaint, owner, actor, source: str = "web"):
    """Give an open complaint an owner; it is then under investigation."""
    from arrears.cases.models import Complaint

    _require(actor, "complaint.resolve", _("Your role may not assign complaints."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not complaint.is_open:
        raise CaseConflict(_("This complaint is already closed."), code="complaint_closed")
    if owner is None:
        raise CaseInvalid("owner", _("This field is required."), code="required")
    _complaint_owner(owner)
    before = _complaint_row(complaint)
    complaint.owner = owner
    complaint.status = Complaint.Status.INVESTIGATING
    complaint.save(update_fields=["owner", "status"])
    audit_record(
        actor=actor,
        event="complaint.assign",
        object_type="complaint",
        object_id=complaint.pk,
        before=before,
        after=_complaint_row(complaint),
        source=source,
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *, complaint, status: str, resolution: str, actor, resolved_on=None, source: str = "web"
):
    """Close a complaint as resolved (upheld or settled) or rejected, with the resolution.

    The dispute hold lifts when the borrower has no other open complaint.
    """
    from arrears.cases.models import Complaint

    _require(actor, "complaint.resolve", _("Your role may not resolve complaints."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not complaint.is_open:
        raise CaseConflict(_("This complaint is already closed."), code="complaint_closed")
    if status not in (Complaint.Status.RESOLVED, Complaint.Status.REJECTED):
        raise CaseInvalid("status", _("Choose resolved or rejected."), code="bad_choice")
    before = _complaint_row(complaint)
    complaint.status = status
    complaint.resolution = _text("resolution", resolution, TEXT_MAX, required=True)
    complaint.resolved_on = _day(
        "resolved_on", resolved_on, default=local_today(), not_before=complaint.opened_on
    )
    complaint.resolved_at = timezone.now()
    complaint.resolved_by = actor if actor is not None and actor.pk else None
    complaint.save()
    audit_record(
        actor=actor,
        event="complaint.resolve",
        object_type="complaint",
        object_id=complaint.pk,
        before=before,
        after={**_complaint_row(complaint), "resolution": complaint.resolution},
        source=source,
    )
    return complaint


# --- reported death ------------------------------------------------------------------------


@transaction.atomic
def death_report_open(
    *,
    case,
    reported_on,
    report_source: str,
    actor,
    source_detail: str = "",
    note: str = "",
    source: str = "web",
):
    """Record a report that the borrower died; collection contact is held until it is decided."""
    from arrears.cases.models import DeathReport

    _require(actor, "case.work", _("Your role may not record a death report."))
    if DeathReport.objects.filter(case=case, outcome=DeathReport.Outcome.UNVERIFIED).exists():
        raise CaseConflict(
            _("A death report on this case is already being verified; add to it."),
            code="death_report_open",
        )
    report = DeathReport.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        reported_on=_day("reported_on", reported_on, default=local_today()),
        reported_by=actor if actor is not None and actor.pk else None,
        source=_choice("source", report_source, DeathReport.Source),
        source_detail=_text("source_detail", source_detail, NAME_MAX),
        note=_text("note", note, TEXT_MAX),
    )
    audit_record(
        actor=actor,
        event="death_report.open",
        object_type="death_report",
        object_id=report.pk,
        after={
            "case": case.pk,
            "reported_on": report.reported_on,
            "source": report.source,
            "source_detail": report.source_detail,
        },
        source=source,
    )
    return report


def _open_report(report):
    from arrears.cases.models import DeathReport

    report = DeathReport.objects.select_for_update().get(pk=report.pk)
    if report.outcome != DeathReport.Outcome.UNVERIFIED:
        raise CaseConflict(_("This death report has been decided."), code="death_report_decided")
    return report


@transaction.atomic
def death_report_check(*, report, checks: dict, actor, source: str = "web"):
    """Update the verification checklist: {item: (checked, note)} for items of CHECKLIST."""
    from arrears.cases.models import DeathReport

    _require(actor, "case.work", _("Your role may not update a death report."))
    report = _open_report(report)
    before, after = {}, {}
    for item, value in checks.items():
        if item not in DeathReport.CHECKLIST:
            raise CaseInvalid(
                item,
                _("Unknown checklist item; known: %(items)s.")
                % {"items": ", ".join(DeathReport.CHECKLIST)},
                code="bad_choice",
            )
        checked, note = value
        note = _text(f"{item}_note", note, NOTE_MAX)
        old = (getattr(report, f"check_{item}"), getattr(report, f"check_{item}_note"))
        if old != (bool(checked), note):
            before[item] = {"checked": old[0], "note": old[1]}
            after[item] = {"checked": bool(checked), "note": note}
            setattr(report, f"check_{item}", bool(checked))
            setattr(report, f"check_{item}_note", note)
    if after:
        report.save()
        audit_record(
            actor=actor,
            event="death_report.checklist",
            object_type="death_report",
            object_id=report.pk,
            before=before,
            after=after,
            source=source,
        )
    return report


@transaction.atomic
def death_report_add_evidence(*, report, documents, actor, source: str = "web"):
    """Attach documents already filed on the borrower (death certificate, …) as evidence."""
    _require(actor, "case.work", _("Your role may not update a death report."))
    report = _open_report(report)
    documents = list(documents)
    for doc in documents:
        if doc.borrower_id != report.borrower_id and doc.case_id != report.case_id:
            raise CaseInvalid(
                "documents",
                _("Document %(id)s is not filed on this borrower.") % {"id": doc.pk},
                code="foreign_document",
            )
    have = set(report.evidence.values_list("pk", flat=True))
    new = [d for d in documents if d.pk not in have]
    if new:
        report.evidence.add(*new)
        audit_record(
            actor=actor,
            event="death_report.evidence",
            object_type="death_report",
            object_id=report.pk,
            after={"documents": [d.pk for d in new]},
            source=source,
        )
    return report


@transaction.atomic
def death_report_decide(
    *, report, outcome: str, actor, decided_on=None, note: str = "", source: str = "web"
):
    """Decide a death report: `confirmed` or `false`.

    Confirmed needs some verification (a checklist item or an evidence document); the
    borrower's open cases move to estate handling and the debtor status becomes `deceased`.
    False lifts the hold. Either way the decision is final.
    """
    from arrears.cases.models import Case, DeathReport

    _require(actor, "death.decide", _("Your role may not decide death reports."))
    report = _open_report(report)
    if outcome not in (DeathReport.Outcome.CONFIRMED, DeathReport.Outcome.FALSE):
        raise CaseInvalid("outcome", _("Choose confirmed or false."), code="bad_choice")
    decided_on = _day(
        "decided_on", decided_on, default=local_today(), not_before=report.reported_on
    )
    note = _text("note", note, TEXT_MAX)
    if outcome == DeathReport.Outcome.CONFIRMED:
        checked = any(getattr(report, f"check_{i}") for i in DeathReport.CHECKLIST)
        if not checked and not report.evidence.exists():
            raise CaseInvalid(
                "outcome",
                _(
                    "Verify the death first: tick a checklist item you confirmed, or attach "
                    "evidence such as a death certificate."
                ),
                code="unverified",
            )
    elif not note:
        raise CaseInvalid("note", _("Say how the report was found to be false."), code="required")
    report.outcome = outcome
    report.decided_on = decided_on
    report.decided_by = actor if actor is not None and actor.pk else None
    report.decision_note = note
    report.save()
    audit_record(
        actor=actor,
        event="death_report.decide",
        object_type="death_report",
        object_id=report.pk,
        before={"outcome": DeathReport.Outcome.UNVERIFIED},
        after={"outcome": outcome, "decided_on": decided_on, "note": note},
        source=source,
    )
    if outcome == DeathReport.Outcome.CONFIRMED:
        # Death is a fact about the person: every open case of the borrower goes to the estate.
        ids = list(
            Case.objects.filter(
                borrower_id=report.borrower_id, status=Case.Status.OPEN, estate_handling=False
            ).values_list("pk", flat=True)
        )
        Case.objects.filter(pk__in=ids).update(
            estate_handling=True, estate_handling_on=decided_on, updated_at=timezone.now()
        )
        for pk in ids:
            audit_record(
                actor=actor,
                event="case.estate",
                object_type="case",
                object_id=pk,
                before={"estate_handling": False},
                after={
                    "estate_handling": True,
                    "estate_handling_on": decided_on,
                    "death_report": report.pk,
                },
                source=source,
            )
    return report


@transaction.atomic
def case_estate_update(
    *,
    case,
    party_repays: bool | None,
    actor,
    party_name: str = "",
    party_relation: str = "",
    agreed_fen: int | None = None,
    source: str = "web",
):
    """Record whether a related party repays in the late borrower's place (代位清偿)."""
    from arrears.cases.models import Case

    _require(actor, "case.work", _("Your role may not update estate handling."))
    row = Case.objects.select_for_update().get(pk=case.pk)
    if not row.estate_handling:
        raise CaseConflict(
            _("The case is not in estate handling (no confirmed death)."), code="no_estate"
        )
    name = _text("party_name", party_name, NAME_MAX)
    relation = _text("party_relation", party_relation, 100)
    if agreed_fen is not None and (not isinstance(agreed_fen, int) or agreed_fen <= 0):
        raise CaseInvalid(
            "agreed_amount", _("The amount must be greater than zero."), code="bad_amount"
        )
    if party_repays:
        if not name:
            raise CaseInvalid("party_name", _("Name the person who repays."), code="required")
        if not relation:
            raise CaseInvalid(
                "party_relation", _("Say how they are related to the borrower."), code="required"
            )
    elif party_repays is None and agreed_fen is not None:
        raise CaseInvalid(
            "agreed_amount",
            _("An agreed amount needs a related party who repays."),
            code="no_party",
        )
    fields = (
        "estate_party_repays",
        "estate_party_name",
        "estate_party_relation",
        "estate_agreed_fen",
    )
    before = {f: getattr(row, f) for f in fields}
    after = {
        "estate_party_repays": party_repays,
        "estate_party_name": name,
        "estate_party_relation": relation,
        "estate_agreed_fen": agreed_fen if party_repays else None,
    }
    if before == after:
        return case
    Case.objects.filter(pk=row.pk).update(**after, updated_at=timezone.now())
    audit_record(
        actor=actor,
        event="case.estate",
        object_type="case",
        object_id=row.pk,
        before=before,
        after=after,
        source=source,
    )
    for f, v in after.items():
        setattr(case, f, v)
    return case


# --- whereabouts ---------------------------------------------------------------------------


@transaction.atomic
def whereabouts_record(
    *, case, status: str, actor, detail: str = "", recorded_on=None, source: str = "web"
):
    """Record where the borrower is (moved away, e.g. working in Shenzhen; unreachable;
    located again). The latest record decides the `unreachable` debtor status."""
    from arrears.cases.models import Whereabouts

    _require(actor, "case.work", _("Your role may not record whereabouts."))
    status = _choice("status", status, Whereabouts.Status)
    detail = _text("detail", detail, DETAIL_MAX, required=status != Whereabouts.Status.UNREACHABLE)
    entry = Whereabouts.objects.create(
        case=case,
        borrower_id=case.borrower_id,
        status=status,
        detail=detail,
        recorded_on=_day("recorded_on", recorded_on, default=local_today()),
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    audit_record(
        actor=actor,
        event="whereabouts.record",
        object_type="whereabouts",
        object_id=entry.pk,
        after={
            "case": case.pk,
            "status": status,
            "detail": detail,
            "recorded_on": entry.recorded_on,
        },
        source=source,
    )
    return entry
