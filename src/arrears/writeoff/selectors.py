"""Reads of write-off: candidates by filter, proposals, the written-off ledger, recoveries.

Every read starts from the requesting user's scope (core.scoping). Amounts come from the one
balance (book.selectors.loan_positions); recoveries are the ledger's allocations of the
payments received after a loan was written off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from arrears.book.models import WAIVER_CHANNELS, Allocation, Loan, Payment
from arrears.book.selectors import loan_positions
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.scoping import loan_scope_q, loans_for
from arrears.writeoff.models import (
    Reason,
    WriteOffAuthority,
    WriteOffItem,
    WriteOffProposal,
    WrittenOffLoan,
)

# One proposal holds at most this many loans: amounts are read loan by loan from the one
# balance (a replay each), so a batch stays a page a person can check.
MAX_ITEMS = 500


@dataclass(frozen=True)
class Amounts:
    """What a loan owes as of a date (fen), as written off: principal outstanding (all of it,
    due or not), interest due by the date and unpaid, penalty interest, fees the cap allows."""

    as_of: dt.date
    dpd: int
    principal: int
    interest: int
    penalty: int
    fees: int

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty + self.fees


def amounts_as_of(loan_ids, as_of: dt.date) -> dict[int, Amounts]:
    """The write-off amounts of many loans as of one date, from book.selectors.loan_positions."""
    out = {}
    for loan_id, pos in loan_positions(dict.fromkeys(loan_ids, as_of)).items():
        out[loan_id] = Amounts(
            as_of=as_of,
            dpd=pos.dpd,
            principal=pos.outstanding_principal,
            interest=sum(i.interest_left for i in pos.result.installments if i.due_on <= as_of),
            penalty=pos.penalty,
            fees=pos.fees,
        )
    return out


def _in_pending() -> Exists:
    return Exists(
        WriteOffItem.objects.filter(
            loan_id=OuterRef("pk"), proposal__status=WriteOffProposal.Status.PENDING
        )
    )


def candidates(*, user: User, reason: str, county: str = "") -> QuerySet[Loan]:
    """Loans a user may propose for write-off under a filter, by the latest end-of-day day:
    active (not paid off, not written off), delinquent (DPD > 0), in no pending proposal, and

    - `loss_class`: classed 损失 (loss);
    - `time_barred`: the statute of limitations has run (no defence waived since);
    - `deceased_no_estate`: the borrower's death is confirmed and no related party agreed to
      repay in their place (no case of the loan with `estate_party_repays`);
    - `other`: every delinquent loan (narrow it by county).
    """
    from arrears.cases.models import Case, DeathReport
    from arrears.eod.models import LoanState

    qs = loans_for(user).filter(status=Loan.Status.ACTIVE).exclude(_in_pending())
    state = LoanState.objects.filter(dpd__gt=0)
    if reason == Reason.LOSS_CLASS:
        state = state.filter(classification="loss")
    elif reason == Reason.TIME_BARRED:
        state = state.filter(time_barred=True)
    qs = qs.filter(pk__in=state.values("loan_id"))
    if reason == Reason.DECEASED_NO_ESTATE:
        qs = qs.filter(
            Exists(
                DeathReport.objects.filter(
                    borrower_id=OuterRef("borrower_id"), outcome=DeathReport.Outcome.CONFIRMED
                )
            )
        ).exclude(Exists(Case.objects.filter(loan_id=OuterRef("pk"), estate_party_repays=True)))
    if county:
        qs = qs.filter(borrower__county=county)
    return qs.select_related("borrower", "product").order_by("external_id")


def proposal_list(*, user: User, status: str = "") -> QuerySet[WriteOffProposal]:
    """Proposals with at least one loan the user may see (proposers and approvers see all)."""
    qs = WriteOffProposal.objects.filter(
        Exists(WriteOffItem.objects.filter(loan_scope_q(user, "loan__"), proposal=OuterRef("pk")))
    )
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("proposed_by", "decided_by")
        .annotate(loans=Count("items"))
        .order_by("-id")
    )


def proposal_get(*, user: User, pk: int) -> WriteOffProposal | None:
    return proposal_list(user=user).filter(pk=pk).first()


def proposal_items(proposal: WriteOffProposal) -> QuerySet[WriteOffItem]:
    return proposal.items.select_related("loan", "loan__borrower").order_by("loan__external_id")


def authority_for(role: str) -> WriteOffAuthority | None:
    return WriteOffAuthority.objects.filter(role=role).first()


def authority_table() -> list[WriteOffAuthority]:
    return list(WriteOffAuthority.objects.order_by("role"))


# --- recoveries after write-off -----------------------------------------------------------


def recovery_q(prefix: str = "") -> Q:
    """The payments that are recoveries after write-off (核销后收回): on a written-off loan,
    money received (not a waiver), and not already in the written-off amounts — dated after
    the write-off day, or posted after the approval (a back-dated payment the write-off
    could not count). `prefix` leads to the Payment (e.g. "payment__" from an Allocation)."""
    wo = f"{prefix}loan__write_off__"
    return (
        Q(**{f"{wo}isnull": False})
        & ~Q(**{f"{prefix}channel__in": WAIVER_CHANNELS})
        & (
            Q(**{f"{prefix}paid_on__gt": F(f"{wo}written_off_on")})
            | Q(**{f"{prefix}posted_at__gt": F(f"{wo}written_off_at")})
        )
    )


def recoveries(
    *, user: User, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Payment]:
    """The recovery payments the user may see, by paid_on in [date_from, date_to]."""
    qs = Payment.objects.filter(loan_scope_q(user, "loan__")).filter(recovery_q())
    if date_from:
        qs = qs.filter(paid_on__gte=date_from)
    if date_to:
        qs = qs.filter(paid_on__lte=date_to)
    return qs.select_related("loan").order_by("-paid_on", "external_id")


def ledger(*, user: User | None, q: str = "", county: str = "") -> QuerySet[WrittenOffLoan]:
    """The written-off ledger the user may see (None: the command line's operator, all of
    it), each row with what was recovered after (`recovered_fen`, all time); the loans' own
    balances are read per page (ledger_balances)."""
    rec = (
        Payment.objects.filter(loan_id=OuterRef("loan_id"))
        .filter(recovery_q())
        .values("loan_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")[:1]
    )
    qs = (
        WrittenOffLoan.objects.all()
        if user is None
        else WrittenOffLoan.objects.filter(loan_scope_q(user, "loan__"))
    )
    qs = qs.annotate(recovered_fen=Coalesce(Subquery(rec), 0))
    if q:
        qs = qs.filter(
            Q(loan__external_id__icontains=q.strip()) | Q(loan__borrower__name__icontains=q.strip())
        )
    if county:
        qs = qs.filter(loan__borrower__county=county)
    return qs.select_related("loan", "loan__borrower", "loan__product", "proposal", "approved_by")


def ledger_balances(rows, as_of: dt.date | None = None) -> dict[int, Amounts]:
    """The written-off loans' own balances today (accrual runs on off-balance, 表外)."""
    return amounts_as_of([r.loan_id for r in rows], as_of or local_today())


def loan_write_off(loan: Loan) -> WrittenOffLoan | None:
    """A loan's write-off, if any (the loan was fetched through the user's scope)."""
    return (
        WrittenOffLoan.objects.filter(loan=loan).select_related("proposal", "approved_by").first()
    )


def loan_recoveries(loan: Loan) -> QuerySet[Payment]:
    return Payment.objects.filter(loan=loan).filter(recovery_q()).order_by("paid_on", "external_id")


# --- for reports (issue 17) -----------------------------------------------------------------

GROUPS = {
    None: None,
    "loan": "loan__external_id",
    "product": "loan__product__code",
    "region": "loan__borrower__county",
}


def written_off_totals(
    user: User,
    date_from: dt.date | None,
    date_to: dt.date | None,
    *,
    group_by: str | None = None,
) -> list[dict]:
    """Written-off amounts and recoveries after write-off in a period, set-based (two
    aggregate queries), over the loans the user may see.

    One row per group (`group_by` None: one row for everything; "loan", "product" or
    "region" (the borrower's county)), integer fen:

    key                    the loan ID, product code or county ("" when not grouped)
    loans_written_off      loans written off with written_off_on in the period
    written_off_principal  principal written off (outstanding on the day)
    written_off_interest   interest due by the day, unpaid
    written_off_penalty    penalty interest on the day
    written_off_fees       fees on the day
    written_off_total      the sum of the four
    recoveries             recovery payments (recovery_q) with paid_on in the period
    recovered              their amount
    recovered_principal / recovered_interest / recovered_penalty / recovered_fees /
    recovered_credit       how the ledger allocated them (credit: held, not yet applied)
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(k for k in GROUPS if k)} or None")
    field = GROUPS[group_by]
    wo = WrittenOffLoan.objects.filter(loan_scope_q(user, "loan__"))
    pays = Payment.objects.filter(loan_scope_q(user, "loan__")).filter(recovery_q())
    allocs = Allocation.objects.filter(loan_scope_q(user, "loan__")).filter(recovery_q("payment__"))
    if date_from:
        wo = wo.filter(written_off_on__gte=date_from)
        pays = pays.filter(paid_on__gte=date_from)
        allocs = allocs.filter(payment__paid_on__gte=date_from)
    if date_to:
        wo = wo.filter(written_off_on__lte=date_to)
        pays = pays.filter(paid_on__lte=date_to)
        allocs = allocs.filter(payment__paid_on__lte=date_to)
    rows: dict[str, dict] = {}

    def row(key) -> dict:
        key = key or ""
        if key not in rows:
            rows[key] = {
                "key": key,
                **dict.fromkeys(
                    (
                        "loans_written_off",
                        "written_off_principal",
                        "written_off_interest",
                        "written_off_penalty",
                        "written_off_fees",
                        "written_off_total",
                        "recoveries",
                        "recovered",
                        "recovered_principal",
                        "recovered_interest",
                        "recovered_penalty",
                        "recovered_fees",
                        "recovered_credit",
                    ),
                    0,
                ),
            }
        return rows[key]

    def grouped(qs, *extra):
        keys = ([field] if field else []) + list(extra)
        return qs.values(*keys) if keys else qs

    for r in (
        grouped(wo)
        .annotate(
            n=Count("id"),
            p=Sum("principal_fen"),
            i=Sum("interest_fen"),
            pe=Sum("penalty_fen"),
            f=Sum("fees_fen"),
            t=Sum("total_fen"),
        )
        .order_by()
        if field
        else [
            wo.aggregate(
                n=Count("id"),
                p=Sum("principal_fen"),
                i=Sum("interest_fen"),
                pe=Sum("penalty_fen"),
                f=Sum("fees_fen"),
                t=Sum("total_fen"),
            )
        ]
    ):
        if not r["n"]:
            continue
        out = row(r.get(field) if field else "")
        out["loans_written_off"] += r["n"]
        out["written_off_principal"] += r["p"] or 0
        out["written_off_interest"] += r["i"] or 0
        out["written_off_penalty"] += r["pe"] or 0
        out["written_off_fees"] += r["f"] or 0
        out["written_off_total"] += r["t"] or 0
    pay_rows = (
        grouped(pays).annotate(n=Count("id"), s=Sum("amount_fen")).order_by()
        if field
        else [pays.aggregate(n=Count("id"), s=Sum("amount_fen"))]
    )
    for r in pay_rows:
        if not r["n"]:
            continue
        out = row(r.get(field) if field else "")
        out["recoveries"] += r["n"]
        out["recovered"] += r["s"] or 0
    names = {
        "principal": "recovered_principal",
        "interest": "recovered_interest",
        "penalty": "recovered_penalty",
        "fee": "recovered_fees",
        "credit": "recovered_credit",
    }
    for r in (
        allocs.values(*(([field] if field else []) + ["component"]))
        .annotate(s=Sum("amount_fen"))
        .order_by()
    ):
        row(r.get(field) if field else "")[names[r["component"]]] += r["s"] or 0
    return [rows[k] for k in sorted(rows)]
