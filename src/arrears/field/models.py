"""Field collection (外访): the region tree, trips and the visits recorded in the villages.

A Visit is what a field team did at one household on one day, made idempotent by the
`visit_id` the phone (or the visit sheet) gives it. What it leads to lives in the apps that
own it, linked from here: the activity on the case (activities), the cash as a payment
allocated as the receipt splits it (book), the notice served and signed (notices), the
repayment intention as a promise (promises), the whereabouts (cases) and photos (documents).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A place in the tree 省/县/镇/村 built from borrowers' region paths; people may add what
    the paths cannot say: population, coordinates, notes."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        VILLAGE = "village", _("Village committee")

    path = models.CharField(_("path"), max_length=220, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class VisitOutcome(models.TextChoices):
    MET_BORROWER = "met_borrower", _("Met the borrower")
    MET_FAMILY = "met_family", _("Met family")
    NOT_HOME = "not_home", _("Not at home")
    NOT_FOUND = "not_found", _("Not found")
    MOVED_AWAY = "moved_away", _("Moved away")
    REFUSED = "refused", _("Refused")


class NoticeSigned(models.TextChoices):
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused to sign")


class Trip(models.Model):
    """A field trip: a team, dates, the regions it goes to and the cases it visits."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="field_trips")
    regions = models.ManyToManyField(Region, related_name="trips", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="trip_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TripStop(models.Model):
    """One case on a trip's visit list, in route order (grouped by village)."""

    class Source(models.TextChoices):
        ASSIST = "assist", _("Assist request")
        HANDOVER = "handover", _("Handed to the field team")
        STRATEGY = "strategy", _("Strategy visit step")
        HAND = "hand", _("Picked by hand")

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    village_path = models.CharField(max_length=220, blank=True)
    order = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HAND)

    class Meta:
        ordering = ["trip", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "case"], name="trip_stop_once"),
        ]


class Visit(models.Model):
    """One household visited on one day, as the team recorded it (idempotent by visit_id)."""

    visit_id = models.CharField(_("visit ID"), max_length=64, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="field_visits")
    loan = models.ForeignKey("book.Loan", on_delete=models.PROTECT, related_name="field_visits")
    borrower = models.ForeignKey(
        "book.Borrower", on_delete=models.PROTECT, related_name="field_visits"
    )
    trip = models.ForeignKey(
        Trip, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    visited_at = models.DateTimeField(_("visited at"))
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_visits_filed"
    )
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="field_visits")
    recording_ref = models.CharField(_("recording reference"), max_length=200, blank=True)
    address_found = models.BooleanField(_("address found"), null=True, blank=True)
    person_met = models.CharField(_("person met"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    notice = models.ForeignKey(
        "notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_signed = models.CharField(
        _("notice signed"), max_length=10, choices=NoticeSigned.choices, blank=True
    )
    cash_principal_fen = models.BigIntegerField(default=0)
    cash_interest_fen = models.BigIntegerField(default=0)
    cash_penalty_fen = models.BigIntegerField(default=0)
    receipt_no = models.CharField(_("receipt number"), max_length=64, blank=True)
    payment = models.ForeignKey(
        "book.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intention_amount_fen = models.BigIntegerField(null=True, blank=True)
    intention_date = models.DateField(_("intention date"), null=True, blank=True)
    promise = models.ForeignKey(
        "promises.Promise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    whereabouts = models.CharField(_("whereabouts"), max_length=300, blank=True)
    needs_officials = models.BooleanField(_("needs local officials"), default=False)
    note = models.TextField(_("note"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    source = models.CharField(max_length=10, default="web")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["visited_on"]), models.Index(fields=["borrower"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_principal_fen__gte=0)
                & Q(cash_interest_fen__gte=0)
                & Q(cash_penalty_fen__gte=0),
                name="visit_cash_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.visit_id

    @property
    def cash_fen(self) -> int:
        return self.cash_principal_fen + self.cash_interest_fen + self.cash_penalty_fen
