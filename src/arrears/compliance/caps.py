"""Interest caps: the cap for a product type and contract date, and the loan-terms validator
the loan import calls (a row error naming the cap)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from arrears.compliance.errors import LPR_MISSING, ComplianceError
from arrears.compliance.rules import Cap, interest_cap
from arrears.compliance.selectors import default_pack_code, lpr_in_force, pack_current

# SPC private-lending provisions (2020 rev.) art. 25: four times the one-year LPR.
PRIVATE_LENDING_LPR_MULTIPLE = Decimal(4)


def _lpr_rate(on: dt.date) -> Decimal | None:
    found = lpr_in_force(on)
    return found.one_year_rate if found else None


def private_lending_cap(contract_date: dt.date) -> Decimal:
    """4 × the one-year LPR in force on the contract date, as a fraction (0.124 = 12.4%)."""
    rate = _lpr_rate(contract_date)
    if rate is None:
        raise ComplianceError(LPR_MISSING, f"no one-year LPR in force on {contract_date}")
    return PRIVATE_LENDING_LPR_MULTIPLE * rate


def rate_cap_for(product_type: str, contract_date: dt.date, *, pack=None) -> Cap | None:
    """The all-in annual cap for a product type (microloan 24%, private 4 × LPR, bank and
    consumer none) from the pack's CN.INTEREST_CAP parameters; None means no cap."""
    pack = pack or pack_current(default_pack_code())
    try:
        return interest_cap(pack, product_type, contract_date, _lpr_rate)
    except LookupError as exc:
        raise ComplianceError(LPR_MISSING, str(exc)) from exc


@dataclass(frozen=True)
class TermProblem:
    """One loan term over its cap: which field, the value, the cap and its rule."""

    field: str
    value: Decimal
    cap: Decimal
    rule_id: str
    message_zh: str
    message_en: str


def check_loan_terms(
    product_type: str,
    contract_date: dt.date,
    annual_rate: Decimal,
    penalty_rate: Decimal | None,
    *,
    product_cap: Decimal | None = None,
    pack=None,
) -> list[TermProblem]:
    """The problems with a loan's rates against the legal cap and the product's own cap.

    The contract rate and the overdue rate (penalty) must each stay within the all-in cap:
    after the due date the penalty rate is what the debtor pays on overdue principal.
    """
    caps: list[Cap] = []
    legal = rate_cap_for(product_type, contract_date, pack=pack)
    if legal is not None:
        caps.append(legal)
    if product_cap is not None:
        caps.append(
            Cap(
                product_cap,
                "product.rate_cap",
                f"产品上限 {product_cap:.2%}",
                f"the product cap of {product_cap:.2%}",
            )
        )
    problems = []
    names = {
        "annual_rate": ("年利率", "annual rate"),
        "penalty_rate": ("罚息年利率", "penalty rate"),
    }
    for field, value in (("annual_rate", annual_rate), ("penalty_rate", penalty_rate)):
        if value is None:
            continue
        for cap in caps:
            if value > cap.rate:
                zh, en = names[field]
                problems.append(
                    TermProblem(
                        field=field,
                        value=value,
                        cap=cap.rate,
                        rule_id=cap.rule_id,
                        message_zh=f"{zh} {value:.2%} 超过{cap.label_zh}（{cap.rule_id}）",
                        message_en=f"{en} {value:.2%} exceeds {cap.label_en} ({cap.rule_id})",
                    )
                )
    return problems
