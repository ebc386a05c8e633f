"""Logging activities (contact attempts and actions on a case), with the act-time compliance check.

`activity_log` is the one way an activity is written, by the web, the API and (in bulk, through
the same checks) the import. It validates the input, asks the case's rule pack whether the
contact may happen (compliance.rules.check_action over facts read by activities.facts), and
either refuses (`ContactRefused`, nothing saved) or saves the entry with the pack's warnings,
writing the audit row in the same transaction. A blocking rule may be overridden by a role the
rule names, with a written reason (compliance.services.override_record, audited).

Activities are append-only: a correction is a new entry whose `corrects` points at the entry
it replaces (activities/models.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.activities.errors import ActivityForbidden, ActivityInvalid, ContactRefused
from arrears.activities.facts import attempt_from, base_facts, borrower_attempts, pack_for_case
from arrears.activities.models import (
    CONNECTED_OUTCOMES,
    Activity,
    Channel,
    DefaultReason,
    Direction,
    Outcome,
    Purpose,
    Source,
    TargetKind,
)
from arrears.compliance import rules
from arrears.core.audit import audit_record
from arrears.core.dates import local_today, local_zone
from arrears.core.ids import mask_phone, normalize_phone

# A closed case can still take entries for a while (a late call record, a correction).
CLOSED_GRACE_DAYS = 90
# Clocks differ a little between a phone, a dialer and the server.
FUTURE_SLACK = dt.timedelta(minutes=5)
NOTE_MAX = 5000
RECORDING_REF_MAX = 200
MAX_DURATION_SECONDS = 24 * 3600
MAX_PARTICIPANTS = 20
MIN_OVERRIDE_REASON = 10
OVERRIDE_CAPABILITY = "compliance.override"
WORK_CAPABILITY = "case.work"

# Outcomes that only make sense on some channels (a letter is never "busy").
OUTCOME_CHANNELS = {
    Outcome.BUSY: frozenset({Channel.CALL}),
    Outcome.WRONG_NUMBER: frozenset({Channel.CALL, Channel.SMS}),
    Outcome.NUMBER_INVALID: frozenset({Channel.CALL, Channel.SMS}),
}
# Channels where an outcome in CONNECTED_OUTCOMES means somebody was spoken to.
CONVERSATION_CHANNELS = frozenset({Channel.CALL, Channel.VISIT})
# Channels whose note is the text sent, linted by the pack (threats, insults, debt to a third
# party…). A call's or visit's note is the collector's own record, not something sent.
MESSAGE_CHANNELS = frozenset({Channel.SMS, Channel.LETTER, Channel.EMAIL})
# Checks about our own initiative (when and how often *we* contact). They do not apply when the
# debtor contacts us; see `judge` and docs/activities.md.
INITIATIVE_KINDS = frozenset(
    {
        "contact_hours",
        "connected_calls",
        "unanswered_attempts",
        "call_frequency_window",
        "conversation_quiet_period",
        "third_party_once",
        "opt_out",
        "visit",
    }
)


# ------------------------------------------------------------------------------ validation


def _choice(field: str, value, choices: type, *, blank: bool = False) -> str:
    text = "" if value is None else str(value)
    if blank and text == "":
        return ""
    if text not in choices.values:
        allowed = ", ".join(choices.values)
        raise ActivityInvalid(
            field,
            _("unknown %(what)s %(value)r (%(allowed)s)")
            % {"what": field.replace("_", " "), "value": text, "allowed": allowed},
        )
    return text


def case_takes_entries(case, today: dt.date | None = None) -> bool:
    """Open, or closed no more than CLOSED_GRACE_DAYS ago."""
    if case.status == "open":
        return True
    today = today or local_today()
    return case.closed_on is not None and case.closed_on >= today - dt.timedelta(
        days=CLOSED_GRACE_DAYS
    )


def _check_case(case) -> None:
    if not case_takes_entries(case):
        raise ActivityInvalid(
            "case",
            _(
                "case %(case)s was closed on %(day)s; entries can be added up to %(days)s days "
                "after a case closes"
            )
            % {"case": case.pk, "day": case.closed_on, "days": CLOSED_GRACE_DAYS},
            code="case_closed",
        )


def _check_time(occurred_at, now: dt.datetime) -> dt.datetime:
    if not isinstance(occurred_at, dt.datetime):
        raise ActivityInvalid("occurred_at", _("give the date and time of the contact"))
    if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        raise ActivityInvalid(
            "occurred_at", _("give the time with its time zone (e.g. 2026-11-28T15:30+08:00)")
        )
    if occurred_at > now + FUTURE_SLACK:
        raise ActivityInvalid(
            "occurred_at", _("the time is in the future: log a contact when it has happened")
        )
    return occurred_at


# A callback further out than this is a typo (a year for a month), not a plan.
MAX_CALLBACK_DAYS = 366


def _check_next_action(next_action_at, occurred_at: dt.datetime) -> dt.datetime | None:
    if next_action_at is None:
        return None
    if not isinstance(next_action_at, dt.datetime) or next_action_at.utcoffset() is None:
        raise ActivityInvalid(
            "next_action_at", _("give the date and time of the next action with its time zone")
        )
    if next_action_at <= occurred_at:
        raise ActivityInvalid(
            "next_action_at", _("the next action must come after the contact it follows")
        )
    if next_action_at > occurred_at + dt.timedelta(days=MAX_CALLBACK_DAYS):
        raise ActivityInvalid(
            "next_action_at", _("the next action is more than a year away: check the date")
        )
    return next_action_at


def _check_whole(field: str, value, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ActivityInvalid(field, _("must be a whole number"))
    if not low <= value <= high:
        raise ActivityInvalid(
            field, _("must be between %(low)s and %(high)s") % {"low": low, "high": high}
        )
    return value


def _check_text(field: str, value, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise ActivityInvalid(field, _("must not contain NUL characters"))
    if len(text) > limit:
        raise ActivityInvalid(field, _("longer than %(n)s characters") % {"n": limit})
    return text


@dataclass(frozen=True)
class Who:
    """Who a contact reached, resolved against the case."""

    kind: str
    relation: str
    contact: object | None
    guarantor: object | None
    number: str
    guarantee_kind: str = "joint"
    guarantee_released: bool = False

    @property
    def person(self) -> str:
        from arrears.activities.facts import person_key

        return person_key(
            self.kind,
            self.contact.pk if self.contact is not None else None,
            self.guarantor.pk if self.guarantor is not None else None,
        )

    def target(self) -> rules.Target:
        return rules.Target(
            kind=self.kind,
            person=self.person,
            number=self.number,
            relation=self.relation,
            guarantee_kind=self.guarantee_kind,
            guarantee_released=self.guarantee_released,
        )


def _digits(number: str) -> str:
    return "".join(c for c in number or "" if c.isdigit())


def _match_number(case, number: str):
    """(contact, guarantor) of the case whose phone is `number`; (None, None) for the borrower;
    ActivityInvalid if nobody on file has it."""
    from arrears.book.models import Guarantor

    digits = _digits(number)
    borrower = case.borrower
    if digits in {_digits(borrower.phone), _digits(borrower.phone2)} - {""}:
        return None, None
    for contact in borrower.contacts.all():
        if contact.phone and _digits(contact.phone) == digits:
            return contact, None
    for guarantor in Guarantor.objects.filter(loan_id=case.loan_id):
        if guarantor.phone and _digits(guarantor.phone) == digits:
            return None, guarantor
    raise ActivityInvalid(
        "number",
        _(
            "this number is not on file for the borrower, their contacts or the loan's "
            "guarantors: add it as a contact first, so the rules know who it reaches"
        ),
        code="unknown_number",
    )


def resolve_who(case, *, contact, guarantor, number: str, channel: str, pack) -> Who:
    """Check that the contact or guarantor belongs to the case, derive the target kind from the
    pack, and fill in the number (the dialled person's phone for calls and texts)."""
    if contact is not None and guarantor is not None:
        raise ActivityInvalid("guarantor", _("name either a contact or a guarantor, not both"))
    number = (number or "").strip()
    if number:
        try:
            number = normalize_phone(number)
        except ValueError as exc:
            raise ActivityInvalid("number", _("not a mainland mobile or landline number")) from exc
        if contact is None and guarantor is None:
            contact, guarantor = _match_number(case, number)
    released = False
    if contact is not None:
        if contact.borrower_id != case.borrower_id:
            raise ActivityInvalid(
                "contact", _("this contact belongs to another borrower"), code="not_found"
            )
        kind = rules.classify_target(pack, contact.relation)
        phone, relation = contact.phone, contact.relation
        guarantee_kind = "joint"
    elif guarantor is not None:
        if guarantor.loan_id != case.loan_id:
            raise ActivityInvalid(
                "guarantor",
                _("this guarantor does not guarantee the case's loan"),
                code="not_found",
            )
        kind, phone, relation = TargetKind.GUARANTOR, guarantor.phone, "guarantor"
        guarantee_kind = guarantor.kind
        # Released when the guarantee period passed without the claim the type needs
        # (Civil Code art. 693; activities.guarantees): no longer an obligor.
        from arrears.activities.guarantees import guarantor_released

        released = guarantor_released(guarantor, as_of=local_today())
    else:
        kind, phone, relation = TargetKind.BORROWER, case.borrower.phone, "self"
        guarantee_kind = "joint"
    if not number and channel in (Channel.CALL, Channel.SMS):
        number = phone or ""
    return Who(
        kind=kind,
        relation=relation,
        contact=contact,
        guarantor=guarantor,
        number=number,
        guarantee_kind=guarantee_kind,
        guarantee_released=released,
    )


# ------------------------------------------------------------------------------ the rule pack


def rule_kinds(pack) -> dict[str, str]:
    spec = pack if isinstance(pack, rules.PackSpec) else pack.spec()
    return {r.rule_id: r.kind for r in spec.rules}


def judge(
    action: rules.Action,
    facts: rules.CaseFacts,
    pack,
    *,
    direction: str,
    overridden: Iterable[str] = (),
) -> rules.Decision:
    """check_action, with one adjustment for contacts the debtor started.

    When the debtor calls, writes or walks in (direction inbound), the checks about our own
    initiative (hours, frequency, quiet period, visit evidence, opt-out) do not apply, and
    nothing is refused: the record of what the debtor did must exist. What remains (a hold,
    a third party, a released guarantor) becomes a warning, so the collector keeps to the
    allowed purpose in the conversation.
    """
    if action.channel not in rules.CHANNELS:
        return rules.Decision(allowed=True)
    if direction == Direction.INBOUND:
        action = replace(action, text=None)  # the debtor's words are not ours to lint
    decision = rules.check_action(action, facts, pack, overridden=overridden)
    if direction != Direction.INBOUND:
        return decision
    kinds = rule_kinds(pack)
    kept = tuple(
        replace(o, mode=rules.WARN)
        for o in decision.outcomes
        if kinds.get(o.rule_id) not in INITIATIVE_KINDS
    )
    return rules.Decision(allowed=True, outcomes=kept)


def _override_problem(actor, blocking: Sequence[rules.RuleOutcome]) -> str:
    if actor is None or not actor.can(OVERRIDE_CAPABILITY) or actor.is_read_only:
        role = getattr(actor, "role", "system")
        return _("your role (%(role)s) may not override compliance rules") % {"role": role}
    problems = []
    for o in blocking:
        if not o.overridable:
            problems.append(_("%(rule)s cannot be overridden by any role") % {"rule": o.rule_id})
        elif actor.role not in o.override_roles:
            problems.append(
                _("%(rule)s may be overridden only by: %(roles)s")
                % {"rule": o.rule_id, "roles": ", ".join(o.override_roles)}
            )
    return "; ".join(problems)


def _outcome_dict(o: rules.RuleOutcome) -> dict:
    return {"rule_id": o.rule_id, "zh": o.message_zh, "en": o.message_en}


def build_action(
    *,
    channel: str,
    at: dt.datetime,
    who: Who,
    purpose: str,
    participants: int | None,
    recording_ref: str,
    note: str,
) -> rules.Action:
    return rules.Action(
        channel=channel,
        at=at,
        target=who.target(),
        purpose=purpose,
        participants=participants,
        recording_ref=recording_ref,
        text=note if channel in MESSAGE_CHANNELS and note else None,
    )


# ------------------------------------------------------------------------------ logging


def _audit_view(activity: Activity) -> dict:
    # The audit trail is not encrypted: numbers go in masked, like every page shows them.
    return {
        "case": activity.case_id,
        "loan": activity.loan.external_id,
        "channel": activity.channel,
        "direction": activity.direction,
        "target_kind": activity.target_kind,
        "contact": activity.contact_id,
        "guarantor": activity.guarantor_id,
        "relation": activity.relation,
        "number": mask_phone(activity.number),
        "purpose": activity.purpose,
        "occurred_at": activity.occurred_at,
        "duration_seconds": activity.duration_seconds,
        "outcome": activity.outcome,
        "connected": activity.connected,
        "default_reason": activity.default_reason,
        "note": activity.note,
        "participants": activity.participants,
        "recording_ref": activity.recording_ref,
        "next_action_at": activity.next_action_at,
        "corrects": activity.corrects_id,
        "import_key": activity.import_key,
        "warnings": [w["rule_id"] for w in activity.warnings],
        "overridden": [w["rule_id"] for w in activity.overridden],
    }


def _same_act(original: Activity, *, channel, occurred_at, direction, who, purpose, note,
              participants, recording_ref) -> bool:  # fmt: skip
    """Whether a correction describes the same contact (only what was learned differs)."""
    original_text = original.note if original.channel in MESSAGE_CHANNELS else ""
    text = note if channel in MESSAGE_CHANNELS else ""
    return (
        original.channel == channel
        and original.occurred_at == occurred_at
        and original.direction == direction
        and original.target_kind == who.kind
        and original.contact_id == (who.contact.pk if who.contact is not None else None)
        and original.guarantor_id == (who.guarantor.pk if who.guarantor is not None else None)
        and _digits(original.number) == _digits(who.number)
        and original.purpose == purpose
        and original.participants == participants
        and original.recording_ref == recording_ref
        and original_text == text
    )


def activity_log(
    *,
    case,
    channel: str,
    outcome: str,
    occurred_at: dt.datetime,
    actor,
    source: str,
    direction: str = "outbound",
    contact=None,
    guarantor=None,
    number: str = "",
    purpose: str = "collect",
    duration_seconds: int | None = None,
    default_reason: str = "",
    note: str = "",
    participants: int | None = None,
    recording_ref: str = "",
    next_action_at: dt.datetime | None = None,
    import_key: str | None = None,
    corrects: Activity | None = None,
    override_reason: str = "",
    documents: Iterable = (),
    ip: str | None = None,
) -> Activity:
    """Record one contact attempt or action on a case; see the module docstring.

    Raises ActivityInvalid(field, message) for bad input, ContactRefused(decision) when the
    rule pack blocks the contact (and no permitted override was given), ActivityForbidden
    when the actor's role may not record activities. Nothing is saved on any error.
    """
    if actor is not None and (actor.is_read_only or not actor.can(WORK_CAPABILITY)):
        raise ActivityForbidden(
            _("your role (%(role)s) may not record activities") % {"role": actor.role}
        )
    channel = _choice("channel", channel, Channel)
    outcome = _choice("outcome", outcome, Outcome)
    direction = _choice("direction", direction, Direction)
    purpose = _choice("purpose", purpose, Purpose)
    source = _choice("source", source, Source)
    default_reason = _choice("default_reason", default_reason, DefaultReason, blank=True)
    allowed = OUTCOME_CHANNELS.get(outcome)
    if allowed is not None and channel not in allowed:
        raise ActivityInvalid(
            "outcome",
            _("outcome %(outcome)s does not go with channel %(channel)s")
            % {"outcome": outcome, "channel": channel},
        )
    occurred_at = _check_time(occurred_at, timezone.now())
    next_action_at = _check_next_action(next_action_at, occurred_at)
    duration_seconds = _check_whole("duration_seconds", duration_seconds, 0, MAX_DURATION_SECONDS)
    participants = _check_whole("participants", participants, 1, MAX_PARTICIPANTS)
    note = _check_text("note", note, NOTE_MAX)
    recording_ref = _check_text("recording_ref", recording_ref, RECORDING_REF_MAX)
    override_reason = _check_text("override_reason", override_reason, 1000)
    import_key = _check_text("import_key", import_key, 100) or None
    documents = list(documents)
    for document in documents:
        if document.borrower_id != case.borrower_id:
            raise ActivityInvalid(
                "documents", _("document %(id)s is not the borrower's") % {"id": document.pk}
            )
    _check_case(case)
    if corrects is not None and corrects.case_id != case.pk:
        raise ActivityInvalid("corrects", _("the entry corrected must be one of this case's"))
    if import_key is not None and Activity.objects.filter(import_key=import_key).exists():
        raise ActivityInvalid(
            "import_key",
            _("%(key)s was already recorded") % {"key": import_key},
            code="duplicate",
        )

    from arrears.book.models import Borrower

    pack = pack_for_case(case)
    with transaction.atomic():
        # Serialise contacts with one borrower, so two collectors cannot both make the 4th
        # connected call of the day (PostgreSQL; SQLite serialises writers anyway).
        Borrower.objects.select_for_update().filter(pk=case.borrower_id).first()
        if corrects is not None:
            newer = Activity.objects.filter(corrects=corrects).values_list("pk", flat=True).first()
            if newer is not None:
                raise ActivityInvalid(
                    "corrects",
                    _(
                        "entry %(old)s was already corrected by entry %(new)s: correct the "
                        "latest version"
                    )
                    % {"old": corrects.pk, "new": newer},
                    code="superseded",
                )
        who = resolve_who(
            case,
            contact=contact,
            guarantor=guarantor,
            number=number,
            channel=channel,
            pack=pack,
        )
        connected = outcome in CONNECTED_OUTCOMES and channel in CONVERSATION_CHANNELS
        warnings: list[dict] = []
        overridden: list[dict] = []
        overriding: list[rules.RuleOutcome] = []
        if corrects is not None and _same_act(
            corrects,
            channel=channel,
            occurred_at=occurred_at,
            direction=direction,
            who=who,
            purpose=purpose,
            note=note,
            participants=participants,
            recording_ref=recording_ref,
        ):
            # The same contact with what was learned corrected: it was judged when it was
            # logged, and today's holds say nothing about a call made last week.
            warnings, overridden = list(corrects.warnings), list(corrects.overridden)
        else:
            warnings, overridden, overriding = _judge_for_log(
                case=case,
                pack=pack,
                channel=channel,
                occurred_at=occurred_at,
                who=who,
                purpose=purpose,
                direction=direction,
                participants=participants,
                recording_ref=recording_ref,
                note=note,
                actor=actor,
                override_reason=override_reason,
                exclude=[corrects.pk] if corrects is not None else [],
            )
        try:
            with transaction.atomic():
                activity = Activity.objects.create(
                    case=case,
                    loan_id=case.loan_id,
                    borrower_id=case.borrower_id,
                    channel=channel,
                    direction=direction,
                    target_kind=who.kind,
                    contact=who.contact,
                    guarantor=who.guarantor,
                    relation=who.relation,
                    number=who.number,
                    purpose=purpose,
                    occurred_at=occurred_at,
                    duration_seconds=duration_seconds,
                    outcome=outcome,
                    connected=connected,
                    default_reason=default_reason,
                    note=note,
                    participants=participants,
                    recording_ref=recording_ref,
                    next_action_at=next_action_at,
                    corrects=corrects,
                    source=source,
                    import_key=import_key,
                    created_by=actor if actor is not None and actor.pk else None,
                    warnings=warnings,
                    overridden=overridden + [_outcome_dict(o) for o in overriding],
                )
        except IntegrityError as exc:
            # Only a concurrent writer gets here: the checks above ran in this transaction.
            field = "corrects" if corrects is not None else "import_key"
            raise ActivityInvalid(
                field, _("another entry was recorded at the same moment; reload and try again")
            ) from exc
        if documents:
            activity.documents.add(*documents)
        for o in overriding:
            from arrears.compliance.services import override_record

            override_record(
                actor=actor,
                rule_id=o.rule_id,
                reason=override_reason,
                object_ref=f"activity:{activity.pk}",
                pack=pack,
                source=source,
                ip=ip,
            )
        after = _audit_view(activity)
        after["documents"] = [d.pk for d in documents]
        audit_record(
            actor=actor,
            event="activity.correct" if corrects is not None else "activity.log",
            object_type="activities.Activity",
            object_id=activity.pk,
            before=_audit_view(corrects) if corrects is not None else None,
            after=after,
            source=source,
            ip=ip,
        )
    return activity


def _judge_for_log(
    *,
    case,
    pack,
    channel,
    occurred_at,
    who: Who,
    purpose,
    direction,
    participants,
    recording_ref,
    note,
    actor,
    override_reason: str,
    exclude: list[int],
) -> tuple[list[dict], list[dict], list[rules.RuleOutcome]]:
    """(warnings, overridden earlier, blocking rules this actor overrides now); raises
    ContactRefused when something blocks and cannot be overridden here."""
    from dataclasses import replace as dc_replace

    from arrears.compliance.selectors import overridden_rules

    attempts = borrower_attempts([case.borrower_id], until=occurred_at, exclude=exclude)
    facts = dc_replace(base_facts(case), attempts=tuple(attempts[case.borrower_id]))
    action = build_action(
        channel=channel,
        at=occurred_at,
        who=who,
        purpose=purpose,
        participants=participants,
        recording_ref=recording_ref,
        note=note,
    )
    # Overrides recorded on the case itself (docs/compliance.md) hold for every contact on it.
    decision = judge(
        action, facts, pack, direction=direction, overridden=overridden_rules(f"case:{case.pk}")
    )
    warnings = [_outcome_dict(o) for o in decision.outcomes if not o.blocks and not o.overridden]
    overridden = [_outcome_dict(o) for o in decision.outcomes if o.overridden]
    if decision.allowed:
        return warnings, overridden, []
    kinds = rule_kinds(pack)
    if not override_reason:
        raise ContactRefused(decision, kinds=kinds)
    problem = _override_problem(actor, decision.blocking)
    if problem:
        raise ContactRefused(decision, override_problem=problem, kinds=kinds)
    if len(override_reason) < MIN_OVERRIDE_REASON:
        raise ActivityInvalid(
            "override_reason",
            _("an override needs a written reason of at least %(n)s characters")
            % {"n": MIN_OVERRIDE_REASON},
        )
    return warnings, overridden, list(decision.blocking)


def attempt_of_new(
    *, occurred_at, channel, who: Who, connected: bool, purpose: str
) -> rules.Attempt:
    """The Attempt a new outbound entry will be for the checks of later ones (the import)."""
    return attempt_from(
        at=occurred_at,
        channel=channel,
        number=who.number,
        target_kind=who.kind,
        contact_id=who.contact.pk if who.contact is not None else None,
        guarantor_id=who.guarantor.pk if who.guarantor is not None else None,
        connected=connected,
        purpose=purpose,
    )


# ------------------------------------------------------------------------------ with a promise


def _promise(case, activity: Activity, amount_fen: int, promised_on: dt.date, actor, source):
    import importlib

    try:
        promise_errors = importlib.import_module("arrears.promises.errors")
        from arrears.promises.services import promise_record
    except ImportError as exc:  # the promises app is built alongside; say so plainly
        raise ActivityInvalid("promise_amount", _("promises cannot be recorded yet")) from exc
    created_on = activity.occurred_at.astimezone(local_zone()).date()
    forbidden = getattr(promise_errors, "PromiseForbidden", None)
    try:
        return promise_record(
            case=case,
            amount_fen=amount_fen,
            promised_on=promised_on,
            actor=actor,
            source=source,
            activity=activity,
            created_on=created_on,
        )
    except promise_errors.PromiseInvalid as exc:
        field = {
            "amount_fen": "promise_amount",
            "amount": "promise_amount",
            "promised_on": "promised_on",
            "created_on": "promised_on",
        }.get(getattr(exc, "field", None) or "", "promise_amount")
        raise ActivityInvalid(field, getattr(exc, "message", str(exc))) from exc
    except Exception as exc:
        if forbidden is not None and isinstance(exc, forbidden):
            raise ActivityForbidden(getattr(exc, "message", str(exc))) from exc
        raise


@dataclass(frozen=True)
class Attachment:
    """A file to file with the activity (documents.services.document_file)."""

    fileobj: object
    filename: str
    declared_type: str | None
    category_code: str


def outcome_log(
    *,
    promise_amount_fen: int | None = None,
    promised_on: dt.date | None = None,
    attachments: Sequence[Attachment] = (),
    **activity_kwargs,
) -> Activity:
    """The quick "log an outcome" of the case page (and the API): the activity, the promise to
    pay it records (promises.services.promise_record) and its attachments
    (documents.services.document_file), all in one transaction, or nothing."""
    case = activity_kwargs["case"]
    actor = activity_kwargs.get("actor")
    source = activity_kwargs.get("source", Source.WEB)
    if (promise_amount_fen is None) != (promised_on is None):
        field = "promised_on" if promised_on is None else "promise_amount"
        raise ActivityInvalid(field, _("a promise needs both an amount and a date"))
    if promise_amount_fen is not None and activity_kwargs.get("outcome") != Outcome.PROMISE_TO_PAY:
        raise ActivityInvalid(
            "promise_amount", _("a promise goes with the outcome “promise to pay”")
        )
    with transaction.atomic():
        documents = list(activity_kwargs.pop("documents", ()))
        if attachments:
            from arrears.documents.services import document_file
            from arrears.documents.storage import DocumentRefused

            for item in attachments:
                try:
                    documents.append(
                        document_file(
                            fileobj=item.fileobj,
                            filename=item.filename,
                            declared_type=item.declared_type,
                            category_code=item.category_code,
                            actor=actor,
                            case=case,
                            source=source,
                        )
                    )
                except DocumentRefused as exc:
                    field = "attachment_category" if exc.field == "category" else "attachment"
                    raise ActivityInvalid(field, exc.message) from exc
        activity = activity_log(documents=documents, **activity_kwargs)
        if promise_amount_fen is not None:
            activity.promise = _promise(
                case, activity, promise_amount_fen, promised_on, actor, source
            )
    return activity
