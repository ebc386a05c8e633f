"""The generated book: deterministic, spread over the region, every method and bucket."""

import datetime as dt
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arrears.book.models import Borrower, Charge, Contact, Guarantor, Installment, Loan, Payment
from arrears.book.schedule import build_schedule
from arrears.book.selectors import loan_position
from arrears.core.ids import normalize_id_number
from arrears.demo import geography
from arrears.demo.generator import ScheduleCache, book_is_empty, demo_generate
from arrears.demo.tests.conftest import AS_OF, LOANS

pytestmark = pytest.mark.django_db


def _fingerprint():
    loans = list(
        Loan.objects.order_by("external_id").values_list(
            "external_id",
            "borrower__external_id",
            "borrower__name",
            "borrower__id_number",
            "borrower__village",
            "product__code",
            "principal_fen",
            "annual_rate",
            "disbursed_on",
            "term_months",
            "repayment_method",
            "status",
            "credit_balance_fen",
            "collector__username",
            "agency__name",
        )
    )
    payments = list(
        Payment.objects.order_by("external_id").values_list(
            "external_id", "loan__external_id", "paid_on", "amount_fen", "channel"
        )
    )
    return loans, payments


def test_same_seed_gives_the_same_book(db):
    demo_generate(loans=120, seed=11, as_of=AS_OF, chunk_size=50)
    first = _fingerprint()
    demo_generate(loans=120, seed=11, as_of=AS_OF, reset=True, chunk_size=50)
    assert _fingerprint() == first
    assert len(first[0]) == 120 and first[1]


def test_a_different_seed_gives_a_different_book(db):
    demo_generate(loans=120, seed=11, as_of=AS_OF)
    first = _fingerprint()
    demo_generate(loans=120, seed=12, as_of=AS_OF, reset=True)
    second = _fingerprint()
    assert [r[0] for r in second[0]] == [r[0] for r in first[0]]  # same IDs …
    assert second != first  # … different loans and payments


def test_ids_follow_the_demo_pattern(demo_book):
    assert Loan.objects.filter(external_id="DEMO-L000001").exists()
    assert Borrower.objects.filter(external_id="DEMO-B000001").exists()
    assert Payment.objects.filter(external_id="DEMO-P0000001").exists()
    assert Loan.objects.count() == LOANS
    assert not Loan.objects.exclude(external_id__startswith="DEMO-L").exists()


def test_geography_has_enough_counties_towns_and_villages(demo_book):
    places = set(Borrower.objects.values_list("province", "county", "town", "village"))
    assert {p[0] for p in places} == {geography.PROVINCE}
    assert len({p[1] for p in places}) >= 3
    assert len({p[1:3] for p in places}) >= 10
    assert len(places) >= 40
    woshui = {p[3] for p in places if p[2] == "卧水镇"}
    assert {"姚龙村", "六联村", "大竹湾村", "马头冲村", "黄家冲村", "卧水村"} <= woshui
    assert geography.VILLAGE_COUNT >= 40


def test_every_method_with_its_terms_and_amounts(demo_book):
    methods = set(Loan.objects.values_list("repayment_method", flat=True))
    assert methods == {"annuity", "equal_principal", "interest_first", "bullet"}
    for method, term in Loan.objects.values_list("repayment_method", "term_months"):
        assert 3 <= term <= (12 if method == "bullet" else 36)
    amounts = list(Loan.objects.values_list("principal_fen", flat=True))
    assert min(amounts) >= 500_00 and max(amounts) <= 200_000_00
    # Skewed towards small loans.
    assert sorted(amounts)[len(amounts) // 2] < 20_000_00
    assert set(Loan.objects.values_list("product__code", flat=True)) == {"STD", "AGRI", "BIZ"}


def test_installments_are_the_contract_schedule(demo_book):
    for loan in Loan.objects.prefetch_related("installments"):
        expected = build_schedule(
            principal_fen=loan.principal_fen,
            annual_rate=loan.annual_rate,
            term_months=loan.term_months,
            method=loan.repayment_method,
            disbursed_on=loan.disbursed_on,
        )
        got = [
            (i.number, i.due_on, i.principal_due_fen, i.interest_due_fen)
            for i in loan.installments.all()
        ]
        assert got == [(s.number, s.due_on, s.principal_fen, s.interest_fen) for s in expected]


def test_schedule_cache_equals_build_schedule():
    rng = random.Random(5)
    cache = ScheduleCache()
    for _ in range(3000):
        method = rng.choice(["annuity", "equal_principal", "interest_first", "bullet"])
        term = rng.choice([3, 6, 9, 12] if method == "bullet" else [3, 6, 9, 12, 18, 24, 36])
        principal = rng.choice([500, 1200, 3000, 10_000, 58_000, 200_000]) * 100
        rate = rng.choice(["0.087", "0.12", "0.144", "0.216"])
        start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1900))
        amounts, dates = cache.get(principal, rate, term, method, start)
        expected = build_schedule(
            principal_fen=principal,
            annual_rate=Decimal(rate),
            term_months=term,
            method=method,
            disbursed_on=start,
        )
        assert [(d, p, i) for d, (p, i) in zip(dates, amounts, strict=True)] == [
            (s.due_on, s.principal_fen, s.interest_fen) for s in expected
        ]


def test_borrowers_have_valid_id_numbers_phones_and_contacts(demo_book):
    people = Borrower.objects.filter(kind=Borrower.Kind.PERSON)
    assert people.exists() and Borrower.objects.filter(kind=Borrower.Kind.BUSINESS).exists()
    for number, phone in people.values_list("id_number", "phone"):
        assert normalize_id_number(number) == number
        assert len(phone) == 11 and phone.startswith("1")
    relations = set(Contact.objects.values_list("relation", flat=True))
    assert {"spouse", "relative", "employer", "emergency", "guarantor"} <= relations
    assert Contact.objects.filter(consent_to_contact=False).exists()


def test_about_forty_percent_of_loans_have_a_guarantor(demo_book):
    share = Guarantor.objects.values("loan").distinct().count() / LOANS
    assert 0.3 < share < 0.5
    names = set(Guarantor.objects.values_list("name", "phone"))
    assert names <= set(Contact.objects.filter(relation="guarantor").values_list("name", "phone"))


def test_failed_deduction_fees_are_charged(demo_book):
    fees = Charge.objects.filter(kind=Charge.Kind.FAILED_DEDUCTION)
    assert fees.exists()
    assert set(fees.values_list("amount_fen", flat=True)) == {2000}


def test_delinquency_spreads_over_every_bucket(demo_book):
    buckets = set()
    for loan in Loan.objects.select_related("product").prefetch_related(
        "installments", "payments", "charges"
    ):
        dpd = loan_position(loan, AS_OF).dpd
        if dpd > 0:
            buckets.add(min((dpd - 1) // 30 + 1, 7))
    assert buckets == {1, 2, 3, 4, 5, 6, 7}


def test_some_loans_are_near_or_past_the_statute_of_limitations(demo_book):
    old = 0
    for loan in Loan.objects.filter(status=Loan.Status.ACTIVE).prefetch_related(
        "installments", "payments"
    ):
        last_due = max(i.due_on for i in loan.installments.all())
        paid = [p.paid_on for p in loan.payments.all()]
        if 2.5 * 365 <= (AS_OF - last_due).days <= 4 * 365 and all(d < last_due for d in paid):
            old += 1
    assert old >= 3


def test_it_refuses_a_non_empty_book_without_reset(demo_book):
    with pytest.raises(CommandError, match="not empty"):
        call_command("demo", "--loans", "10", "--as-of", "2026-11-28", "--no-eod")
    assert Loan.objects.count() == LOANS


def test_reset_replaces_the_book(demo_book):
    out = StringIO()
    call_command(
        "demo", "--loans", "50", "--reset", "--as-of", "2026-11-28", "--no-eod", stdout=out
    )
    assert Loan.objects.count() == 50
    assert not Installment.objects.filter(loan__external_id="DEMO-L000051").exists()
    text = out.getvalue()
    assert "50 loans" in text and "by repayment method" in text and "total principal" in text


def test_reset_empties_the_book_and_what_hangs_off_it_but_keeps_products(db):
    from arrears.book.models import Product
    from arrears.demo.generator import book_models, book_reset

    call_command("demo", "--loans", "60", "--as-of", "2026-11-28", stdout=StringIO())
    products = set(Product.objects.values_list("id", "code"))

    book_reset()

    assert book_is_empty()
    for model in book_models():
        assert not model.objects.exists(), model
    assert set(Product.objects.values_list("id", "code")) == products


def test_the_command_runs_the_daily_cycle_as_far_as_it_exists(db):
    out = StringIO()
    call_command("demo", "--loans", "60", "--as-of", "2026-11-28", stdout=out)
    assert "daily cycle" in out.getvalue()


def test_a_bad_as_of_date_is_refused(db):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("demo", "--loans", "5", "--as-of", "2026-02-30")


@pytest.mark.slow
def test_a_collector_finds_todays_work_on_the_workbench(db):
    """The demo runs the eve's end-of-day too: a run writes the next day's queue, so without
    it a collector signing in on the demo's day would find an empty workbench."""
    from arrears.core.dates import local_today
    from arrears.queues.models import QueueEntry

    today = local_today()
    out = StringIO()
    call_command("demo", "--loans", "120", "--as-of", today.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"queues for {today}: 0 actions" not in text
    mine = QueueEntry.objects.filter(on=today, user__username="collector1")
    assert mine.exists(), text
    assert list(mine.order_by("position").values_list("position", flat=True))[:2] == [1, 2]
