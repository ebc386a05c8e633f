"""Reads of the agencies app, always scoped by the requesting user.

Managers, administrators and auditors (`agency.read`) see every agency; an agency user sees
their own agency, its active placements (nothing after a recall) and its reported payments;
everyone else sees none. The monthly commission statement and the performance comparison
are computed here from the ledger (book.Payment), to the fen.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from arrears.agencies.models import AgencyPayment, Contract, Placement, PlacementBatch
from arrears.agencies.rules import commission_fen
from arrears.book.models import WAIVER_CHANNELS, Payment
from arrears.core.models import Agency, Team, User
from arrears.core.roles import Role

READ = "agency.read"


def may_read(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.can(READ))


def agencies_for(user: User) -> QuerySet:
    if may_read(user):
        return Agency.objects.all()
    if user.is_authenticated and user.is_active and user.role == Role.AGENCY and user.agency_id:
        return Agency.objects.filter(pk=user.agency_id)
    return Agency.objects.none()


def contracts_for(user: User) -> QuerySet:
    return Contract.objects.filter(agency__in=agencies_for(user)).prefetch_related("tiers")


def batches_for(user: User) -> QuerySet:
    if may_read(user):
        return PlacementBatch.objects.select_related("agency", "contract")
    return PlacementBatch.objects.none()


def placements_for(user: User) -> QuerySet:
    """Placements the user may see: all for readers; an agency user only its active ones."""
    qs = Placement.objects.select_related("case", "loan", "agency", "batch")
    if may_read(user):
        return qs
    if user.is_authenticated and user.is_active and user.role == Role.AGENCY and user.agency_id:
        return qs.filter(agency_id=user.agency_id, status=Placement.Status.ACTIVE)
    return qs.none()


def agency_payments_for(user: User) -> QuerySet:
    return AgencyPayment.objects.filter(agency__in=agencies_for(user)).select_related(
        "agency", "loan", "ledger_payment", "decided_by"
    )


def to_check(user: User) -> QuerySet:
    """Reported payments waiting for a manager's decision (unmatched or differing)."""
    return agency_payments_for(user).filter(status=AgencyPayment.Status.PENDING)


def case_placements(user: User, case) -> list[Placement]:
    """A case's placement history (the case page's panel): readers and the case's people see
    all of it; an agency user only its active placement."""
    qs = Placement.objects.filter(case=case).select_related("agency", "batch")
    if user.role == Role.AGENCY:
        qs = qs.filter(agency_id=user.agency_id, status=Placement.Status.ACTIVE)
    return list(qs.order_by("-placed_on", "-id"))


# ------------------------------------------------------------------------ statements


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'2026-11' -> (2026-11-01, 2026-11-30); ValueError when it is not a month."""
    year, mon = (int(p) for p in month.split("-"))
    if not (1 <= mon <= 12 and 2000 <= year <= 2200):
        raise ValueError(month)
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


@dataclass
class StatementLine:
    payment_id: str
    loan_id: str
    case_id: int
    batch: str
    paid_on: dt.date
    amount_fen: int
    rate: Decimal
    commission_fen: int


@dataclass
class Statement:
    """An agency's commission statement for a month: every ledger payment it earns on."""

    agency: Agency
    month: str
    first: dt.date
    last: dt.date
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def money_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def commission_fen(self) -> int:
        return sum(line.commission_fen for line in self.lines)


def statement(user: User, agency: Agency, month: str) -> Statement:
    """The commission statement of `agency` for `month` (YYYY-MM).

    A line per ledger payment received during a placement (placed_on ≤ paid on ≤ the recall
    or end date) in the month: under basis `all` every payment of the placed loan, under
    `credited` only those tied to a confirmed report of the agency. Commission per line is
    the placement's tier rate, half-up to the fen; the total is the sum of the lines, so the
    statement reconciles with the ledger payments it names to the fen.
    """
    if not agencies_for(user).filter(pk=agency.pk).exists():
        raise PermissionError("agency out of scope")
    first, last = month_bounds(month)
    out = Statement(agency=agency, month=month, first=first, last=last)
    placements = list(
        Placement.objects.filter(agency=agency, placed_on__lte=last)
        .filter(Q(recalled_on__gte=first) | Q(recalled_on__isnull=True, ends_on__gte=first))
        .select_related("batch__contract", "loan")
    )
    if not placements:
        return out
    credited = {p.pk: p for p in placements if p.batch.contract.basis == Contract.Basis.CREDITED}
    confirmed = set(
        AgencyPayment.objects.filter(
            agency=agency, status=AgencyPayment.Status.CONFIRMED, placement__in=credited.keys()
        ).values_list("ledger_payment_id", flat=True)
    )
    by_loan: dict[int, list[Placement]] = {}
    for p in placements:
        by_loan.setdefault(p.loan_id, []).append(p)
    pays = (
        Payment.objects.filter(loan_id__in=by_loan.keys(), paid_on__gte=first, paid_on__lte=last)
        .exclude(channel__in=WAIVER_CHANNELS)
        .select_related("loan")
        .order_by("paid_on", "external_id")
    )
    for pay in pays:
        for p in by_loan[pay.loan_id]:
            if not (p.placed_on <= pay.paid_on <= p.until):
                continue
            if p.pk in credited and pay.pk not in confirmed:
                continue
            out.lines.append(
                StatementLine(
                    payment_id=pay.external_id,
                    loan_id=pay.loan.external_id,
                    case_id=p.case_id,
                    batch=p.batch.number,
                    paid_on=pay.paid_on,
                    amount_fen=pay.amount_fen,
                    rate=p.rate,
                    commission_fen=commission_fen(pay.amount_fen, p.rate),
                )
            )
            break
    return out


# ------------------------------------------------------------------------ performance


@dataclass
class PerformanceRow:
    """One agency or in-house team over a period: what it held, recovered and cost."""

    kind: str  # "agency" | "team"
    name: str
    cases: int
    held_fen: int
    recovered_fen: int
    cost_fen: int | None

    @property
    def recovery_rate(self) -> Decimal | None:
        if not self.held_fen:
            return None
        return (Decimal(self.recovered_fen) / Decimal(self.held_fen)).quantize(Decimal("0.0001"))

    @property
    def cost_per_yuan(self) -> Decimal | None:
        if self.cost_fen is None or not self.recovered_fen:
            return None
        return (Decimal(self.cost_fen) / Decimal(self.recovered_fen)).quantize(Decimal("0.0001"))


def agency_performance(user: User, date_from: dt.date, date_to: dt.date) -> list[PerformanceRow]:
    """Recovery rate and cost per yuan recovered of each agency, beside each in-house team.

    Agencies: the cases placed during the period, what they owed when placed, the payments
    received while placed and the commission on them (each month's statement basis). Teams:
    the cases the team works (not with an agency), what they owed at the period's start (the
    end-of-day snapshot, or the first one in the period) and the payments received in the
    period; in-house cost is not in the
    system, so it shows blank. Readers (`agency.read`) only.
    """
    if not may_read(user):
        return []
    rows: list[PerformanceRow] = []
    for agency in Agency.objects.order_by("name"):
        placements = list(
            Placement.objects.filter(agency=agency, placed_on__lte=date_to)
            .filter(Q(recalled_on__gte=date_from) | Q(recalled_on__isnull=True))
            .select_related("batch__contract")
        )
        if not placements:
            continue
        recovered = cost = 0
        month = dt.date(date_from.year, date_from.month, 1)
        while month <= date_to:
            st = statement(user, agency, f"{month:%Y-%m}")
            for line in st.lines:
                if date_from <= line.paid_on <= date_to:
                    cost += line.commission_fen
            month = (month + dt.timedelta(days=32)).replace(day=1)
        by_loan: dict[int, list[Placement]] = {}
        for p in placements:
            by_loan.setdefault(p.loan_id, []).append(p)
        for pay in Payment.objects.filter(
            loan_id__in=by_loan.keys(), paid_on__gte=date_from, paid_on__lte=date_to
        ).exclude(channel__in=WAIVER_CHANNELS):
            if any(p.placed_on <= pay.paid_on <= p.until for p in by_loan[pay.loan_id]):
                recovered += pay.amount_fen
        rows.append(
            PerformanceRow(
                kind="agency",
                name=agency.name,
                cases=len({p.case_id for p in placements}),
                held_fen=sum(p.owed_fen for p in placements),
                recovered_fen=recovered,
                cost_fen=cost,
            )
        )
    rows.extend(_team_rows(date_from, date_to))
    return rows


def _team_rows(date_from: dt.date, date_to: dt.date) -> list[PerformanceRow]:
    from arrears.cases.models import Case
    from arrears.eod.models import LoanSnapshot

    placed = Placement.objects.filter(placed_on__lte=date_to).filter(
        Q(recalled_on__gte=date_from) | Q(recalled_on__isnull=True)
    )
    # What the teams held at the period's start: the snapshot of that day or the last one
    # before; a period starting before the first snapshot takes the first in the period.
    start = (
        LoanSnapshot.objects.filter(as_of__lte=date_from)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    ) or (
        LoanSnapshot.objects.filter(as_of__gt=date_from, as_of__lte=date_to)
        .order_by("as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    rows = []
    for team in Team.objects.order_by("name"):
        cases = (
            Case.objects.filter(team=team, opened_on__lte=date_to)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=date_from))
            .exclude(pk__in=placed.values("case_id"))
        )
        loan_ids = cases.values("loan_id")
        n = cases.count()
        if not n:
            continue
        held = 0
        if start is not None:
            agg = LoanSnapshot.objects.filter(as_of=start, loan_id__in=loan_ids).aggregate(
                p=Sum("outstanding_principal_fen"),
                i=Sum("overdue_interest_fen"),
                pe=Sum("penalty_fen"),
                f=Sum("fees_fen"),
            )
            held = sum(v or 0 for v in agg.values())
        recovered = (
            Payment.objects.filter(
                loan_id__in=loan_ids, paid_on__gte=date_from, paid_on__lte=date_to
            )
            .exclude(channel__in=WAIVER_CHANNELS)
            .aggregate(s=Sum("amount_fen"))["s"]
            or 0
        )
        rows.append(
            PerformanceRow(
                kind="team",
                name=team.name,
                cases=n,
                held_fen=held,
                recovered_fen=recovered,
                cost_fen=None,
            )
        )
    return rows
