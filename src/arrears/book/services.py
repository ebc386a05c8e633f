"""Writes to the loan book. Views, the API, the CLI and imports all call these."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from arrears.book import ledger
from arrears.book.errors import BookError
from arrears.book.models import (
    Allocation,
    Borrower,
    Charge,
    Installment,
    Loan,
    Payment,
    Product,
    split_of,
)
from arrears.book.schedule import ScheduledInstallment, build_schedule
from arrears.book.terms import cap_on, legal_cap_periods, terms_for
from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.models import User

REPLAY_CHUNK = 500
TOUCH_CHUNK = 900  # under SQLite's 999 bound parameters per statement


def product_default() -> Product:
    """The product used when a loan names none (created on first use)."""
    product, _ = Product.objects.get_or_create(
        code=settings.ARREARS_DEFAULT_PRODUCT,
        defaults={
            "name": "标准小额贷款 Standard microloan",
            "product_type": Product.ProductType.MICROLOAN,
            "annual_rate": Decimal("0.12"),
            "rate_cap": Decimal("0.24"),
            "failed_deduction_fee_fen": 2000,
        },
    )
    return product


def default_penalty_rate(product: Product, annual_rate: Decimal) -> Decimal:
    """Blank penalty rate: the product's, else 1.5 × the contract rate (上浮50%)."""
    if product.penalty_rate is not None:
        return product.penalty_rate
    return (Decimal(annual_rate) * Decimal("1.5")).quantize(Decimal("0.000001"))


def installments_for(loan: Loan, schedule: Sequence[ScheduledInstallment]) -> list[Installment]:
    return [
        Installment(
            loan=loan,
            number=s.number,
            due_on=s.due_on,
            principal_due_fen=s.principal_fen,
            interest_due_fen=s.interest_fen,
        )
        for s in schedule
    ]


@transaction.atomic
def loan_create(
    *,
    external_id: str,
    borrower: Borrower,
    product: Product,
    principal_fen: int,
    annual_rate: Decimal,
    penalty_rate: Decimal | None,
    disbursed_on: dt.date,
    term_months: int,
    repayment_method: str,
    actor: User | None = None,
    source: str = "system",
) -> Loan:
    """Create a loan with its generated schedule."""
    schedule = build_schedule(
        principal_fen=principal_fen,
        annual_rate=annual_rate,
        term_months=term_months,
        method=repayment_method,
        disbursed_on=disbursed_on,
        annuity_interest=product.annuity_interest,
        accrual=product.interest_accrual,
    )
    loan = Loan.objects.create(
        external_id=external_id,
        borrower=borrower,
        product=product,
        principal_fen=principal_fen,
        annual_rate=annual_rate,
        penalty_rate=penalty_rate
        if penalty_rate is not None
        else default_penalty_rate(product, annual_rate),
        disbursed_on=disbursed_on,
        term_months=term_months,
        repayment_method=repayment_method,
        ledger_changed_at=timezone.now(),
    )
    Installment.objects.bulk_create(installments_for(loan, schedule))
    audit_record(
        actor=actor,
        event="loan.create",
        object_type="loan",
        object_id=external_id,
        after={"principal_fen": principal_fen, "term_months": term_months},
        source=source,
    )
    return loan


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def loans_touch(loan_ids: Iterable[int]) -> None:
    """Mark loans whose ledger inputs changed (schedule, payments, charges, terms).

    The end-of-day run recomputes only loans changed since its previous run and carries the
    others forward (docs/eod.md, "Incremental runs"): every write to what the ledger or the
    engine reads must end here, in the same transaction. loans_replay does it for you.
    One UPDATE … WHERE id IN (…) per chunk.
    """
    now = timezone.now()
    ids = sorted(set(loan_ids))
    for chunk in _chunks(ids, TOUCH_CHUNK):
        Loan.objects.filter(id__in=chunk).update(ledger_changed_at=now)


def loans_replay(loan_ids: Iterable[int]) -> None:
    """Re-run the ledger for these loans and store allocations and paid amounts.

    Call inside the transaction that changed the loans' payments, charges or schedule.
    The ledger rule is per loan (book.ledger.replay); reads and writes are in bulk.
    Marks the loans changed (loans_touch) for the end-of-day run.
    """
    ids = sorted(set(loan_ids))
    for chunk in _chunks(ids, REPLAY_CHUNK):
        _replay_chunk(chunk)
    loans_touch(ids)


def _replay_chunk(ids: list[int]) -> None:
    loans = {
        row["id"]: row
        for row in Loan.objects.filter(id__in=ids).values(
            "id",
            "status",
            "annual_rate",
            "penalty_rate",
            "disbursed_on",
            "product_id",
            "product__rate_cap",
            "product__day_count",
            "product__grace_days",
            "product__penalty_base",
            "product__allocation_order",
        )
    }
    insts: dict[int, list[ledger.InstallmentIn]] = defaultdict(list)
    current: dict[int, tuple[int, int, int]] = {}
    for r in Installment.objects.filter(loan_id__in=ids).values(
        "id",
        "loan_id",
        "number",
        "due_on",
        "principal_due_fen",
        "interest_due_fen",
        "principal_paid_fen",
        "interest_paid_fen",
        "penalty_paid_fen",
    ):
        insts[r["loan_id"]].append(
            ledger.InstallmentIn(
                r["id"], r["number"], r["due_on"], r["principal_due_fen"], r["interest_due_fen"]
            )
        )
        current[r["id"]] = (r["principal_paid_fen"], r["interest_paid_fen"], r["penalty_paid_fen"])
    pays: dict[int, list[ledger.PaymentIn]] = defaultdict(list)
    for r in Payment.objects.filter(loan_id__in=ids).values(
        "id",
        "loan_id",
        "external_id",
        "paid_on",
        "amount_fen",
        "split_principal_fen",
        "split_interest_fen",
        "split_penalty_fen",
    ):
        pays[r["loan_id"]].append(
            ledger.PaymentIn(
                r["id"],
                r["external_id"],
                r["paid_on"],
                r["amount_fen"],
                split_of(r["split_principal_fen"], r["split_interest_fen"], r["split_penalty_fen"]),
            )
        )
    chgs: dict[int, list[ledger.ChargeIn]] = defaultdict(list)
    charge_paid_now: dict[int, int] = {}
    for r in Charge.objects.filter(loan_id__in=ids).values(
        "id", "loan_id", "charged_on", "amount_fen", "waived_fen", "paid_fen"
    ):
        chgs[r["loan_id"]].append(
            ledger.ChargeIn(r["id"], r["charged_on"], r["amount_fen"], r["waived_fen"])
        )
        charge_paid_now[r["id"]] = r["paid_fen"]

    legal = legal_cap_periods(
        Product.objects.filter(id__in={r["product_id"] for r in loans.values()})
    )
    new_allocs: list[Allocation] = []
    inst_updates: list[Installment] = []
    charge_updates: list[Charge] = []
    loan_updates: list[Loan] = []
    for loan_id, row in loans.items():
        terms = terms_for(
            penalty_rate=row["penalty_rate"],
            rate_cap=row["product__rate_cap"],
            day_count=row["product__day_count"],
            grace_days=row["product__grace_days"],
            penalty_base=row["product__penalty_base"],
            allocation_order=row["product__allocation_order"],
            annual_rate=row["annual_rate"],
            legal_cap_ppm=cap_on(legal, row["product_id"], row["disbursed_on"]),
        )
        result = ledger.replay(
            installments=insts[loan_id],
            payments=pays[loan_id],
            charges=chgs[loan_id],
            terms=terms,
            disbursed_on=row["disbursed_on"],
        )
        for a in result.allocations:
            new_allocs.append(
                Allocation(
                    payment_id=a.payment_key,
                    loan_id=loan_id,
                    installment_id=a.installment_key,
                    charge_id=a.charge_key,
                    component=a.component,
                    amount_fen=a.amount,
                    effective_on=a.effective_on,
                )
            )
        for pos in result.installments:
            paid = (pos.principal_paid, pos.interest_paid, pos.penalty_paid)
            if current[pos.key] != paid:
                inst_updates.append(
                    Installment(
                        id=pos.key,
                        principal_paid_fen=paid[0],
                        interest_paid_fen=paid[1],
                        penalty_paid_fen=paid[2],
                    )
                )
        for key, paid in result.charges_paid.items():
            if charge_paid_now[key] != paid:
                charge_updates.append(Charge(id=key, paid_fen=paid))
        # Fees the cap holds back once nothing else is left are never owed: the allowance
        # stops growing when no principal is current or overdue.
        settled = result.settled
        status = row["status"]
        if status != Loan.Status.WRITTEN_OFF:
            status = Loan.Status.PAID_OFF if settled else Loan.Status.ACTIVE
        loan_updates.append(
            Loan(id=loan_id, credit_balance_fen=result.credit_balance, status=status)
        )

    Allocation.objects.filter(loan_id__in=ids).delete()
    Allocation.objects.bulk_create(new_allocs, batch_size=2000)
    if inst_updates:
        Installment.objects.bulk_update(
            inst_updates,
            ["principal_paid_fen", "interest_paid_fen", "penalty_paid_fen"],
            batch_size=500,
        )
    if charge_updates:
        Charge.objects.bulk_update(charge_updates, ["paid_fen"], batch_size=500)
    Loan.objects.bulk_update(loan_updates, ["credit_balance_fen", "status"], batch_size=500)


def payment_validate(
    *, loan: Loan, external_id: str, paid_on: dt.date, amount_fen: int, today: dt.date | None = None
) -> Payment | None:
    """Check a payment before posting; return the existing one if this is an exact repeat.

    Raises BookError naming the field for anything a person must fix.
    """
    external_id = (external_id or "").strip()
    if not external_id:
        raise BookError(
            "payment_id_missing", "a payment ID (流水号) is required", field="payment_id"
        )
    if amount_fen <= 0:
        raise BookError("amount_not_positive", "amount must be greater than zero", field="amount")
    if paid_on < loan.disbursed_on:
        raise BookError(
            "paid_before_disbursement",
            f"payment date {paid_on} is before the loan was disbursed ({loan.disbursed_on})",
            field="paid_on",
        )
    today = today or local_today()
    if paid_on > today:
        raise BookError(
            "paid_in_future", f"payment date {paid_on} is in the future", field="paid_on"
        )
    existing = Payment.objects.filter(external_id=external_id).first()
    if existing is None:
        return None
    if (existing.loan_id, existing.paid_on, existing.amount_fen) == (
        loan.id,
        paid_on,
        amount_fen,
    ):
        return existing
    raise BookError(
        "duplicate_payment_id",
        f"payment ID {external_id} was already posted with a different loan, date or amount",
        field="payment_id",
    )


def payment_post(
    *,
    loan: Loan,
    external_id: str,
    paid_on: dt.date,
    amount_fen: int,
    channel: str = Payment.Channel.OTHER,
    actor: User | None = None,
    source: str = "web",
    ip: str | None = None,
    split: tuple[int, int, int] | None = None,
) -> tuple[Payment, bool]:
    """Post one payment and re-allocate the loan. Returns (payment, created).

    Posting the same payment ID again with the same details changes nothing. `split`
    (principal, interest, penalty fen, summing to the amount) is a receipt that says what it
    pays: the ledger allocates it so, not by the waterfall (book.ledger).
    """
    if channel not in Payment.Channel.values:
        raise BookError("unknown_channel", f"unknown channel {channel!r}", field="channel")
    if split is not None and (any(part < 0 for part in split) or sum(split) != amount_fen):
        raise BookError(
            "split_mismatch",
            "principal, interest and penalty must be at least zero and add up to the amount",
            field="amount",
        )
    with transaction.atomic():
        # Lock the loan so two postings to one loan replay one after the other.
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        existing = payment_validate(
            loan=loan, external_id=external_id, paid_on=paid_on, amount_fen=amount_fen
        )
        if existing is not None:
            return existing, False
        payment = Payment.objects.create(
            external_id=external_id.strip(),
            loan=loan,
            paid_on=paid_on,
            amount_fen=amount_fen,
            channel=channel,
            source=source,
            posted_by=actor,
            split_principal_fen=split[0] if split is not None else None,
            split_interest_fen=split[1] if split is not None else None,
            split_penalty_fen=split[2] if split is not None else None,
        )
        loans_replay([loan.id])
        audit_record(
            actor=actor,
            event="payment.post",
            object_type="payment",
            object_id=payment.external_id,
            after={
                "loan": loan.external_id,
                "paid_on": paid_on.isoformat(),
                "amount_fen": amount_fen,
                "channel": channel,
            },
            source=source,
            ip=ip,
        )
    return payment, True


def payments_post_many(
    *,
    rows: Sequence[tuple[int, str, dt.date, int, str]],
    actor: User | None = None,
    source: str = "system",
) -> dict[str, Payment]:
    """Post many payments at once — (loan_id, payment ID, paid_on, amount_fen, channel) —
    in bulk: one insert, one batched replay of their loans, one audit batch. For batch work
    (a plan's waiver at end of day). An ID already posted is left as it is (idempotent).
    Returns the payments by ID, the ones already there included."""
    from arrears.core.audit import AuditItem, audit_record_many

    ids = [r[1] for r in rows]
    with transaction.atomic():
        existing = {p.external_id: p for p in Payment.objects.filter(external_id__in=ids)}
        new = [
            Payment(
                external_id=external_id,
                loan_id=loan_id,
                paid_on=paid_on,
                amount_fen=amount,
                channel=channel,
                source=source,
                posted_by=actor,
            )
            for loan_id, external_id, paid_on, amount, channel in rows
            if external_id not in existing and amount > 0
        ]
        Payment.objects.bulk_create(new, batch_size=1000)
        if new:
            loans_replay({p.loan_id for p in new})
        loans = dict(
            Loan.objects.filter(id__in={p.loan_id for p in new}).values_list("id", "external_id")
        )
        audit_record_many(
            actor=actor,
            items=[
                AuditItem(
                    "payment.post",
                    "payment",
                    p.external_id,
                    None,
                    {
                        "loan": loans[p.loan_id],
                        "paid_on": p.paid_on.isoformat(),
                        "amount_fen": p.amount_fen,
                        "channel": p.channel,
                    },
                )
                for p in new
            ],
            source=source,
        )
    out = {p.external_id: p for p in Payment.objects.filter(external_id__in=ids)}
    return out


def charge_add(
    *,
    loan: Loan,
    kind: str,
    amount_fen: int,
    charged_on: dt.date,
    note: str = "",
    actor: User | None = None,
    source: str = "system",
) -> Charge:
    """Charge a fee to a loan (e.g. the failed-deduction fee) and re-allocate held credit."""
    if kind not in Charge.Kind.values:
        raise BookError("unknown_charge_kind", f"unknown charge kind {kind!r}", field="kind")
    if amount_fen <= 0:
        raise BookError("amount_not_positive", "amount must be greater than zero", field="amount")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        charge = Charge.objects.create(
            loan=loan, kind=kind, amount_fen=amount_fen, charged_on=charged_on, note=note
        )
        loans_replay([loan.id])
        audit_record(
            actor=actor,
            event="charge.add",
            object_type="loan",
            object_id=loan.external_id,
            after={"kind": kind, "amount_fen": amount_fen, "charged_on": charged_on.isoformat()},
            source=source,
        )
    return charge
