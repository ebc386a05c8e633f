"""Collection notices (催款通知书): versioned letter templates, the per-year number counter, and
the notices themselves with how they were served and signed for.

A template version is never edited: a change makes version + 1 (as compliance rule packs do),
so every notice keeps pointing at the exact text it was rendered from. The rendered PDF is a
Document (category "notice"); the signed receipt another ("notice_receipt").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeTemplate(models.Model):
    """One version of a letter template: title and body with {variables} (see notices/render.py).

    At most one version of a code is active; only an active version can be issued. Saving and
    activating pass the conduct lint of the compliance rule pack first.
    """

    class Language(models.TextChoices):
        ZH = "zh-hans", "简体中文"
        EN = "en", "English"

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="noticetemplate_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(active=True), name="noticetemplate_one_active"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="noticetemplate_version_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class NoticeCounter(models.Model):
    """The last notice number given in a year. Numbering locks this row (select_for_update)
    inside the issuing transaction, so numbers are unique and, since a failed issue rolls the
    counter back with it, without gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Notice(models.Model):
    """One issued notice: its number, the template version, the amounts demanded as of a date
    (a snapshot in fen), the PDF as issued, and how, when and by whom it was served, delivered
    and signed for. A delivered or signed notice restarts the limitation period."""

    class ServedMethod(models.TextChoices):
        POST = "post", _("Post")
        COURIER = "courier", _("Courier")
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("Email")
        PUBLIC_NOTICE = "public_notice", _("Public notice")

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, related_name="notices")
    template_version = models.PositiveIntegerField()
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notices")
    loan = models.ForeignKey("book.Loan", on_delete=models.PROTECT, related_name="notices")
    borrower = models.ForeignKey("book.Borrower", on_delete=models.PROTECT, related_name="notices")
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(_("amounts as of"))
    pay_by = models.DateField(_("pay by"))
    principal_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField()
    penalty_fen = models.BigIntegerField()
    fees_fen = models.BigIntegerField()
    total_due_fen = models.BigIntegerField()
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    served_method = models.CharField(
        _("served by way of"), max_length=20, choices=ServedMethod.choices, blank=True
    )
    served_on = models.DateField(_("served on"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    signed_on = models.DateField(_("signed for on"), null=True, blank=True)
    receipt = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="notice_year_sequence"),
            models.CheckConstraint(
                condition=Q(principal_fen__gte=0)
                & Q(interest_fen__gte=0)
                & Q(penalty_fen__gte=0)
                & Q(fees_fen__gte=0),
                name="notice_amounts_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(
                    total_due_fen=F("principal_fen")
                    + F("interest_fen")
                    + F("penalty_fen")
                    + F("fees_fen")
                ),
                name="notice_total_is_sum",
            ),
            models.CheckConstraint(condition=Q(pay_by__gte=F("as_of")), name="notice_pay_by"),
            # Served means: how and when, on or after the issue date.
            models.CheckConstraint(
                condition=Q(served_on__isnull=True, served_method="")
                | Q(served_on__isnull=False, served_on__gte=F("issued_on")) & ~Q(served_method=""),
                name="notice_served_complete",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True)
                | Q(served_on__isnull=False, delivered_on__gte=F("served_on")),
                name="notice_delivered_after_served",
            ),
            # Signed for means: served before, and the receipt is on file.
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True, receipt__isnull=True)
                | Q(
                    signed_on__isnull=False,
                    receipt__isnull=False,
                    served_on__isnull=False,
                    signed_on__gte=F("served_on"),
                ),
                name="notice_signed_complete",
            ),
        ]
        indexes = [models.Index(fields=["loan", "signed_on", "delivered_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def state(self) -> str:
        """issued → served → delivered → signed (the furthest step reached)."""
        if self.signed_on:
            return "signed"
        if self.delivered_on:
            return "delivered"
        if self.served_on:
            return "served"
        return "issued"
