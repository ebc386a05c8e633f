"""The ledger rule: replay a loan's payments against its schedule and charges.

A pure function over plain values, used when a payment is posted (to allocate it), when a
loan page shows its position as of a date, and as the reference the set-based end-of-day
engine is proven against.

Rules (see docs/ledger.md):
- A payment pays only what is due on its date, by the product's waterfall of components
  (default fee → penalty → interest → principal; Civil Code art. 561), each component
  oldest first. What is left is held as credit and applied on later due dates (oldest
  payment's money first); what is never needed stays as the loan's credit balance.
- Penalty interest (罚息) accrues for each day d after due date + grace days, up to and
  including the as-of date, on the base at the start of day d (payments dated d reduce the
  base from d + 1): base × rate / day_count. It is kept as an exact integer numerator
  (fen × parts-per-million × days) per installment and rounded half-up to the fen only
  when read, so the result does not depend on how often it is read.
- The all-in annual cap (Terms.fee_cap_ppm: the lower of the product's and the law's,
  book.terms; None: no cap) is an annual figure whatever the contract's day count: a day's
  charges never exceed cap / 365 of the base (CAP_YEAR_DAYS), so a year's never exceed the
  cap. The penalty per base-day is min(rate / day_count, cap / 365).
- Fees owed as of a date are never more than the room the cap leaves over the interest and
  penalty the loan bears (fee_room): for each day a principal is current, (cap − contract
  rate) / 365 on it from disbursement through its due date; for each day penalty accrues,
  cap / 365 − the day's penalty rate, on the penalty base. Kept as one exact numerator per
  loan and rounded half-up once, like the penalty. Fees owed = min(charged − waived, allowance)
  − paid; a payment pays fees only up to the allowance on its date, and the rest of the
  money goes on down the waterfall. The allowance never shrinks, so a fee held back by the
  cap becomes owed as the days pass.
- A payment with a split (a receipt: principal, interest, penalty) pays each part as it says,
  oldest installment first, never by the waterfall; what its part does not owe is credit.
- Events on one date run in this order: credit applied to what falls due, then payments in
  payment-ID order. Posting order never matters, only dates and IDs.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

from arrears.core.money import div_half_up

PPM = 1_000_000
# A cap is an annual figure: a year is 365 days (the annualisation of the courts and of the
# microlender cost guideline: annual = daily × 365), whatever day count the contract uses.
CAP_YEAR_DAYS = 365
DEFAULT_WATERFALL = ("fee", "penalty", "interest", "principal")


@dataclass(frozen=True, slots=True)
class Terms:
    """The parts of a loan's product that the ledger needs."""

    penalty_rate_ppm: int
    day_count: int = 360
    grace_days: int = 0
    penalty_on_interest: bool = False  # base = overdue principal (+ overdue interest: 复利)
    waterfall: tuple[str, ...] = DEFAULT_WATERFALL
    # The all-in annual rate cap (the lower of the product's and the law's; None: no cap),
    # and the loan's contract rate (the part of the cap a current principal already uses).
    fee_cap_ppm: int | None = None
    annual_rate_ppm: int = 0


@dataclass(slots=True)
class InstallmentIn:
    key: int
    number: int
    due_on: dt.date
    principal_due: int
    interest_due: int


@dataclass(slots=True)
class ChargeIn:
    key: int
    charged_on: dt.date
    amount: int
    waived: int = 0


@dataclass(slots=True)
class PaymentIn:
    key: int
    external_id: str
    paid_on: dt.date
    amount: int
    # A receipt that says what it pays (a field visit's cash: principal, interest, penalty in
    # fen) is allocated as it says, oldest installment first within each part, instead of by
    # the waterfall; what finds nothing due on its part is held as credit. None: waterfall.
    split: tuple[int, int, int] | None = None


@dataclass(frozen=True, slots=True)
class AllocationOut:
    payment_key: int
    component: str  # fee | penalty | interest | principal | credit
    amount: int
    effective_on: dt.date
    installment_key: int | None = None
    charge_key: int | None = None


@dataclass(slots=True)
class _Inst:
    src: InstallmentIn
    principal_paid: int = 0
    interest_paid: int = 0
    penalty_paid: int = 0
    base_days: int = 0  # the penalty base summed over the accrued days (fen × days)
    accrued_through: dt.date | None = None

    @property
    def principal_left(self) -> int:
        return self.src.principal_due - self.principal_paid

    @property
    def interest_left(self) -> int:
        return self.src.interest_due - self.interest_paid


@dataclass(slots=True)
class _Charge:
    src: ChargeIn
    paid: int = 0

    @property
    def left(self) -> int:
        return self.src.amount - self.src.waived - self.paid


@dataclass(slots=True)
class InstallmentPosition:
    key: int
    number: int
    due_on: dt.date
    principal_due: int
    interest_due: int
    principal_paid: int
    interest_paid: int
    penalty_accrued: int
    penalty_paid: int

    @property
    def principal_left(self) -> int:
        return self.principal_due - self.principal_paid

    @property
    def interest_left(self) -> int:
        return self.interest_due - self.interest_paid

    @property
    def penalty_left(self) -> int:
        return self.penalty_accrued - self.penalty_paid


@dataclass(slots=True)
class LedgerResult:
    """The loan's allocations and position after the events up to `as_of` (None: all)."""

    allocations: list[AllocationOut]
    installments: list[InstallmentPosition]
    charges_paid: dict[int, int]
    charges_left: dict[int, int]
    credit_balance: int
    as_of: dt.date | None = None
    payments_total: int = 0
    # Fees owed (capped) and the part of the charges the cap holds back for now; the
    # allowance is None when the product has no cap. As of `as_of`, or the last event.
    fees_owed: int = 0
    fees_held: int = 0
    fee_allowance: int | None = None
    # Each charge's part of fees_owed: the cap's room goes to the oldest charge first (as a
    # payment pays them); the rest of a charge is held back for now.
    charges_owed: dict[int, int] = field(default_factory=dict)

    @property
    def settled(self) -> bool:
        """Nothing left to pay: principal, interest, penalty and the fees the cap allows."""
        return (
            all(
                p.principal_left == 0 and p.interest_left == 0 and p.penalty_left <= 0
                for p in self.installments
            )
            and self.fees_owed <= 0
        )

    def due_as_of(self, day: dt.date) -> list[InstallmentPosition]:
        return [i for i in self.installments if i.due_on <= day]

    def dpd(self, day: dt.date, tolerance: int = 0) -> int:
        """Days past due: day − the earliest due date with more than `tolerance` unpaid."""
        for inst in self.installments:
            if inst.due_on > day:
                break
            if inst.principal_left + inst.interest_left > tolerance:
                return (day - inst.due_on).days
        return 0


def penalty_numerator(terms: Terms) -> int:
    """The penalty per fen-day over day_count × 365 × PPM: min(rate × 365, cap × day_count).

    rate / day_count a day, but never more than cap / 365 a day: with a 360-day count a
    penalty at the cap would otherwise charge 365/360 of the cap over a year.
    """
    num = terms.penalty_rate_ppm * CAP_YEAR_DAYS
    if terms.fee_cap_ppm is not None:
        num = min(num, terms.fee_cap_ppm * terms.day_count)
    return num


def replay(
    *,
    installments: list[InstallmentIn],
    payments: list[PaymentIn],
    charges: list[ChargeIn] = (),
    terms: Terms,
    as_of: dt.date | None = None,
    disbursed_on: dt.date | None = None,
) -> LedgerResult:
    """Allocate every payment (dated up to `as_of`) and report the position as of `as_of`.

    `disbursed_on` starts the days a current principal gives the fee cap room (none: fees
    get room only from overdue days).
    """
    insts = [_Inst(i) for i in sorted(installments, key=lambda i: (i.due_on, i.number))]
    chgs = [_Charge(c) for c in sorted(charges, key=lambda c: (c.charged_on, c.key))]
    pays = sorted(payments, key=lambda p: (p.paid_on, p.external_id))
    if as_of is not None:
        pays = [p for p in pays if p.paid_on <= as_of]
        chgs = [c for c in chgs if c.src.charged_on <= as_of]
    cap = terms.fee_cap_ppm
    # Everything over one denominator, day_count × 365 × PPM, so the cap per day (cap / 365)
    # and the penalty per day (rate / day_count) are both exact numerators.
    den = terms.day_count * CAP_YEAR_DAYS * PPM
    pen_num = penalty_numerator(terms)
    allocations: list[AllocationOut] = []
    credit: deque[list] = deque()  # [payment_key, amount, paid_on], oldest money first

    dates = sorted(
        {p.paid_on for p in pays} | {i.src.due_on for i in insts} | {c.src.charged_on for c in chgs}
    )
    if as_of is not None:
        dates = [d for d in dates if d <= as_of]

    def accrue(inst: _Inst, through: dt.date) -> None:
        start = inst.src.due_on + dt.timedelta(days=terms.grace_days + 1)
        if inst.accrued_through is not None and inst.accrued_through >= start:
            start = inst.accrued_through + dt.timedelta(days=1)
        if through >= start:
            base = inst.principal_left
            if terms.penalty_on_interest:
                base += inst.interest_left
            if base > 0:
                inst.base_days += base * ((through - start).days + 1)
        if inst.accrued_through is None or through > inst.accrued_through:
            inst.accrued_through = through

    def penalty_left(inst: _Inst) -> int:
        return div_half_up(inst.base_days * pen_num, den) - inst.penalty_paid

    fees_paid = 0

    def fee_allowance(day: dt.date) -> int | None:
        """Fees the cap allows in all as of `day` (installments accrued through `day`)."""
        if cap is None:
            return None
        num = (cap * terms.day_count - pen_num) * sum(i.base_days for i in insts)
        if disbursed_on is not None and cap > terms.annual_rate_ppm:
            current = sum(
                i.src.principal_due * max(0, (min(i.src.due_on, day) - disbursed_on).days)
                for i in insts
            )
            num += (cap - terms.annual_rate_ppm) * terms.day_count * current
        return div_half_up(num, den)

    def pay(amount: int, day: dt.date, payment_key: int) -> int:
        """Spend `amount` on what is due on `day`; return what is left."""
        nonlocal fees_paid
        for component in terms.waterfall:
            if amount <= 0:
                break
            if component == "fee":
                allowance = fee_allowance(day)
                for c in chgs:
                    room = amount if allowance is None else min(amount, allowance - fees_paid)
                    if room <= 0:
                        break
                    if c.src.charged_on > day or c.left <= 0:
                        continue
                    take = min(room, c.left)
                    c.paid += take
                    fees_paid += take
                    amount -= take
                    allocations.append(
                        AllocationOut(payment_key, "fee", take, day, charge_key=c.src.key)
                    )
                continue
            for inst in insts:
                if amount <= 0 or inst.src.due_on > day:
                    break
                if component == "penalty":
                    left = penalty_left(inst)
                elif component == "interest":
                    left = inst.interest_left
                elif component == "principal":
                    left = inst.principal_left
                else:
                    raise ValueError(f"unknown waterfall component {component!r}")
                if left <= 0:
                    continue
                take = min(amount, left)
                if component == "penalty":
                    inst.penalty_paid += take
                elif component == "interest":
                    inst.interest_paid += take
                else:
                    inst.principal_paid += take
                amount -= take
                allocations.append(
                    AllocationOut(payment_key, component, take, day, installment_key=inst.src.key)
                )
        return amount

    def pay_directed(p: PaymentIn, day: dt.date) -> int:
        """Spend a receipt as it splits itself (principal, interest, penalty); return the rest."""
        left_over = 0
        for component, amount in zip(("principal", "interest", "penalty"), p.split, strict=True):
            for inst in insts:
                if amount <= 0 or inst.src.due_on > day:
                    break
                if component == "penalty":
                    left = penalty_left(inst)
                elif component == "interest":
                    left = inst.interest_left
                else:
                    left = inst.principal_left
                if left <= 0:
                    continue
                take = min(amount, left)
                if component == "penalty":
                    inst.penalty_paid += take
                elif component == "interest":
                    inst.interest_paid += take
                else:
                    inst.principal_paid += take
                amount -= take
                allocations.append(
                    AllocationOut(p.key, component, take, day, installment_key=inst.src.key)
                )
            left_over += amount
        return left_over

    pays_by_date: dict[dt.date, list[PaymentIn]] = {}
    for p in pays:
        pays_by_date.setdefault(p.paid_on, []).append(p)

    for day in dates:
        for inst in insts:
            if inst.src.due_on < day:
                accrue(inst, day)
        # Credit held from earlier payments is spent first, oldest money first.
        while credit:
            entry = credit[0]
            entry[1] = pay(entry[1], day, entry[0])
            if entry[1] > 0:
                break
            credit.popleft()
        for p in pays_by_date.get(day, ()):
            left = pay_directed(p, day) if p.split is not None else pay(p.amount, day, p.key)
            if left > 0:
                credit.append([p.key, left, p.paid_on])

    if as_of is not None:
        for inst in insts:
            accrue(inst, as_of)
    end = as_of if as_of is not None else (dates[-1] if dates else None)
    fees_left = sum(c.left for c in chgs)
    allowance = fee_allowance(end) if end is not None else (None if cap is None else 0)
    if allowance is None:
        fees_owed = fees_left
    else:
        fees_owed = min(sum(c.src.amount - c.src.waived for c in chgs), allowance) - fees_paid

    room = fees_owed
    charges_owed: dict[int, int] = {}
    for c in chgs:
        charges_owed[c.src.key] = max(0, min(c.left, room))
        room -= charges_owed[c.src.key]

    for key, amount, paid_on in credit:
        allocations.append(AllocationOut(key, "credit", amount, paid_on))

    positions = [
        InstallmentPosition(
            key=i.src.key,
            number=i.src.number,
            due_on=i.src.due_on,
            principal_due=i.src.principal_due,
            interest_due=i.src.interest_due,
            principal_paid=i.principal_paid,
            interest_paid=i.interest_paid,
            penalty_accrued=div_half_up(i.base_days * pen_num, den),
            penalty_paid=i.penalty_paid,
        )
        for i in insts
    ]
    positions.sort(key=lambda i: (i.due_on, i.number))
    return LedgerResult(
        allocations=allocations,
        installments=positions,
        charges_paid={c.src.key: c.paid for c in chgs},
        charges_left={c.src.key: c.left for c in chgs},
        credit_balance=sum(e[1] for e in credit),
        as_of=as_of,
        payments_total=sum(p.amount for p in pays),
        fees_owed=fees_owed,
        fees_held=fees_left - fees_owed,
        fee_allowance=allowance,
        charges_owed=charges_owed,
    )
