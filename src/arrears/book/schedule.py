"""Repayment schedules for the four methods (pure functions over plain values).

Monthly rate = annual / 12. Amounts are rounded half-up to the fen; the last installment
absorbs the rounding so principal always sums to the loan. Due dates keep the disbursement
day, clamped to the month's end (a loan disbursed on 31 January falls due 28/29 February).

Conventions (docs/ledger.md, "Schedules"), chosen per product for new schedules only — a
schedule already made is a contract and stays as it is:
- 等额本息 `annuity_interest`: "remaining" (default, as Chinese banks print it): a fixed
  monthly payment; each month's interest is the remaining principal × monthly rate rounded
  to the fen, the principal the rest; the last installment takes the remaining principal
  (and so absorbs the rounding). "exact": interest = numpy-financial's ipmt on the exact,
  unrounded balance, rounded.
- 先息后本 and 到期一次还本付息 `accrual`: "monthly" (annual / 12 a month) or "actual_360"
  (actual days of each period / 360, as many contracts write it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext

from arrears.core.dates import add_months
from arrears.core.money import decimal_fen

METHODS = ("annuity", "equal_principal", "interest_first", "bullet")


@dataclass(frozen=True, slots=True)
class ScheduledInstallment:
    number: int
    due_on: dt.date
    principal_fen: int
    interest_fen: int

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.interest_fen


def due_dates(disbursed_on: dt.date, term_months: int) -> list[dt.date]:
    return [add_months(disbursed_on, k, disbursed_on.day) for k in range(1, term_months + 1)]


def build_schedule(
    *,
    principal_fen: int,
    annual_rate: Decimal,
    term_months: int,
    method: str,
    disbursed_on: dt.date,
    annuity_interest: str = "remaining",
    accrual: str = "monthly",
) -> list[ScheduledInstallment]:
    """The contractual schedule of a loan (conventions: module docstring)."""
    if principal_fen <= 0:
        raise ValueError("principal must be positive")
    if term_months <= 0:
        raise ValueError("term must be at least one month")
    if annual_rate < 0:
        raise ValueError("rate must not be negative")
    builders = {
        "annuity": _annuity,
        "equal_principal": _equal_principal,
        "interest_first": _interest_first,
        "bullet": _bullet,
    }
    if method not in builders:
        raise ValueError(f"unknown repayment method {method!r}")
    if annuity_interest not in ("remaining", "exact"):
        raise ValueError(f"unknown annuity interest convention {annuity_interest!r}")
    if accrual not in ("monthly", "actual_360"):
        raise ValueError(f"unknown interest accrual {accrual!r}")
    with localcontext() as ctx:
        ctx.prec = 40
        args = (principal_fen, Decimal(annual_rate), term_months, disbursed_on)
        if method == "annuity" and annuity_interest == "remaining":
            return _annuity_bank(*args)
        if method in ("interest_first", "bullet") and accrual == "actual_360":
            return _actual_360(*args, bullet=method == "bullet")
        return builders[method](*args)


def _pmt_fen(p: int, r: Decimal, n: int) -> int:
    principal = Decimal(p)
    return decimal_fen(principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n))


def _annuity_bank(p: int, annual: Decimal, n: int, start: dt.date) -> list[ScheduledInstallment]:
    # The bank convention: the payment is fixed; interest is charged on the principal
    # actually remaining (in fen) at the monthly rate, rounded each month, so the borrower
    # can check any month with a calculator; the last installment clears the principal.
    r = annual / 12
    dates = due_dates(start, n)
    pmt_fen = _pmt_fen(p, r, n)
    balance = p
    out: list[ScheduledInstallment] = []
    for k in range(1, n + 1):
        interest_fen = decimal_fen(Decimal(balance) * r)
        principal_fen = balance if k == n else min(max(pmt_fen - interest_fen, 0), balance)
        balance -= principal_fen
        out.append(ScheduledInstallment(k, dates[k - 1], principal_fen, interest_fen))
    return out


def _actual_360(
    p: int, annual: Decimal, n: int, start: dt.date, *, bullet: bool
) -> list[ScheduledInstallment]:
    # Interest for the actual days of each period (from the previous due date, or the
    # disbursement) at annual / 360 a day; the principal with the last installment.
    dates = due_dates(start, n)
    if bullet:
        days = (dates[-1] - start).days
        return [
            ScheduledInstallment(1, dates[-1], p, decimal_fen(Decimal(p) * annual * days / 360))
        ]
    out: list[ScheduledInstallment] = []
    previous = start
    for k, due in enumerate(dates, start=1):
        interest_fen = decimal_fen(Decimal(p) * annual * (due - previous).days / 360)
        out.append(ScheduledInstallment(k, due, p if k == n else 0, interest_fen))
        previous = due
    return out


def _annuity(p: int, annual: Decimal, n: int, start: dt.date) -> list[ScheduledInstallment]:
    # The monthly payment (月供) is pmt rounded to the fen and the same every month; interest
    # is ipmt (on the exact, unrounded balance, as numpy-financial computes it) rounded; the
    # principal is the rest. The last installment takes the remaining principal.
    r = annual / 12
    dates = due_dates(start, n)
    principal = Decimal(p)
    pmt = principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n)
    pmt_fen = decimal_fen(pmt)
    balance = principal
    out: list[ScheduledInstallment] = []
    paid_principal = 0
    for k in range(1, n + 1):
        ipmt = balance * r
        balance -= pmt - ipmt
        interest_fen = decimal_fen(ipmt)
        if k < n:
            principal_fen = max(pmt_fen - interest_fen, 0)
        else:
            principal_fen = p - paid_principal
        paid_principal += principal_fen
        out.append(ScheduledInstallment(k, dates[k - 1], principal_fen, interest_fen))
    return out


def _equal_principal(p: int, annual: Decimal, n: int, start: dt.date) -> list[ScheduledInstallment]:
    r = annual / 12
    dates = due_dates(start, n)
    part = decimal_fen(Decimal(p) / n)
    out: list[ScheduledInstallment] = []
    balance = p
    for k in range(1, n + 1):
        principal_fen = part if k < n else balance
        interest_fen = decimal_fen(Decimal(balance) * r)
        out.append(ScheduledInstallment(k, dates[k - 1], principal_fen, interest_fen))
        balance -= principal_fen
    return out


def _interest_first(p: int, annual: Decimal, n: int, start: dt.date) -> list[ScheduledInstallment]:
    interest_fen = decimal_fen(Decimal(p) * annual / 12)
    dates = due_dates(start, n)
    return [
        ScheduledInstallment(k, dates[k - 1], p if k == n else 0, interest_fen)
        for k in range(1, n + 1)
    ]


def _bullet(p: int, annual: Decimal, n: int, start: dt.date) -> list[ScheduledInstallment]:
    interest_fen = decimal_fen(Decimal(p) * annual * n / 12)
    return [ScheduledInstallment(1, add_months(start, n, start.day), p, interest_fen)]
