"""Collection cases: one per delinquent loan, grouped on the borrower, with bucket history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.models import Borrower, Loan
from arrears.core.models import Agency, Team


class Escalation(models.TextChoices):
    """Why a case was escalated (the legal-consequences track and what leads to it)."""

    BROKEN_PROMISES = "broken_promises", _("Broken promises")
    BROKEN_PLAN = "broken_plan", _("Broken repayment plan")
    WILLFUL = "willful", _("Willful non-payment")
    LEGAL_TRACK = "legal_track", _("Legal track")


class ColourFlag(models.TextChoices):
    """案件标色: a colour a collector puts on a case to mark it for themselves (strategies can
    read it as a segment condition)."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    BLUE = "blue", _("Blue")
    PURPLE = "purple", _("Purple")


class Case(models.Model):
    """The collection file (案件) of a loan, opened on delinquency and closed on cure or payoff.

    The end-of-day run opens and closes cases and keeps bucket and DPD current; a loan has at
    most one open case (a new one opens if it falls overdue again after a close).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        CURED = "cured", _("Cured")
        PAID_OFF = "paid_off", _("Paid off")
        SETTLED = "settled", _("Settled")
        WRITTEN_OFF = "written_off", _("Written off")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="cases")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    bucket = models.CharField(_("bucket"), max_length=8)
    dpd = models.IntegerField(_("DPD"), default=0)
    # Who works the case: the one place that says so (core.scoping reads it; docs/assignment.md).
    # A new case takes it from the loan's previous case (continuity), else from the loan's home
    # assignment; from then on only cases.assignment changes it, each move in CaseAssignment.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The columns below carry database defaults because cases_sync inserts cases by raw SQL
    # naming only the columns above.
    # Debtor type: set only by a collector (services.case_set_debtor_type), never by a rule.
    debtor_type = models.ForeignKey(
        "DebtorType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("debtor type"),
    )
    debtor_type_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    debtor_type_set_at = models.DateTimeField(null=True, blank=True)
    # Escalation (services.case_escalate): why the case left ordinary collection.
    escalation = models.CharField(
        _("escalation"),
        max_length=20,
        choices=Escalation.choices,
        blank=True,
        default="",
        db_default="",
    )
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    # Estate handling after a confirmed death, and whether a related party repays in the
    # borrower's place (代位清偿): None not yet known, True agreed, False refused.
    estate_handling = models.BooleanField(_("estate handling"), default=False, db_default=False)
    estate_handling_on = models.DateField(null=True, blank=True)
    estate_party_repays = models.BooleanField(null=True, blank=True)
    estate_party_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    estate_party_relation = models.CharField(max_length=100, blank=True, default="", db_default="")
    estate_agreed_fen = models.BigIntegerField(null=True, blank=True)
    # A case opened on a new delinquency after an earlier case of the loan closed links to it.
    colour_flag = models.CharField(
        _("colour flag"),
        max_length=10,
        choices=ColourFlag.choices,
        blank=True,
        default="",
        db_default="",
    )
    previous_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous case"),
    )

    class Meta:
        ordering = ["-opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="open"), name="case_one_open_per_loan"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(estate_agreed_fen__isnull=True) | Q(estate_agreed_fen__gt=0),
                name="case_estate_agreed_positive",
            ),
        ]
        indexes = [models.Index(fields=["status", "bucket"])]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.loan_id})"


_RECORDED = {"db_constraint": False, "db_index": False}


class CaseAssignment(models.Model):
    """One move of a case between people (分案/调案): who had it, who has it, why, by whom.

    Append-only: an undo is a new row (kind `undo`, `undo_of` the row it reverses) and marks
    the reversed row `undone_at`. `batch` groups the rows of one bulk move.
    """

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assigned")
        UNDO = "undo", _("Undone")
        CARRIED = "carried", _("Carried over from the previous case")
        MIGRATED = "migrated", _("Taken over from the loan")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ASSIGN)
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    on = models.DateField(_("date"))
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, default="web")  # web|api|cli|import|system
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # What made the move: "" by hand, or allocation, rotation, cover, cover_return, retention
    # (the rules in cases/allocation.py and cases/rotation.py).
    cause = models.CharField(max_length=20, blank=True, default="", db_default="")
    # Who held the case before and after: a record of what was, not a live reference, so no
    # foreign-key check and no index per column — eight of each per row were most of the cost
    # of a night that moves many cases (bench/README.md). Deleting a person still clears them
    # (Django's on_delete), and no query looks a move up by these columns.
    from_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", **_RECORDED
    )
    to_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", **_RECORDED
    )
    from_collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    to_collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    from_field_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    to_field_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    from_legal_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    to_legal_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **_RECORDED,
    )
    undo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SLOTS = ("team", "collector", "field_agent", "legal_officer")

    class Meta:
        ordering = ["case_id", "-at", "-id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["on", "actor"])]

    def __str__(self) -> str:
        return f"Assignment {self.pk} of case {self.case_id} ({self.kind})"


class CaseAssist(models.Model):
    """协催: a field agent or another team brought in to help on a case, for a while.

    The helper sees the case (core.scoping) while the grant is active and not past `until`;
    the case's own team lead and collector keep it. A collector requests, a team lead or
    manager grants (or grants at once); anyone who may assign ends it.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        REFUSED = "refused", _("Refused")
        ENDED = "ended", _("Ended")
        EXPIRED = "expired", _("Expired (not decided in time)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assists")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_assists",
        verbose_name=_("helper"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="case_assists"
    )
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateField(_("until"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(team__isnull=False),
                name="case_assist_has_helper",
            ),
        ]

    def __str__(self) -> str:
        return f"Assist {self.pk} on case {self.case_id} ({self.status})"


class CaseSuspension(models.Model):
    """停催: collection on a case stopped for a reason until an end date (a dispute under review,
    the borrower in hospital, a natural disaster). While in force (start ≤ day ≤ end and not
    lifted) the case is in no queue and gets no planned action; lifting early is recorded."""

    class Reason(models.TextChoices):
        DISPUTE_REVIEW = "dispute_review", _("Dispute under review")
        HOSPITALISED = "hospitalised", _("Hospitalised")
        DISASTER = "disaster", _("Natural disaster")
        BEREAVEMENT = "bereavement", _("Bereavement")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["case_id", "-starts_on", "-id"]
        indexes = [models.Index(fields=["ends_on", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="case_suspension_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension {self.pk} of case {self.case_id} ({self.starts_on}–{self.ends_on})"


def suspended_on(day) -> Q:
    """Q over CaseSuspension rows in force on `day` (the one definition every queue uses)."""
    return Q(starts_on__lte=day, ends_on__gte=day) & (
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=day)
    )


class CaseBucketHistory(models.Model):
    """The bucket a case entered on a date (one row each time the bucket changes)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bucket_history")
    as_of = models.DateField()
    bucket = models.CharField(max_length=8)
    dpd = models.IntegerField(default=0)

    class Meta:
        ordering = ["case_id", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["case", "as_of"], name="case_bucket_unique_day")
        ]
        verbose_name_plural = "case bucket history"


# --- debtor types and playbooks (docs/casework.md, "Debtor types and playbooks") ------------


def _is_zh(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


class DebtorType(models.Model):
    """A debtor type (挑衅型, 逃避型, …) with its playbook, in Chinese and English.

    Seeded from playbook_seed.DEBTOR_TYPES by migration 0003; from then on managers edit the
    rows. A type is retired (`active` False), never deleted while a case uses it (PROTECT).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    traits_zh = models.TextField(_("traits (Chinese)"), blank=True)
    traits_en = models.TextField(_("traits (English)"), blank=True)
    example_zh = models.TextField(_("example (Chinese)"), blank=True)
    example_en = models.TextField(_("example (English)"), blank=True)
    # One technique per entry, in the playbook's order.
    techniques_zh = models.JSONField(_("techniques (Chinese)"), default=list, blank=True)
    techniques_en = models.JSONField(_("techniques (English)"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en}"

    def name_for(self, language: str | None) -> str:
        return self.name_zh if _is_zh(language) else self.name_en

    def traits_for(self, language: str | None) -> str:
        return self.traits_zh if _is_zh(language) else self.traits_en

    def example_for(self, language: str | None) -> str:
        return self.example_zh if _is_zh(language) else self.example_en

    def techniques_for(self, language: str | None) -> list[str]:
        return list(self.techniques_zh if _is_zh(language) else self.techniques_en)


class CollectionAdvice(models.Model):
    """One piece of the seed's general collection advice (不良贷款清收 tips), editable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    zh = models.TextField(_("advice (Chinese)"))
    en = models.TextField(_("advice (English)"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name_plural = "collection advice"

    def __str__(self) -> str:
        return self.code

    def text_for(self, language: str | None) -> str:
        return self.zh if _is_zh(language) else self.en


# --- special situations: complaints, reported death, whereabouts ----------------------------


class Complaint(models.Model):
    """A complaint or dispute, handled apart from the debt (帮他分清投诉和还款).

    While one of a borrower's complaints is open or under investigation, the dispute hold
    applies to the borrower's cases (cases/apps.py registers it with cases.holds).
    """

    class Category(models.TextChoices):
        SALES = "sales", _("Sales (售前)")
        APPROVAL_AMOUNT = "approval_amount", _("Approved amount (审批额度)")
        COMPANY = "company", _("The company")
        COLLECTOR_CONDUCT = "collector_conduct", _("Collector's conduct")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="complaints")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="complaints")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    opened_on = models.DateField(_("opened on"))
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    OPEN_STATUSES = (Status.OPEN, Status.INVESTIGATING)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["borrower", "status"]),
            models.Index(fields=["case", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "investigating"], resolved_on__isnull=True)
                | Q(status__in=["resolved", "rejected"], resolved_on__isnull=False),
                name="complaint_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Complaint {self.pk} ({self.category}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class DeathReport(models.Model):
    """A report that the borrower died (死亡客户), verified before anything else happens.

    While it is unverified, collection contact on the borrower's cases is held
    (death_verification); a confirmed death makes the debtor status `deceased` and moves the
    case to estate handling; a false report lifts the hold.
    """

    class Source(models.TextChoices):
        RELATIVE = "relative", _("A relative")
        CONTACT = "contact", _("A contact")
        EMPLOYER = "employer", _("The employer")
        NEIGHBOUR = "neighbour", _("A neighbour")
        LOCAL_OFFICIAL = "local_official", _("Village committee or local official")
        INSTITUTION = "institution", _("An institution (hospital, police, court)")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        CONFIRMED = "confirmed", _("Confirmed")
        FALSE = "false", _("False report")

    # The verification checklist of the seed: 从联系人、工作单位、亲友、地址、电话等方面了解情况是否属实;
    # 核实相关机构信息.
    CHECKLIST = ("contacts", "employer", "relatives", "address", "phone", "institution")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="death_reports")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="death_reports")
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("reported by"), max_length=20, choices=Source.choices)
    source_detail = models.CharField(_("who reported it"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    check_contacts = models.BooleanField(_("contacts"), default=False)
    check_contacts_note = models.CharField(max_length=500, blank=True)
    check_employer = models.BooleanField(_("employer"), default=False)
    check_employer_note = models.CharField(max_length=500, blank=True)
    check_relatives = models.BooleanField(_("relatives and friends"), default=False)
    check_relatives_note = models.CharField(max_length=500, blank=True)
    check_address = models.BooleanField(_("address"), default=False)
    check_address_note = models.CharField(max_length=500, blank=True)
    check_phone = models.BooleanField(_("phone"), default=False)
    check_phone_note = models.CharField(max_length=500, blank=True)
    check_institution = models.BooleanField(_("institution"), default=False)
    check_institution_note = models.CharField(max_length=500, blank=True)
    evidence = models.ManyToManyField(
        "documents.Document", blank=True, related_name="death_reports"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.UNVERIFIED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["borrower", "outcome"])]
        constraints = [
            # One report being verified per case at a time: a second report adds to the first.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(outcome="unverified"),
                name="death_report_one_unverified_per_case",
            ),
            models.CheckConstraint(
                condition=Q(outcome="unverified", decided_on__isnull=True)
                | Q(outcome__in=["confirmed", "false"], decided_on__isnull=False),
                name="death_report_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Death report {self.pk} ({self.outcome})"

    def checklist(self) -> list[tuple[str, bool, str]]:
        """(item, checked, note) for the six items, in order."""
        return [
            (item, getattr(self, f"check_{item}"), getattr(self, f"check_{item}_note"))
            for item in self.CHECKLIST
        ]


class Whereabouts(models.Model):
    """Where the borrower is, as far as we know (moved away, unreachable, located again)."""

    class Status(models.TextChoices):
        MOVED_AWAY = "moved_away", _("Moved away")
        UNREACHABLE = "unreachable", _("Unreachable")
        LOCATED = "located", _("Located")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="whereabouts")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="whereabouts")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["borrower", "recorded_on"])]
        verbose_name_plural = "whereabouts"

    def __str__(self) -> str:
        return f"{self.status} {self.recorded_on}"


class AllocationRule(models.Model):
    """分案规则: which team a new case without a team goes to. Rules are tried in `position`
    order and the first whose every filled condition matches wins (cases/allocation.py)."""

    position = models.PositiveIntegerField(_("order"), default=100)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    region_prefix = models.CharField(
        _("region starts with"),
        max_length=200,
        blank=True,
        help_text=_("Region path prefix, e.g. 广东省/梅州市"),
    )
    product = models.ForeignKey(
        "book.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    dpd_min = models.PositiveIntegerField(_("DPD from"), null=True, blank=True)
    dpd_max = models.PositiveIntegerField(_("DPD to"), null=True, blank=True)
    borrower_kind = models.CharField(_("borrower kind"), max_length=10, blank=True)
    debtor_type = models.ForeignKey(
        "DebtorType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("debtor type"),
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dpd_min__isnull=True)
                | Q(dpd_max__isnull=True)
                | Q(dpd_max__gte=models.F("dpd_min")),
                name="allocation_rule_dpd_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class CollectorSkill(models.Model):
    """A person's region or dialect skill: the cases of borrowers under `region_prefix` go to
    the people of the team who have it. A dialect is recorded with the regions it is spoken
    in (客家话 → 广东省/梅州市), because that is how a case is known to need it."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        DIALECT = "dialect", _("Dialect")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collector_skills"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGION)
    label = models.CharField(_("name"), max_length=50, blank=True)
    region_prefix = models.CharField(_("region starts with"), max_length=200)

    class Meta:
        ordering = ["user_id", "region_prefix", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "region_prefix"], name="collector_skill_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.label} {self.region_prefix}"


class Absence(models.Model):
    """A person away from `starts_on` to `ends_on` (leave, sickness, training): allocation gives
    them nothing new and a teammate covers their cases until they are back (cover moves)."""

    class Reason(models.TextChoices):
        LEAVE = "leave", _("Leave")
        SICK = "sick", _("Sick")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A cancelled absence is kept, not deleted: its cover rows (CaseCover) still say which
    # cases go back to the owner at the next end-of-day.
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["ends_on", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Absence of {self.user_id} {self.starts_on}–{self.ends_on}"


class CaseCover(models.Model):
    """A case of an absent collector moved to a teammate for the absence (a cover move); at the
    first end-of-day after the absence it goes back, if it is still with the teammate."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="covers")
    absence = models.ForeignKey(Absence, on_delete=models.CASCADE, related_name="covers")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cover = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_on = models.DateField()
    returned_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(returned_on__isnull=True), name="case_cover_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Cover of case {self.case_id}: {self.owner_id} → {self.cover_id}"


class CaseRetention(models.Model):
    """留案: a collector keeps a case past rotation while a promise or plan is in force; it ends
    (end-of-day) when neither is, or when a team lead moves the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retentions")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    starts_on = models.DateField(_("from"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case_id", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="case_retention_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Retention of case {self.case_id} by {self.collector_id}"
