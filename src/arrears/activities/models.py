"""Activities: every contact attempt or action on a case, append-only.

A correction is a new Activity whose `corrects` points at the one it corrects; the original row
is never updated or deleted (model save/delete refuse it, and the retention rules of the
compliance pack govern any deletion). The timeline shows the latest version of each entry and
its history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.core.crypto import EncryptedCharField


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class Outcome(models.TextChoices):
    RIGHT_PARTY_CONTACT = "right_party_contact", _("Right-party contact")
    THIRD_PARTY = "third_party", _("Third party reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NUMBER_INVALID = "number_invalid", _("Number invalid")
    PROMISE_TO_PAY = "promise_to_pay", _("Promise to pay")
    REFUSAL = "refusal", _("Refusal")
    DISPUTE_RAISED = "dispute_raised", _("Dispute raised")
    CLAIMS_PAID = "claims_paid", _("Claims already paid")
    HARDSHIP = "hardship", _("Hardship")
    REPORTED_DECEASED = "reported_deceased", _("Reported deceased")
    MOVED_AWAY = "moved_away", _("Moved away")
    OTHER = "other", _("Other")


# Outcomes that mean somebody was actually spoken to (a connected call, a visit that met someone).
CONNECTED_OUTCOMES = frozenset(
    {
        Outcome.RIGHT_PARTY_CONTACT,
        Outcome.THIRD_PARTY,
        Outcome.PROMISE_TO_PAY,
        Outcome.REFUSAL,
        Outcome.DISPUTE_RAISED,
        Outcome.CLAIMS_PAID,
        Outcome.HARDSHIP,
        Outcome.REPORTED_DECEASED,
        Outcome.MOVED_AWAY,
    }
)
# Outcomes where the debtor (not a third party) was reached: right-party contact in the broad sense.
RIGHT_PARTY_OUTCOMES = CONNECTED_OUTCOMES - {Outcome.THIRD_PARTY, Outcome.MOVED_AWAY}
FAILED_ATTEMPT_OUTCOMES = frozenset(
    {Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER, Outcome.NUMBER_INVALID}
)


class DefaultReason(models.TextChoices):
    NEGLIGENCE = "negligence", _("Negligence")
    DISPUTE = "dispute", _("Dispute or dissatisfaction")
    LACK_OF_FUNDS = "lack_of_funds", _("Lack of funds")
    WILLFUL = "willful", _("Willful non-payment")
    DECEASED = "deceased", _("Deceased")
    UNREACHABLE = "unreachable", _("Unreachable")
    FRAUD = "fraud", _("Fraud or ID misuse")
    OTHER = "other", _("Other")


class TargetKind(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    GUARANTOR = "guarantor", _("Guarantor")
    THIRD_PARTY = "third_party", _("Third party")


class Purpose(models.TextChoices):
    COLLECT = "collect", _("Collect")
    LOCATE = "locate", _("Locate the debtor")
    COMPLAINT = "complaint", _("About a complaint")


class Source(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


class AppendOnlyError(RuntimeError):
    """Raised on an attempt to update or delete an append-only record."""


class Activity(models.Model):
    """One contact attempt or action on a case (a call, SMS, letter, visit, email, other)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="activities")
    loan = models.ForeignKey("book.Loan", on_delete=models.PROTECT, related_name="activities")
    borrower = models.ForeignKey(
        "book.Borrower", on_delete=models.PROTECT, related_name="activities"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    # Who was reached: the borrower (contact and guarantor empty), a named contact or a guarantor.
    target_kind = models.CharField(
        max_length=12, choices=TargetKind.choices, default=TargetKind.BORROWER
    )
    contact = models.ForeignKey(
        "book.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    guarantor = models.ForeignKey(
        "book.Guarantor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField(_("relation"), max_length=20, default="self")
    # Encrypted at rest like every phone number (core/crypto.py; helper F2).
    number = EncryptedCharField(_("number used"), kind="phone", max_length=64, blank=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.COLLECT)
    occurred_at = models.DateTimeField(_("time"))
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    connected = models.BooleanField(default=False)
    default_reason = models.CharField(
        _("reason for default"), max_length=16, choices=DefaultReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # Field visits: how many people went, and the body-camera / recording reference.
    participants = models.PositiveSmallIntegerField(null=True, blank=True)
    recording_ref = models.CharField(max_length=200, blank=True)
    # A callback: when the collector means to act on the case next (set with the outcome).
    # The case's next action is the one set by its latest logged outcome (quick notes aside);
    # an outcome logged without one clears it (cases.selectors.case_list).
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="activities")
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # What the rule pack said when the entry was saved (docs/activities.md): warnings that
    # travelled with an allowed contact, and blocking rules an authorised role overrode
    # (each with a compliance.RuleOverride on object "activity:<id>"). Lists of
    # {"rule_id", "zh", "en"}.
    warnings = models.JSONField(default=list, blank=True)
    overridden = models.JSONField(default=list, blank=True)
    # A dialer's call id (or another stable key) so that importing the same file twice adds nothing.
    import_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["case", "occurred_at"]),
            models.Index(fields=["borrower", "occurred_at"]),
            models.Index(fields=["number", "occurred_at"]),
            models.Index(fields=["next_action_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(corrects=models.F("id")), name="activity_not_self_correction"
            ),
            # History is a line, not a tree: an entry is corrected at most once (a second
            # correction corrects the correction).
            models.UniqueConstraint(fields=["corrects"], name="activity_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise AppendOnlyError("activities are append-only: record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("activities are append-only and kept for the retention period")


@receiver(pre_delete, sender=Activity)
def _activities_are_never_deleted(sender, instance: Activity, **kwargs) -> None:
    # Activity.delete() refuses, but a queryset's .delete() does not call it; it does send
    # this signal for every row first (a receiver also stops Django's fast delete path).
    raise AppendOnlyError("activities are append-only and kept for the retention period")


class RecordedFact(models.Model):
    """Something a person recorded that the rules read: a third party refusing further
    contact, the debtor opting out of a channel, a time the debtor named as inconvenient,
    consent to contact outside the hours, forbearance offered, enforcement against the debtor
    exhausted, a written acknowledgement of the debt, a demand on a guarantor.

    Never edited: a fact that stops holding (an opt-out the debtor takes back) is withdrawn,
    with who and why; both are audited (activities.services.fact_record / fact_withdraw).
    """

    class Kind(models.TextChoices):
        THIRD_PARTY_REFUSED = "third_party_refused", _("Third party refused further contact")
        OPT_OUT = "opt_out", _("Debtor opted out of a channel")
        INCONVENIENT_TIME = "inconvenient_time", _("Debtor named an inconvenient time")
        CONSENT_OUTSIDE_HOURS = "consent_outside_hours", _("Debtor agreed to contact outside hours")
        FORBEARANCE_OFFERED = "forbearance_offered", _("Forbearance offered")
        ENFORCEMENT_EXHAUSTED = "enforcement_exhausted", _("Enforcement against the debtor failed")
        ACKNOWLEDGEMENT = "acknowledgement", _("Written acknowledgement of the debt")
        GUARANTOR_DEMAND = "guarantor_demand", _("Payment demanded from the guarantor")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="facts")
    loan = models.ForeignKey("book.Loan", on_delete=models.PROTECT, related_name="facts")
    borrower = models.ForeignKey("book.Borrower", on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    happened_on = models.DateField(_("on"))
    contact = models.ForeignKey(
        "book.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="facts"
    )
    guarantor = models.ForeignKey(
        "book.Guarantor", null=True, blank=True, on_delete=models.PROTECT, related_name="facts"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [
            models.Index(fields=["borrower", "kind"]),
            models.Index(fields=["loan", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="inconvenient_time")
                | Q(starts__isnull=False, ends__isnull=False, starts__lt=F("ends")),
                name="fact_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.happened_on}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
