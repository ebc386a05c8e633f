"""From a loan and its product to the ledger's Terms (effective penalty rate under the cap)."""

from __future__ import annotations

from decimal import Decimal

from arrears.book.ledger import DEFAULT_WATERFALL, Terms
from arrears.core.money import rate_ppm


def effective_penalty_rate(penalty_rate: Decimal, rate_cap: Decimal | None) -> Decimal:
    """The penalty rate actually charged: never above the product's all-in annual cap.

    After its due date a principal earns no contract interest, only penalty, so capping the
    penalty rate keeps the all-in annual cost of overdue money within the cap.
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
) -> Terms:
    """The ledger's terms. Give `annual_rate` (the loan's contract rate) whenever the product
    has a cap: the cap's room for fees on a current principal is cap − contract rate (a
    missing rate counts as the cap itself: no such room)."""
    return Terms(
        penalty_rate_ppm=rate_ppm(effective_penalty_rate(penalty_rate, rate_cap)),
        day_count=day_count,
        grace_days=grace_days,
        penalty_on_interest=penalty_base == "principal_interest",
        waterfall=tuple(allocation_order) if allocation_order else DEFAULT_WATERFALL,
        fee_cap_ppm=None if rate_cap is None else rate_ppm(rate_cap),
        annual_rate_ppm=rate_ppm(
            Decimal(annual_rate if annual_rate is not None else rate_cap or 0)
        ),
    )


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
    )
