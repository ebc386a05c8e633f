"""The "log an outcome" quick form of the case page, and the correction form."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arrears.activities import services
from arrears.activities.errors import ActivityInvalid, ContactRefused
from arrears.activities.models import Channel, DefaultReason, Direction, Outcome, Purpose
from arrears.core.money import MoneyError, to_fen

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
_BLANK = [("", "—")]

# Where a service error shows on the form, by the service's field name.
FIELD_OF = {
    "contact": "target",
    "guarantor": "target",
    "number": "target",
    "case": None,
    "corrects": None,
    "documents": "attachment",
    "import_key": None,
}


def target_choices(user, case) -> list[tuple[str, str]]:
    """Who may be reached: the borrower's numbers, the contacts and the loan's guarantors, as
    opaque refs with masked numbers (book.pii.dial_targets; resolved on the server)."""
    from arrears.book.models import Guarantor, Relation
    from arrears.core.ids import mask_phone

    borrower = case.borrower
    relation = dict(Relation.choices)
    choices = [
        (
            "borrower:phone",
            f"{borrower.name} · {_('Borrower')} · {mask_phone(borrower.phone) or '—'}",
        )
    ]
    if borrower.phone2:
        choices.append(
            (
                "borrower:phone2",
                f"{borrower.name} · {_('Borrower')} · {mask_phone(borrower.phone2)}",
            )
        )
    guarantors = list(Guarantor.objects.filter(loan_id=case.loan_id).order_by("id"))
    names = {g.name for g in guarantors}
    phones = {g.phone for g in guarantors if g.phone}
    for c in borrower.contacts.order_by("id"):
        if c.relation == Relation.GUARANTOR and (c.name in names or c.phone in phones):
            continue  # the same person is offered once, as the loan's guarantor
        label = relation.get(c.relation, c.relation)
        choices.append((f"contact:{c.pk}", f"{c.name} · {label} · {mask_phone(c.phone) or '—'}"))
    for g in guarantors:
        choices.append(
            (f"guarantor:{g.pk}", f"{g.name} · {_('Guarantor')} · {mask_phone(g.phone) or '—'}")
        )
    return choices


def _categories():
    from arrears.documents.selectors import categories

    language = get_language()
    return [(c.code, c.name_for(language)) for c in categories()]


class LogForm(forms.Form):
    """One contact attempt or action, with an optional promise and attachment."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.CALL)
    target = forms.ChoiceField(label=_("Who"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    default_reason = forms.ChoiceField(
        label=_("Reason for default"), choices=_BLANK + DefaultReason.choices, required=False
    )
    duration_seconds = forms.IntegerField(
        label=_("Duration (s)"),
        min_value=0,
        max_value=services.MAX_DURATION_SECONDS,
        required=False,
    )
    occurred_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("Blank: now."),
    )
    next_action_at = forms.DateTimeField(
        label=_("Next action (callback)"),
        required=False,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("When to call back or act next; it shows on your home page that day."),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=Purpose.choices, initial=Purpose.COLLECT
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For an SMS, letter or email: the text sent (checked against the rules)."),
    )
    participants = forms.IntegerField(
        label=_("People on the visit"),
        min_value=1,
        max_value=services.MAX_PARTICIPANTS,
        required=False,
    )
    recording_ref = forms.CharField(
        label=_("Recording reference"), max_length=services.RECORDING_REF_MAX, required=False
    )
    promise_amount = forms.CharField(
        label=_("Promised amount (yuan)"), required=False, max_length=20
    )
    promised_on = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)
    attachment_category = forms.ChoiceField(label=_("Attachment category"), required=False)
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only to override a blocking rule your role may override; it is audited."),
    )

    # Sections of the form, for the template.
    MAIN = (
        "channel",
        "target",
        "outcome",
        "default_reason",
        "duration_seconds",
        "occurred_at",
        "next_action_at",
    )
    MORE = ("direction", "purpose")
    VISIT = ("participants", "recording_ref")
    PROMISE = ("promise_amount", "promised_on")
    FILE = ("attachment", "attachment_category")

    def __init__(self, *args, user, case, **kwargs) -> None:
        kwargs.setdefault("prefix", "log")
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["target"].choices = target_choices(user, case)
        self.fields["attachment_category"].choices = _BLANK + _categories()
        self.may_override = user.can(services.OVERRIDE_CAPABILITY) and not user.is_read_only
        if not self.may_override:
            del self.fields["override_reason"]

    def visit_rules(self) -> list[dict]:
        """What the case's rule pack asks of a visit, to show before the form is sent:
        [{"rule_id", "text", "min_participants", "require_recording", "blocks"}]."""
        from arrears.activities.facts import pack_for_case
        from arrears.compliance.messages import rule_message

        try:
            spec = pack_for_case(self.case).spec()
        except LookupError:  # no pack: nothing to announce (the service still judges)
            return []
        found = []
        for rule in spec.of_kind("visit"):
            p = rule.parameters
            found.append(
                {
                    "rule_id": rule.rule_id,
                    "text": rule_message(
                        {
                            "rule_id": rule.rule_id,
                            "zh": rule.description_zh,
                            "en": rule.description_en,
                        }
                    ),
                    "min_participants": int(p.get("min_participants", 2)),
                    "require_recording": bool(p.get("require_recording", True)),
                    "blocks": rule.mode == "block",
                }
            )
        return found

    def lost_attachment(self) -> bool:
        """A refused form comes back without the chosen file (no browser keeps it)."""
        return self.is_bound and bool(self.files.get(self.add_prefix("attachment")))

    def section(self, names):
        return [self[n] for n in names if n in self.fields]

    def main_fields(self):
        return self.section(self.MAIN)

    def more_fields(self):
        return self.section(self.MORE)

    def visit_fields(self):
        return self.section(self.VISIT)

    def promise_fields(self):
        return self.section(self.PROMISE)

    def file_fields(self):
        return self.section(self.FILE)

    def clean_promise_amount(self):
        raw = (self.cleaned_data.get("promise_amount") or "").strip()
        if not raw:
            return None
        try:
            fen = to_fen(raw)
        except MoneyError as exc:
            raise forms.ValidationError(_("Not an amount of money.")) from exc
        if fen <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return fen

    def clean(self):
        data = super().clean()
        if data.get("attachment") and not data.get("attachment_category"):
            self.add_error("attachment_category", _("Choose a category for the attachment."))
        return data

    def show_error(self, exc: ActivityInvalid | ContactRefused) -> None:
        """Put a refusal of the services on the field it names (or on the form)."""
        show_error(self, exc)


class NoteForm(forms.Form):
    """The case page's quick note: a line for the record, not a contact attempt.

    Saved as an activity with channel and outcome "other" (not a channel the rule pack
    checks, so a hold never refuses it and it counts as no attempt), timed now.
    """

    note = forms.CharField(
        label=_("Note"),
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the note.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write the note."))
        return note

    def show_error(self, exc: ActivityInvalid | ContactRefused) -> None:
        show_error(self, exc)


class CorrectForm(forms.Form):
    """Correct what was recorded about an entry (outcome, reason, duration, note): a new entry
    replacing it, the original kept."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    default_reason = forms.ChoiceField(
        label=_("Reason for default"), choices=_BLANK + DefaultReason.choices, required=False
    )
    duration_seconds = forms.IntegerField(
        label=_("Duration (s)"),
        min_value=0,
        max_value=services.MAX_DURATION_SECONDS,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, activity, **kwargs) -> None:
        kwargs.setdefault("prefix", f"fix{activity.pk}")
        kwargs.setdefault(
            "initial",
            {
                "outcome": activity.outcome,
                "default_reason": activity.default_reason,
                "duration_seconds": activity.duration_seconds,
                "note": activity.note,
            },
        )
        super().__init__(*args, **kwargs)
        self.activity = activity

    def show_error(self, exc: ActivityInvalid | ContactRefused) -> None:
        show_error(self, exc)


def refusal_lines(exc: ContactRefused) -> list[str]:
    """Each blocking rule with its reason in the page's language and the rule's id."""
    from arrears.compliance.messages import rule_message

    lines = []
    for o in exc.blocking:
        line = rule_message(o)
        if o.next_allowed_at is not None:
            line += f" ({_('next allowed')}: {o.next_allowed_at:%Y-%m-%d %H:%M})"
        lines.append(line)
    return lines


def show_error(form: forms.Form, exc: ActivityInvalid | ContactRefused) -> None:
    if isinstance(exc, ContactRefused):
        for line in refusal_lines(exc):
            form.add_error(None, line)
        if exc.override_problem:
            field = "override_reason" if "override_reason" in form.fields else None
            form.add_error(field, exc.override_problem)
        return
    field = FIELD_OF.get(exc.field, exc.field)
    if field not in form.fields:
        field = None
    form.add_error(field, exc.message)


class FactForm(forms.Form):
    """Record a fact the rules read (activities.recorded.fact_record): what, when, and the
    detail the kind needs (the third party, the channel, the hours, the guarantor)."""

    kind = forms.ChoiceField(label=_("What"))
    on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.TypedChoiceField(
        label=_("Third party"), required=False, coerce=int, empty_value=None
    )
    guarantor = forms.TypedChoiceField(
        label=_("Guarantor"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    starts = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, case=None, **kwargs):
        from arrears.activities.models import RecordedFact
        from arrears.book.models import Guarantor

        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["kind"].choices = RecordedFact.Kind.choices
        self.fields["channel"].choices = [("", "—")] + [
            c for c in Channel.choices if c[0] != Channel.OTHER
        ]
        contacts = list(case.borrower.contacts.order_by("id")) if case else []
        self.contacts = {c.pk: c for c in contacts}
        self.fields["contact"].choices = [("", "—")] + [
            (c.pk, f"{c.name} ({c.get_relation_display()})") for c in contacts
        ]
        guarantors = list(Guarantor.objects.filter(loan_id=case.loan_id)) if case else []
        self.guarantors = {g.pk: g for g in guarantors}
        self.fields["guarantor"].choices = [("", "—")] + [(g.pk, g.name) for g in guarantors]

    def show_error(self, exc: ActivityInvalid) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class FactWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why it no longer holds"), max_length=300)
