"""Facts a person records on a case that the rules read (activities.models.RecordedFact).

Writes: `fact_record` and `fact_withdraw`, each audited in its transaction; the web (case page)
and the API call them. Reads: `borrower_conduct_facts` gives what compliance.rules.CaseFacts
needs (opted_out, inconvenient_windows, consent_outside_hours, refused_by, forbearance_offered,
debtor_enforcement_exhausted); the guarantee rule reads the demands on guarantors
(book.guarantees); the limitation registry reads written acknowledgements ("acknowledgement").
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.activities.errors import ActivityForbidden, ActivityInvalid
from arrears.activities.models import Channel, RecordedFact
from arrears.core.audit import audit_record
from arrears.core.dates import local_today

WORK_CAPABILITY = "case.work"
Kind = RecordedFact.Kind
NOTE_MAX = 2000

# A written acknowledgement by the borrower (or a guarantor: kept apart) is a restart event.
ACKNOWLEDGEMENT_SQL = (
    "SELECT loan_id, happened_on AS event_date,"
    " CASE WHEN guarantor_id IS NULL THEN 'debtor' ELSE 'guarantor' END AS actor,"
    " CAST(NULL AS DATE) AS reached_on, CAST(id AS VARCHAR(20)) AS ref"
    " FROM activities_recordedfact"
    " WHERE kind = 'acknowledgement' AND withdrawn_at IS NULL AND happened_on <= {as_of}{subset}"
)


def _require(actor) -> None:
    if actor is not None and (actor.is_read_only or not actor.can(WORK_CAPABILITY)):
        raise ActivityForbidden(_("Your role may not record facts on a case."))


def _view(fact: RecordedFact) -> dict:
    return {
        "kind": fact.kind,
        "on": fact.happened_on.isoformat(),
        "contact": fact.contact_id,
        "guarantor": fact.guarantor_id,
        "channel": fact.channel,
        "starts": fact.starts.strftime("%H:%M") if fact.starts else None,
        "ends": fact.ends.strftime("%H:%M") if fact.ends else None,
        "note": fact.note,
        "case": fact.case_id,
    }


def fact_record(
    *,
    case,
    kind: str,
    on: dt.date,
    actor,
    contact=None,
    guarantor=None,
    channel: str = "",
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    note: str = "",
    source: str = "web",
    ip: str | None = None,
) -> RecordedFact:
    """Record one fact about a case (see RecordedFact.Kind), audited. Refused with the field
    at fault when something it needs is missing or does not belong to the case."""
    from arrears.book.models import Guarantor

    _require(actor)
    if kind not in Kind.values:
        raise ActivityInvalid("kind", _("unknown fact %(kind)r") % {"kind": kind})
    if not isinstance(on, dt.date) or on > local_today():
        raise ActivityInvalid("on", _("the day it happened, not in the future"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        raise ActivityInvalid("note", _("at most %(n)s characters") % {"n": NOTE_MAX})
    if kind == Kind.THIRD_PARTY_REFUSED:
        if contact is None:
            raise ActivityInvalid("contact", _("name the third party who refused"))
        if contact.borrower_id != case.borrower_id:
            raise ActivityInvalid("contact", _("this contact belongs to another borrower"))
    elif contact is not None:
        raise ActivityInvalid("contact", _("only a third party's refusal names a contact"))
    if kind == Kind.GUARANTOR_DEMAND and guarantor is None:
        raise ActivityInvalid("guarantor", _("name the guarantor payment was demanded from"))
    if guarantor is not None:
        if kind not in (Kind.GUARANTOR_DEMAND, Kind.ACKNOWLEDGEMENT):
            raise ActivityInvalid("guarantor", _("this fact does not name a guarantor"))
        if not Guarantor.objects.filter(pk=guarantor.pk, loan_id=case.loan_id).exists():
            raise ActivityInvalid(
                "guarantor", _("this guarantor does not guarantee the case's loan")
            )
    if kind == Kind.OPT_OUT:
        if channel not in Channel.values or channel == Channel.OTHER:
            raise ActivityInvalid("channel", _("the channel the debtor opted out of"))
    elif channel:
        raise ActivityInvalid("channel", _("only an opt-out names a channel"))
    for name, value in (("starts", starts), ("ends", ends)):
        if value is not None and (not isinstance(value, dt.time) or value.tzinfo is not None):
            raise ActivityInvalid(name, _("a local time of day (HH:MM), without a zone"))
    if kind == Kind.INCONVENIENT_TIME:
        if starts is None or ends is None or not starts < ends:
            raise ActivityInvalid("starts", _("from and until, the first before the second"))
    elif starts is not None or ends is not None:
        raise ActivityInvalid("starts", _("only an inconvenient time has hours"))
    with transaction.atomic():
        fact = RecordedFact.objects.create(
            case=case,
            loan_id=case.loan_id,
            borrower_id=case.borrower_id,
            kind=kind,
            happened_on=on,
            contact=contact,
            guarantor=guarantor,
            channel=channel,
            starts=starts,
            ends=ends,
            note=note,
            recorded_by=actor if actor is not None and actor.pk else None,
        )
        audit_record(
            actor=actor,
            event="fact.record",
            object_type="activities.RecordedFact",
            object_id=fact.pk,
            after=_view(fact),
            source=source,
            ip=ip,
        )
    return fact


def fact_withdraw(
    *, fact: RecordedFact, reason: str, actor, source: str = "web", ip: str | None = None
) -> RecordedFact:
    """Withdraw a fact that no longer holds (the debtor takes an opt-out back), audited."""
    _require(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ActivityInvalid("reason", _("say why it no longer holds"))
    with transaction.atomic():
        fact = RecordedFact.objects.select_for_update().get(pk=fact.pk)
        if fact.withdrawn_at is not None:
            raise ActivityInvalid("fact", _("already withdrawn"), code="conflict")
        fact.withdrawn_at = timezone.now()
        fact.withdrawn_by = actor if actor is not None and actor.pk else None
        fact.withdrawn_reason = reason[:300]
        fact.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit_record(
            actor=actor,
            event="fact.withdraw",
            object_type="activities.RecordedFact",
            object_id=fact.pk,
            before=_view(fact),
            after={"withdrawn_reason": fact.withdrawn_reason},
            source=source,
            ip=ip,
        )
    return fact


def active_facts(case):
    """The case's borrower's facts still in force (this case's and the borrower's others)."""
    return RecordedFact.objects.filter(borrower_id=case.borrower_id, withdrawn_at__isnull=True)


def borrower_conduct_facts(case) -> dict:
    """The CaseFacts fields the recorded facts set, for compliance.rules.

    Opt-outs, named times, consent and refusals are the person's, so they hold on every case
    of the borrower; forbearance and enforcement are about this loan.
    """
    rows = list(
        active_facts(case).values_list("kind", "loan_id", "contact_id", "channel", "starts", "ends")
    )
    return {
        "opted_out": frozenset(ch for k, _l, _c, ch, _s, _e in rows if k == Kind.OPT_OUT),
        "inconvenient_windows": tuple(
            sorted((s, e) for k, _l, _c, _ch, s, e in rows if k == Kind.INCONVENIENT_TIME)
        ),
        "consent_outside_hours": any(k == Kind.CONSENT_OUTSIDE_HOURS for k, *_ in rows),
        "refused_by": frozenset(
            f"contact:{c}" for k, _l, c, *_ in rows if k == Kind.THIRD_PARTY_REFUSED
        ),
        "forbearance_offered": any(
            k == Kind.FORBEARANCE_OFFERED and loan == case.loan_id for k, loan, *_ in rows
        ),
        "debtor_enforcement_exhausted": any(
            k == Kind.ENFORCEMENT_EXHAUSTED and loan == case.loan_id for k, loan, *_ in rows
        ),
    }
