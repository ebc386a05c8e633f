"""One rule, one truth: the set-based engine equals the per-loan ledger on random books.

Random products carry random all-in caps (or none) and loans random fees, small and large,
so the fee cap holds some fees back in part or in full (book.ledger, "Fees are capped").
Products are of every type, so the law's cap binds too (4 × LPR for private lending at
contract dates on both sides of the LPR changes and of 2020-08-20, 24% for microloans), and
the dates read include whole years after a due date (a cap is an annual figure).
"""

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.book.models import Loan
from arrears.book.selectors import loan_position
from arrears.book.services import charge_add, payment_post
from arrears.eod import limitation
from arrears.eod.config import eod_config
from arrears.eod.selectors import loan_restart_events
from arrears.eod.services import eod_compute
from arrears.eod.tests import events
from arrears.testing import make_borrower, make_loan, make_product

D = dt.date
START = D(2025, 1, 1)
TODAY = D(2026, 11, 28)  # payments may not be dated in the future
_refs = itertools.count(1)

rates = st.integers(min_value=0, max_value=400_000).map(lambda ppm: Decimal(ppm) / 1_000_000)

products = st.fixed_dictionaries(
    {
        "product_type": st.sampled_from(["microloan", "private", "bank", "consumer"]),
        "grace_days": st.integers(min_value=0, max_value=5),
        "day_count": st.sampled_from([360, 365]),
        "penalty_base": st.sampled_from(["principal", "principal_interest"]),
        # Caps under the rates (no room for fees at all) and well over them (fees held back
        # in part, then owed as the days give room).
        "rate_cap": st.one_of(
            st.none(),
            rates,
            st.integers(min_value=400_000, max_value=2_000_000).map(
                lambda ppm: Decimal(ppm) / 1_000_000
            ),
        ),
        "arrears_tolerance_fen": st.sampled_from([0, 0, 100, 5_000]),
        "allocation_order": st.one_of(
            st.just([]), st.permutations(["fee", "penalty", "interest", "principal"])
        ),
    }
)

loans = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["annuity", "equal_principal", "interest_first", "bullet"]),
        "term_months": st.integers(min_value=1, max_value=9),
        "principal": st.integers(min_value=1_000, max_value=2_000_000),
        "annual_rate": rates,
        "penalty_rate": rates,
        # Mostly 2025-26; some before 2020-08-20 (art. 31) and around the LPR changes.
        "disbursed_day": st.one_of(
            st.integers(min_value=0, max_value=400),
            st.sampled_from([-2020, -1595, -1594, -68, 140, 141]),
        ),
        "payments": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=640),
                st.integers(1, 1_500_000),
                # A guarantor's payment reduces the debt but not the borrower's period.
                st.sampled_from(["bank_transfer", "bank_transfer", "guarantor"]),
            ),
            max_size=6,
        ),
        # Restart events outside the ledger, up to years after the last due date: expiry then
        # a creditor's demand (reached or not), expiry then a debtor's act or signature.
        "events": st.lists(
            st.tuples(st.integers(min_value=0, max_value=2_000), events.event_kinds),
            max_size=5,
        ),
        "charges": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=640),
                st.one_of(
                    st.integers(min_value=1, max_value=5_000),
                    st.integers(min_value=5_000, max_value=300_000),  # often over the cap's room
                ),
                st.integers(min_value=0, max_value=100),  # percent waived
            ),
            max_size=3,
        ),
    }
)

books = st.fixed_dictionaries(
    {
        "products": st.lists(products, min_size=1, max_size=2),
        "loans": st.lists(loans, min_size=1, max_size=4),
        "as_of": st.lists(
            st.one_of(
                st.integers(min_value=0, max_value=2_600),
                # A year and a day after a first due date of START + 1 month (2025-02-01).
                st.sampled_from([396, 397, 761, 762]),
            ),
            min_size=3,
            max_size=3,
        ),
    }
)

FIELDS = (
    "dpd",
    "overdue_principal",
    "overdue_interest",
    "penalty",
    "fees",
    "outstanding_principal",
)


def build(book) -> list[Loan]:
    prods = [make_product(code=f"PP{next(_refs)}", name="p", **p) for p in book["products"]]
    borrower = make_borrower()
    made = []
    for k, spec in enumerate(book["loans"]):
        disbursed = START + dt.timedelta(days=spec["disbursed_day"])
        loan = make_loan(
            borrower=borrower,
            product=prods[k % len(prods)],
            principal=f"{Decimal(spec['principal']) / 100:.2f}",
            annual_rate=str(spec["annual_rate"]),
            penalty_rate=str(spec["penalty_rate"]),
            disbursed_on=disbursed,
            term_months=spec["term_months"],
            method=spec["method"],
        )
        for offset, amount, channel in spec["payments"]:
            paid_on = min(disbursed + dt.timedelta(days=offset), TODAY)
            payment_post(
                loan=loan,
                external_id=f"R{next(_refs)}",
                paid_on=paid_on,
                amount_fen=amount,
                channel=channel,
                source="import",
            )
        for offset, event in spec["events"]:
            events.add(loan, event, disbursed + dt.timedelta(days=offset))
        for offset, amount, waived_pct in spec["charges"]:
            charge = charge_add(
                loan=loan,
                kind="failed_deduction",
                amount_fen=amount,
                charged_on=disbursed + dt.timedelta(days=offset),
            )
            if waived_pct:
                # A partial waiver; the ledger reads the waived amount as of now.
                type(charge).objects.filter(pk=charge.pk, paid_fen=0).update(
                    waived_fen=amount * waived_pct // 100
                )
        made.append(loan)
    return made


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(book=books)
def test_engine_figures_equal_the_ledger_for_every_loan_on_random_dates(book, test_events):
    # The shipped State Council calendar: deadlines on holidays and weekends move (art. 203).
    config = dataclasses.replace(eod_config(), borrower_np_share_bp=None)
    calendar = limitation.Calendar(frozenset(config.holidays), frozenset(config.workdays))
    with transaction.atomic():
        made = build(book)
        for offset in book["as_of"]:
            as_of = START + dt.timedelta(days=offset)
            result = eod_compute(as_of=as_of, config=config)
            rows = {r["loan_id"]: r for r in result.loans.to_dicts()}
            for loan in made:
                loan = Loan.objects.select_related("product").get(pk=loan.pk)
                pos = loan_position(loan, as_of)
                got = rows[loan.pk]
                want = {f: getattr(pos, f) for f in FIELDS}
                assert {f: got[f] for f in FIELDS} == want, (loan.pk, as_of)
                assert got["total_due"] == pos.total_due
                # Limitation: the set-based engine equals the per-loan rule over the registry.
                rule = limitation.evaluate(
                    last_due=loan.installments.order_by("-due_on").first().due_on,
                    events=loan_restart_events(loan, as_of=as_of, config=config),
                    as_of=as_of,
                    calendar=calendar,
                    owes=pos.outstanding_principal + pos.total_due > 0,
                )
                assert (got["limitation_deadline"], got["time_barred"]) == (
                    rule.deadline,
                    rule.time_barred,
                ), (loan.pk, as_of, rule.steps)
                # The cap: fees paid and owed together never exceed the allowance.
                allowance = pos.result.fee_allowance
                if allowance is not None:
                    paid = sum(pos.result.charges_paid.values())
                    assert paid + pos.fees <= allowance, (loan.pk, as_of)
        transaction.set_rollback(True)
