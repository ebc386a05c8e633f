"""The book reports reconcile, on random small books made through the real services.

Each example creates loans (loan_create through make_loan) in two towns, two products and
three hands (carl, cora, nobody), posts random payments (payment_post, some as waivers),
runs end of day at two month-ends, and checks:

- the NPL summary's regions, products, collectors and channels each add up to its total;
- the portfolio over each region, and over each product, adds up to the whole portfolio;
- money received in the portfolio and recovered in the NPL summary equal the ledger's
  allocations of the period's payments, to the fen (computed here from Allocation rows);
- aging's buckets and classes add up to its total, and the total equals the snapshot's sums.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.book.models import Allocation, Product
from arrears.book.services import payment_post
from arrears.eod.models import LoanSnapshot
from arrears.eod.services import eod_run
from arrears.reports.npl import SUMS
from arrears.reports.registry import report_run
from arrears.testing import make_borrower, make_loan, make_product

D = dt.date
START, END = D(2026, 10, 31), D(2026, 11, 30)
PERIOD = {"from": "2026-11-01", "to": "2026-11-30", "as_of": "2026-11-30"}
TOWNS = ("卧水镇", "乔庄镇")
_refs = itertools.count(1)

loans = st.fixed_dictionaries(
    {
        "town": st.sampled_from(TOWNS),
        "product": st.integers(0, 1),
        "hand": st.sampled_from(["carl", "cora", None]),
        "principal": st.integers(1_000, 30_000),
        "disbursed": st.integers(0, 600),  # days before 2026-11-20
        "term": st.sampled_from([1, 3, 6, 12]),
        "method": st.sampled_from(["annuity", "bullet", "equal_principal", "interest_first"]),
        "payments": st.lists(
            st.tuples(
                st.integers(0, 700),  # days after disbursement
                st.integers(1, 1_500_000),  # fen
                st.sampled_from(["cash", "bank_transfer", "waiver"]),
            ),
            max_size=3,
        ),
    }
)


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _build(book, people):
    products = [
        make_product(code=f"RP{next(_refs)}", name="甲"),
        make_product(code=f"RP{next(_refs)}", name="乙"),
    ]
    made = []
    for spec in book:
        hand = people[spec["hand"]] if spec["hand"] else None
        disbursed = D(2026, 11, 20) - dt.timedelta(days=spec["disbursed"])
        loan = make_loan(
            borrower=make_borrower(town=spec["town"]),
            product=products[spec["product"]],
            principal=f"{spec['principal']}.00",
            disbursed_on=disbursed,
            term_months=spec["term"],
            method=spec["method"],
            team=hand.team if hand else None,
            collector=hand,
        )
        for offset, amount, channel in spec["payments"]:
            paid_on = min(disbursed + dt.timedelta(days=offset), END)
            payment_post(
                loan=loan,
                external_id=f"RR{next(_refs)}",
                paid_on=paid_on,
                amount_fen=amount,
                channel=channel,
                source="import",
            )
        made.append(loan)
    eod_run(as_of=START)
    eod_run(as_of=END)
    return products, made


def _received_by_ledger(loan_ids=None) -> dict[str, int]:
    qs = Allocation.objects.filter(
        payment__paid_on__gte=D(2026, 11, 1), payment__paid_on__lte=END
    ).exclude(payment__channel="waiver")
    if loan_ids is not None:
        qs = qs.filter(loan_id__in=loan_ids)
    return {
        row["component"]: row["s"] for row in qs.values("component").annotate(s=Sum("amount_fen"))
    }


def _check_npl_adds_up(npl):
    total = npl["total"]
    for dimension in ("by_region", "by_product", "by_collector", "by_channel"):
        for key in SUMS:
            parts = npl[dimension]
            if key in ("cases_start", "cases_cleared", "cases_new"):
                assert sum(r[key] for r in parts) == total[key], (dimension, key)
            else:
                assert sum(_fen(r[key]) for r in parts) == _fen(total[key]), (dimension, key)


def _check_portfolio_adds_up(whole, parts):
    for section, keys in (
        ("disbursed", ("loans", "amount")),
        ("balance", ("loans", "outstanding_principal", "total_due")),
        ("received", ("principal", "interest", "penalty", "fees", "credit", "total")),
        ("non_performing", ("loans", "outstanding_principal")),
    ):
        for key in keys:
            value = whole[section][key]
            got = sum(
                p[section][key] if isinstance(value, int) else _fen(p[section][key]) for p in parts
            )
            assert got == (value if isinstance(value, int) else _fen(value)), (section, key)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(book=st.lists(loans, min_size=1, max_size=5))
def test_reports_reconcile_with_each_other_and_the_ledger(book, people):
    with transaction.atomic():
        products, made = _build(book, people)

        npl = report_run("npl-summary", user=None, raw=PERIOD)[2]
        _check_npl_adds_up(npl)

        whole = report_run("portfolio", user=None, raw=PERIOD)[2]
        by_region = [
            report_run("portfolio", user=None, raw={**PERIOD, "region": f"四川省/某县/{t}"})[2]
            for t in TOWNS
        ]
        by_product = [
            report_run("portfolio", user=None, raw={**PERIOD, "product": p.code})[2]
            for p in products
        ]
        _check_portfolio_adds_up(whole, by_region)
        _check_portfolio_adds_up(whole, by_product)

        # Received = the ledger's allocations of the period's payments, to the fen.
        ledger = _received_by_ledger()
        received = whole["received"]
        for key, component in (
            ("principal", "principal"),
            ("interest", "interest"),
            ("penalty", "penalty"),
            ("fees", "fee"),
            ("credit", "credit"),
        ):
            assert _fen(received[key]) == ledger.get(component, 0), key
        assert _fen(received["total"]) == sum(ledger.values())

        # Recovered in the NPL summary = the allocations on the loans non-performing at START.
        np_start = list(
            LoanSnapshot.objects.filter(
                as_of=START, classification__in=("substandard", "doubtful", "loss")
            ).values_list("loan_id", flat=True)
        )
        on_np = _received_by_ledger(np_start)
        total = npl["total"]
        assert total["cases_start"] == len(np_start)
        for key, component in (
            ("recovered_principal", "principal"),
            ("recovered_interest", "interest"),
            ("recovered_penalty", "penalty"),
            ("recovered_fees", "fee"),
        ):
            assert _fen(total[key]) == on_np.get(component, 0), key

        # Aging: the parts add up, and the total is the snapshot's.
        aging = report_run("aging", user=None, raw={"as_of": END.isoformat()})[2]
        snap = LoanSnapshot.objects.filter(as_of=END).aggregate(
            n=Count("pk"), p=Sum("outstanding_principal_fen"), d=Sum("total_due_fen")
        )
        assert aging["total"]["loans"] == snap["n"] == len(made)
        assert _fen(aging["total"]["outstanding_principal"]) == snap["p"]
        assert _fen(aging["total"]["total_due"]) == snap["d"]
        assert sum(b["loans"] for b in aging["buckets"]) == snap["n"]
        assert sum(_fen(b["outstanding_principal"]) for b in aging["buckets"]) == snap["p"]
        assert sum(_fen(b["total_due"]) for b in aging["buckets"]) == snap["d"]
        assert sum(c["loans"] for c in aging["classes"]) == snap["n"]
        assert sum(_fen(c["outstanding_principal"]) for c in aging["classes"]) == snap["p"]
        prev = aging["previous_month_end"]
        assert prev["as_of"] == START.isoformat()
        assert prev["total"]["loans"] == LoanSnapshot.objects.filter(as_of=START).count()

        # Roll rates: every loan of the first month-end is in exactly one cell.
        roll = report_run("roll-rates", user=None, raw={"as_of": "2026-12-01", "months": "1"})[2]
        (period,) = roll["periods"]
        assert sum(r["loans"] for r in period["rows"]) == len(made)
        assert all(sum(r["to"].values()) == r["loans"] for r in period["rows"])
        transaction.set_rollback(True)
    assert not Product.objects.filter(code__startswith="RP").exists()
