"""Writes of the queues app: the probability table and channel minutes (managers), and the
refit of the probabilities from the book's own history. Each audited in its transaction.

The refit (`probability_fit`) is set-based: the snapshots of up to FIT_DAYS days, between
FIT_WINDOW_DAYS and FIT_HORIZON_DAYS ago, of every loan past due; an observation "paid" when
any payment reached the loan within FIT_HORIZON_DAYS after that day. Each observation goes to
the table row that would price it today (queues.engine.probability_expr over its bucket,
DPD, the case's debtor type and broken promises now), and a row's fit is the share that
paid. Only rows with at least ARREARS_QUEUE_FIT_MIN observations get a fit; a manager looks
at it beside the current values and applies it (`probability_refit_apply`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.queues.errors import QueueError
from arrears.queues.models import ChannelEffort, PaymentProbability, QueueChannel

FIT_WINDOW_DAYS = 210
FIT_HORIZON_DAYS = 30
FIT_DAYS = 8
FOUR = Decimal("0.0001")


def _require(actor) -> None:
    if actor is not None and (actor.is_read_only or not actor.can("queue.tables")):
        raise QueueError(_("Your role may not change the queue tables."), code="forbidden")


def fit_minimum() -> int:
    return int(getattr(settings, "ARREARS_QUEUE_FIT_MIN", 200))


@transaction.atomic
def channel_effort_set(*, channel: str, minutes, actor, source: str = "web") -> ChannelEffort:
    """Set how many minutes an action on `channel` takes (a whole number, 1–480)."""
    _require(actor)
    if channel not in QueueChannel.values:
        raise QueueError(_("Choose a channel."), field="channel")
    try:
        value = int(str(minutes).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 480:
        raise QueueError(_("Minutes: a whole number from 1 to 480."), field="minutes")
    row, _created = ChannelEffort.objects.select_for_update().get_or_create(
        channel=channel, defaults={"minutes": value}
    )
    before = None if _created else row.minutes
    row.minutes = value
    row.updated_by = actor if actor is not None and actor.pk else None
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        event="queue.effort",
        object_type="queues.ChannelEffort",
        object_id=channel,
        before={"minutes": before},
        after={"minutes": value},
        source=source,
    )
    return row


def _probability(value) -> Decimal:
    try:
        p = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise QueueError(
            _("Probability: a number from 0 to 1, such as 0.8."), field="probability"
        ) from None
    if str(value).strip().endswith("%"):
        p = p / 100
    if not (Decimal(0) <= p <= Decimal(1)):
        raise QueueError(_("Probability: a number from 0 to 1, such as 0.8."), field="probability")
    return p.quantize(FOUR)


@transaction.atomic
def probability_set(*, row_id, probability, actor, source: str = "web") -> PaymentProbability:
    """Set one row's probability of payment (0–1, or a percentage such as 80%)."""
    _require(actor)
    p = _probability(probability)
    try:
        row = PaymentProbability.objects.select_for_update().get(pk=int(row_id))
    except (ValueError, TypeError, PaymentProbability.DoesNotExist):
        raise QueueError(_("No such row of the table."), field="row") from None
    before = row.probability
    row.probability = p
    row.source = PaymentProbability.Source.MANUAL
    row.updated_by = actor if actor is not None and actor.pk else None
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        event="queue.probability",
        object_type="queues.PaymentProbability",
        object_id=row.pk,
        before={"probability": before},
        after={"probability": p},
        source=source,
    )
    return row


@dataclass(frozen=True)
class FitRow:
    row_id: int
    observations: int
    paid: int
    probability: Decimal | None  # None: fewer observations than the minimum

    @property
    def enough(self) -> bool:
        return self.probability is not None


@dataclass(frozen=True)
class Fit:
    days: tuple[dt.date, ...]
    minimum: int
    rows: tuple[FitRow, ...] = field(default_factory=tuple)
    observations: int = 0


def _fit_days(as_of: dt.date) -> list[dt.date]:
    from arrears.eod.models import LoanSnapshot

    last = as_of - dt.timedelta(days=FIT_HORIZON_DAYS)
    first = as_of - dt.timedelta(days=FIT_WINDOW_DAYS)
    days = list(
        LoanSnapshot.objects.filter(as_of__gte=first, as_of__lte=last)
        .order_by()
        .values_list("as_of", flat=True)
        .distinct()
    )
    days.sort()
    if len(days) <= FIT_DAYS:
        return days
    step = len(days) / FIT_DAYS
    return [days[int(i * step)] for i in range(FIT_DAYS)]


def probability_fit(*, as_of: dt.date) -> Fit:
    """What the book's own history says each row's probability is (module docstring)."""
    from arrears.book.models import Payment
    from arrears.cases.models import Case
    from arrears.eod.models import LoanSnapshot
    from arrears.promises.models import Promise
    from arrears.queues.engine import probability_expr, probability_rows

    days = _fit_days(as_of)
    minimum = fit_minimum()
    rows = probability_rows()
    if not days:
        return Fit(days=(), minimum=minimum, rows=tuple(FitRow(r["id"], 0, 0, None) for r in rows))
    paid = Payment.objects.filter(
        loan_id=OuterRef("loan_id"),
        paid_on__gt=OuterRef("as_of"),
        paid_on__lte=OuterRef("as_of") + dt.timedelta(days=FIT_HORIZON_DAYS),
    )
    obs = pl.DataFrame(
        list(
            LoanSnapshot.objects.filter(as_of__in=days, dpd__gt=0)
            .order_by()
            .annotate(paid=Exists(paid))
            .values_list("loan_id", "dpd", "bucket", "paid")
        ),
        schema={"loan_id": pl.Int64, "dpd": pl.Int64, "bucket": pl.String, "paid": pl.Boolean},
        orient="row",
    )
    # The loan's latest case gives the debtor type and the broken promises (as they are now).
    cases = pl.DataFrame(
        list(
            Case.objects.order_by("loan_id", "-opened_on", "-id").values_list(
                "loan_id", "debtor_type_id", "id"
            )
        ),
        schema={"loan_id": pl.Int64, "debtor_type_id": pl.Int64, "case_id": pl.Int64},
        orient="row",
    ).unique("loan_id", keep="first", maintain_order=True)
    broken = pl.DataFrame(
        list(
            Promise.objects.filter(status=Promise.Status.BROKEN)
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        ),
        schema={"case_id": pl.Int64, "broken": pl.Int64},
        orient="row",
    )
    obs = (
        obs.join(cases, on="loan_id", how="left")
        .join(broken, on="case_id", how="left")
        .with_columns(pl.col("broken").fill_null(0))
        .with_columns(probability_expr(rows, value="id").alias("row_id"))
    )
    counts = {
        r["row_id"]: (r["n"], r["paid"])
        for r in obs.group_by("row_id")
        .agg(pl.len().alias("n"), pl.col("paid").sum().alias("paid"))
        .iter_rows(named=True)
    }
    out = []
    for r in rows:
        n, k = counts.get(r["id"], (0, 0))
        p = (Decimal(k) / Decimal(n)).quantize(FOUR) if n >= minimum and n else None
        out.append(FitRow(r["id"], n, k, p))
    out.sort(key=lambda f: f.row_id)
    return Fit(days=tuple(days), minimum=minimum, rows=tuple(out), observations=obs.height)


@transaction.atomic
def probability_refit_apply(*, as_of: dt.date, actor, source: str = "web") -> int:
    """Apply the fit to every row with enough observations; returns how many changed."""
    _require(actor)
    fit = probability_fit(as_of=as_of)
    if not any(f.enough for f in fit.rows):
        raise QueueError(
            _("The book's history is too short to refit: no row has %(n)s observations.")
            % {"n": fit.minimum},
            code="not_enough",
        )
    changes = []
    for f in fit.rows:
        if not f.enough:
            continue
        row = PaymentProbability.objects.select_for_update().get(pk=f.row_id)
        if row.probability == f.probability and row.source == PaymentProbability.Source.REFIT:
            continue
        changes.append(
            {
                "row": row.pk,
                "before": str(row.probability),
                "after": str(f.probability),
                "observations": f.observations,
                "paid": f.paid,
            }
        )
        PaymentProbability.objects.filter(pk=row.pk).update(
            probability=f.probability,
            source=PaymentProbability.Source.REFIT,
            updated_by=actor if actor is not None and actor.pk else None,
            updated_at=timezone.now(),
        )
    audit_record(
        actor=actor,
        event="queue.refit",
        object_type="queues.PaymentProbability",
        object_id="table",
        after={"days": [d.isoformat() for d in fit.days], "changes": changes},
        source=source,
    )
    return len(changes)
