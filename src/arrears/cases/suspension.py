"""Suspension (停催): collection on a case stopped for a reason until an end date.

`case_suspend` and `suspension_lift` are the only writers of CaseSuspension; both audited.
Who may: whoever works the case (`case.work`) and sees it — the collector records that the
borrower is in hospital, a team lead that a dispute is under review. While a suspension is in
force (cases.models.suspended_on) the case is in no queue, is not allocated, rotated or
covered, and its page says when collection resumes (the day after `ends_on`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import Case, CaseSuspension, suspended_on
from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.scoping import cases_for

MAX_DAYS = 366
NOTE_MAX = 500


def _may(actor, case: Case) -> None:
    if actor is None:
        return
    if not actor.is_authenticated or actor.is_read_only or not actor.can("case.work"):
        raise CaseForbidden(_("Your role may not suspend collection."))
    if not cases_for(actor).filter(pk=case.pk).exists():
        raise CaseInvalid("case", _("No such case."), code="not_found")


def suspension_in_force(case: Case, day: dt.date | None = None) -> CaseSuspension | None:
    """The suspension in force on `day` (today), the latest-ending one if several."""
    day = day or local_today()
    return CaseSuspension.objects.filter(suspended_on(day), case=case).order_by("-ends_on").first()


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    reason: str,
    ends_on: dt.date,
    note: str = "",
    actor=None,
    starts_on: dt.date | None = None,
    source: str = "web",
) -> CaseSuspension:
    """Stop collection on the case from `starts_on` (today) through `ends_on` (audited)."""
    _may(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise CaseConflict(_("The case is closed."))
    if reason not in CaseSuspension.Reason.values:
        raise CaseInvalid(
            "reason",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(CaseSuspension.Reason.values)},
            code="bad_choice",
        )
    today = local_today()
    start = starts_on or today
    if not isinstance(ends_on, dt.date):
        raise CaseInvalid("ends_on", _("Give the end date."), code="required")
    if ends_on < today:
        raise CaseInvalid("ends_on", _("The end date is in the past."), code="past_date")
    if start < today:
        raise CaseInvalid("starts_on", _("The start date is in the past."), code="past_date")
    if ends_on < start:
        raise CaseInvalid("ends_on", _("The end date is before the start."), code="before_start")
    if (ends_on - start).days > MAX_DAYS:
        raise CaseInvalid(
            "ends_on",
            _("A suspension lasts at most %(n)d days.") % {"n": MAX_DAYS},
            code="too_long",
        )
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise CaseInvalid("note", _("At most %(n)d characters, please.") % {"n": NOTE_MAX})
    if reason == CaseSuspension.Reason.OTHER and not text:
        raise CaseInvalid("note", _("Say what the other reason is."), code="required")
    if suspension_in_force(case, start) is not None:
        raise CaseConflict(
            _("The case is already suspended; lift that suspension first."), code="suspended"
        )
    row = CaseSuspension.objects.create(
        case=case,
        reason=reason,
        note=text,
        starts_on=start,
        ends_on=ends_on,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        event="case.suspend",
        object_type="case",
        object_id=case.pk,
        after={
            "suspension": row.pk,
            "reason": reason,
            "from": start,
            "until": ends_on,
            "note": text,
        },
        source=source,
    )
    return row


@transaction.atomic
def suspension_lift(
    *, suspension: CaseSuspension, reason: str, actor=None, source: str = "web"
) -> CaseSuspension:
    """End a suspension today (collection resumes at once; audited)."""
    row = CaseSuspension.objects.select_for_update().select_related("case").get(pk=suspension.pk)
    _may(actor, row.case)
    today = local_today()
    if row.lifted_on is not None or row.ends_on < today:
        raise CaseConflict(_("This suspension has already ended."), code="ended")
    text = (reason or "").strip()
    if not text:
        raise CaseInvalid("reason", _("Say why collection resumes early."), code="required")
    if len(text) > NOTE_MAX:
        raise CaseInvalid("reason", _("At most %(n)d characters, please.") % {"n": NOTE_MAX})
    row.lifted_on = today
    row.lifted_by = actor if actor is not None and actor.is_authenticated else None
    row.lift_reason = text
    row.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
    audit_record(
        actor=actor,
        event="case.suspension_lift",
        object_type="case",
        object_id=row.case_id,
        before={"suspension": row.pk, "until": row.ends_on},
        after={"lifted_on": today, "reason": text},
        source=source,
    )
    return row
