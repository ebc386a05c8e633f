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
PPM = 1_000_000


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


def legal_cap_periods(products) -> list:
    """The law's all-in cap periods (book.terms.CapPeriod) of each product, by contract date.

    From each product's rule pack (CN.INTEREST_CAP: periods of a fixed `rate` or an
    `lpr_multiple`) and the LPR table:

    - a `rate` period gives one period at that rate;
    - an `lpr_multiple` period gives one period per LPR announcement in force during it
      (4 × the one-year LPR in force on the contract date, SPC private-lending provisions
      art. 25);
    - a `rate` period followed by an `lpr_multiple` one (private lending before 2020-08-20)
      follows art. 31: the old cap covers interest up to 2020-08-19 and the 4 × LPR cap "at
      filing" covers everything after. The ledger carries one cap per loan, and every such
      loan's charges since 2020-08-20 are what is owed now, so the cap is the lower of the
      old rate and 4 × the latest one-year LPR in the table (the standard of a claim filed
      today); a new LPR row changes it, and makes the next end-of-day run full.

    A product whose pack has no cap for its type has no period (no legal cap).
    """
    from arrears.book.terms import CapPeriod
    from arrears.compliance.models import LprRate
    from arrears.compliance.rules import _as_spec
    from arrears.compliance.selectors import pack_for_product

    products = list(products)
    if not products:
        return []
    table: list = []

    def lpr() -> list:
        # Read only when some product's periods need it (microloans' do not).
        if not table:
            table.append(
                list(
                    LprRate.objects.order_by("published_on").values_list(
                        "published_on", "one_year_rate"
                    )
                )
            )
        return table[0]

    specs: dict[int, object] = {}
    out: list[CapPeriod] = []
    for product in products:
        try:
            pack = pack_for_product(product)
        except LookupError:
            continue
        if pack.pk not in specs:
            specs[pack.pk] = _as_spec(pack)
        rules = specs[pack.pk].of_kind("interest_cap")
        periods = rules[0].parameters.get("caps", {}).get(product.product_type) if rules else None
        periods = sorted(periods or [], key=lambda p: p["from"])
        for k, period in enumerate(periods):
            start = dt.date.fromisoformat(period["from"])
            later = [p for p in periods[k + 1 :] if "lpr_multiple" in p]
            if "rate" in period:
                rate = Decimal(str(period["rate"]))
                if later and lpr():
                    rate = min(rate, Decimal(str(later[0]["lpr_multiple"])) * lpr()[-1][1])
                out.append(CapPeriod(product.pk, start, _ppm(rate)))
                continue
            multiple = Decimal(str(period["lpr_multiple"]))
            end = dt.date.fromisoformat(periods[k + 1]["from"]) if k + 1 < len(periods) else None
            in_force = [r for r in lpr() if r[0] <= start]
            if in_force:
                out.append(CapPeriod(product.pk, start, _ppm(multiple * in_force[-1][1])))
            for published, rate in lpr():
                if published > start and (end is None or published < end):
                    out.append(CapPeriod(product.pk, published, _ppm(multiple * rate)))
    return out


def _ppm(rate: Decimal) -> int:
    from arrears.core.money import rate_ppm

    return rate_ppm(rate)
