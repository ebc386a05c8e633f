"""From a loan and its product to the ledger's Terms: the effective all-in cap (the lower of
the product's `rate_cap` and the law's for the product and contract date) and the penalty.

The law's caps come from the compliance app (compliance.caps.legal_cap_periods), which
registers itself here: the loan book does not import the floors above it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from arrears.book.ledger import DEFAULT_WATERFALL, Terms
from arrears.core.money import rate_ppm


@dataclass(frozen=True, slots=True)
class CapPeriod:
    """From `from_on` (a contract date) on, loans of `product_id` are capped at `cap_ppm` a
    year by law (None: no legal cap), until the next period of the same product."""

    product_id: int
    from_on: dt.date
    cap_ppm: int | None


_legal_source: Callable[[Iterable], list[CapPeriod]] | None = None


def legal_caps_register(source: Callable[[Iterable], list[CapPeriod]]) -> None:
    """Set the function that gives the legal cap periods of some products (compliance)."""
    global _legal_source
    _legal_source = source


def legal_cap_periods(products: Iterable) -> list[CapPeriod]:
    """The legal cap periods of `products` (Product objects), [] without a source."""
    return _legal_source(list(products)) if _legal_source is not None else []


def cap_on(periods: Iterable[CapPeriod], product_id: int, contract_date: dt.date) -> int | None:
    """The legal cap (ppm) for a contract of `product_id` made on `contract_date`."""
    found = None
    for p in periods:
        if p.product_id == product_id and p.from_on <= contract_date:
            if found is None or p.from_on >= found.from_on:
                found = p
    return None if found is None else found.cap_ppm


def effective_cap_ppm(product_cap: Decimal | None, legal_cap_ppm: int | None) -> int | None:
    """The lower of the product's cap and the law's (None: neither caps)."""
    product = None if product_cap is None else rate_ppm(product_cap)
    caps = [c for c in (product, legal_cap_ppm) if c is not None]
    return min(caps) if caps else None


def effective_penalty_rate(penalty_rate: Decimal, rate_cap: Decimal | None) -> Decimal:
    """The penalty rate actually charged: never above the all-in annual cap.

    After its due date a principal earns no contract interest, only penalty, so capping the
    penalty rate keeps the all-in annual cost of overdue money within the cap. (The ledger
    also keeps each day's penalty within cap / 365: ledger.penalty_numerator.)
    """
    if rate_cap is not None and penalty_rate > rate_cap:
        return Decimal(rate_cap)
    return Decimal(penalty_rate)


def terms_for(
    *,
    penalty_rate: Decimal,
    rate_cap: Decimal | None,
    day_count: int,
    grace_days: int,
    penalty_base: str,
    allocation_order: list[str] | tuple[str, ...] | None,
    annual_rate: Decimal | None = None,
    legal_cap_ppm: int | None = None,
) -> Terms:
    """The ledger's terms. `rate_cap` is the product's, `legal_cap_ppm` the law's for the
    loan (cap_on); the lower binds. Give `annual_rate` (the loan's contract rate) whenever
    there is a cap: the cap's room for fees on a current principal is cap − contract rate (a
    missing rate counts as the cap itself: no such room)."""
    cap = effective_cap_ppm(rate_cap, legal_cap_ppm)
    cap_rate = None if cap is None else Decimal(cap) / 1_000_000
    return Terms(
        penalty_rate_ppm=rate_ppm(effective_penalty_rate(penalty_rate, cap_rate)),
        day_count=day_count,
        grace_days=grace_days,
        penalty_on_interest=penalty_base == "principal_interest",
        waterfall=tuple(allocation_order) if allocation_order else DEFAULT_WATERFALL,
        fee_cap_ppm=cap,
        annual_rate_ppm=rate_ppm(
            Decimal(annual_rate if annual_rate is not None else cap_rate or 0)
        ),
    )


def loan_legal_cap_ppm(loan) -> int | None:
    """The law's cap for one loan (its product's periods at its disbursement date)."""
    return cap_on(legal_cap_periods([loan.product]), loan.product_id, loan.disbursed_on)


def loan_terms(loan) -> Terms:
    p = loan.product
    return terms_for(
        penalty_rate=loan.penalty_rate,
        rate_cap=p.rate_cap,
        day_count=p.day_count,
        grace_days=p.grace_days,
        penalty_base=p.penalty_base,
        allocation_order=p.allocation_order,
        annual_rate=loan.annual_rate,
        legal_cap_ppm=loan_legal_cap_ppm(loan),
    )
