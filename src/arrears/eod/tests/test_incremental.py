"""Incremental next-day runs write exactly what a full run writes, and recompute for each reason.

Every comparison runs the full run first inside a savepoint that is rolled back, then the
incremental run for real, so the chain of days continues from incremental runs.
"""

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.book.models import Loan, Product
from arrears.book.services import charge_add, payment_post
from arrears.cases.models import Case, CaseBucketHistory
from arrears.core.dates import add_months
from arrears.eod import incremental, limitation
from arrears.eod.config import EodConfig
from arrears.eod.models import EodRun, ExternalRestart, LoanSnapshot, PreDue
from arrears.eod.services import eod_run
from arrears.eod.tests import events
from arrears.testing import make_borrower, make_loan, make_product

D = dt.date
pytestmark = pytest.mark.django_db
_refs = itertools.count(1)

SNAP_FIELDS = [
    "loan_id",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal_fen",
    "overdue_interest_fen",
    "penalty_fen",
    "fees_fen",
    "outstanding_principal_fen",
    "total_due_fen",
    "limitation_deadline",
    "time_barred",
]
RUN_FIELDS = [
    "loans",
    "delinquent",
    "newly_delinquent",
    "cured",
    "cases_opened",
    "cases_closed",
    "pre_due",
    "summary",
]
ACK_SOURCE = (
    "SELECT loan_id, acked_on AS event_date, 'debtor' AS actor,"
    " CAST(NULL AS DATE) AS reached_on, NULL AS ref FROM eod_test_ack"
    " WHERE acked_on <= {as_of}"
)


def state(run: EodRun) -> dict:
    """Everything a run leaves that users and reports read, for one as-of date."""
    as_of = run.as_of
    return {
        "snapshot": list(
            LoanSnapshot.objects.filter(as_of=as_of).order_by("loan_id").values_list(*SNAP_FIELDS)
        ),
        "pre_due": list(
            PreDue.objects.filter(as_of=as_of)
            .order_by("loan_id", "installment_number")
            .values_list("loan_id", "installment_number", "due_on", "amount_due_fen")
        ),
        "cases": list(
            Case.objects.order_by("loan_id", "opened_on").values_list(
                "loan_id", "opened_on", "closed_on", "status", "close_reason", "bucket", "dpd"
            )
        ),
        "history": list(
            CaseBucketHistory.objects.order_by(
                "case__loan_id", "case__opened_on", "as_of"
            ).values_list("case__loan_id", "as_of", "bucket", "dpd")
        ),
        "external": list(
            ExternalRestart.objects.filter(as_of=as_of)
            .order_by("loan_id")
            .values_list("loan_id", "event_date")
        ),
        "run": {f: getattr(run, f) for f in RUN_FIELDS},
    }


def run_both(as_of: dt.date, **kw) -> EodRun:
    """Run `as_of` in full (then roll it back) and incrementally; both must agree exactly."""
    with transaction.atomic():
        full = eod_run(as_of=as_of, full=True, **kw)
        want = state(full)
        transaction.set_rollback(True)
    run = eod_run(as_of=as_of, **kw)
    assert state(run) == want
    return run


@pytest.fixture
def exact(settings):
    """No margin for writers racing the previous run, and never fall back to a full read:
    a test's changes are seconds apart, and tiny books are mostly 'changed'."""
    settings.ARREARS_EOD_CHANGE_MARGIN_SECONDS = 0
    settings.ARREARS_EOD_INCREMENTAL_MAX_SHARE = 1.0


@pytest.fixture
def reasons(monkeypatch, exact):
    """Keep the run's work tables so a test can ask why each loan was recomputed."""
    monkeypatch.setattr(incremental, "temp_tables_drop", lambda: None)
    return incremental.recompute_reasons


@pytest.fixture
def acks(monkeypatch):
    """A stand-in for another app's restart events (acknowledgements), outside the ledger."""
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE eod_test_ack (loan_id BIGINT NOT NULL, acked_on DATE NOT NULL)")
    monkeypatch.setitem(limitation._SOURCES, "acknowledgement", ACK_SOURCE)

    def ack(loan, day=None):
        with connection.cursor() as cur:
            if day is None:
                cur.execute("DELETE FROM eod_test_ack WHERE loan_id = %s", [loan.pk])
            else:
                cur.execute("INSERT INTO eod_test_ack VALUES (%s, %s)", [loan.pk, day])

    return ack


def pay(loan, day, amount_fen):
    payment_post(
        loan=loan,
        external_id=f"IP{next(_refs)}",
        paid_on=day,
        amount_fen=amount_fen,
        source="import",
    )


def pay_installments(loan, *numbers, on=None):
    """Pay installments exactly (principal + interest) on their due dates, or on `on`."""
    for inst in loan.installments.filter(number__in=numbers).order_by("number"):
        pay(loan, on or inst.due_on, inst.principal_due_fen + inst.interest_due_fen)


# ------------------------------------------------------------------ hand-worked reasons

P, NEXT = D(2026, 11, 20), D(2026, 11, 23)  # two days skipped in between


@pytest.fixture
def quiet():
    """A current loan: first installment due 2026-12-05, nothing due near 11-20 … 11-26."""
    return make_loan(external_id="Q", disbursed_on=D(2026, 11, 5))


def test_a_quiet_loan_is_carried_forward_with_the_same_figures(reasons, quiet):
    first = eod_run(as_of=P)
    assert (first.mode, first.mode_detail["reason"]) == ("full", "no previous run")
    run = run_both(NEXT)
    assert (run.mode, run.recomputed, run.carried) == ("incremental", 0, 1)
    assert run.mode_detail["previous_as_of"] == "2026-11-20"
    assert reasons() == {}
    before = LoanSnapshot.objects.filter(as_of=P).values_list(*SNAP_FIELDS).get()
    after = LoanSnapshot.objects.filter(as_of=NEXT).values_list(*SNAP_FIELDS).get()
    assert before == after
    assert after[1:3] == (0, "M0") and after[8] == 1_000_000


def test_a_charge_posted_after_the_previous_run_recomputes_the_loan(reasons, quiet):
    eod_run(as_of=P)
    charge_add(loan=quiet, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 11, 15))
    run = run_both(NEXT)
    assert reasons() == {quiet.pk: {"changed"}}
    assert (run.recomputed, run.carried) == (1, 0)
    row = LoanSnapshot.objects.get(as_of=NEXT, loan=quiet)
    assert (row.fees_fen, row.total_due_fen, row.dpd) == (2_000, 2_000, 0)


def test_a_current_loan_with_fees_held_back_by_the_cap_is_recomputed_every_day(reasons, quiet):
    # 10,000.00 at 12% under the default product's 24% cap, disbursed 11-05: the cap leaves
    # 10,000 × 0.12 / 365 = 3.2876… a day for fees (a cap is annual: issue 11; this used to
    # be / 360, 50.00 and 60.00), so of a 100.00 fee 49.32 is owed on 11-20 (15 days) and
    # 59.18 on 11-23 (18 days), with nothing else about the loan changing.
    charge_add(loan=quiet, kind="failed_deduction", amount_fen=10_000, charged_on=D(2026, 11, 15))
    eod_run(as_of=P)
    assert LoanSnapshot.objects.get(as_of=P, loan=quiet).fees_fen == 4_932
    run_both(NEXT)
    assert reasons() == {quiet.pk: {"fee_cap"}}
    row = LoanSnapshot.objects.get(as_of=NEXT, loan=quiet)
    assert (row.fees_fen, row.total_due_fen, row.dpd) == (5_918, 5_918, 0)


def test_a_back_dated_payment_recomputes_the_loan(reasons):
    # Bullet 10,000.00 due 2026-07-10, paid in full on the day: quiet ever since.
    loan = make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    pay_installments(loan, 1)
    eod_run(as_of=P)
    pay(loan, D(2026, 8, 1), 5_000)  # found later, dated before the previous run
    run_both(NEXT)
    assert reasons() == {loan.pk: {"changed"}}
    row = LoanSnapshot.objects.get(as_of=NEXT, loan=loan)
    assert row.outstanding_principal_fen == 0  # held as credit: nothing left to pay


def test_a_new_loan_is_computed(reasons, quiet):
    eod_run(as_of=P)
    loan = make_loan(external_id="NEW", disbursed_on=D(2026, 11, 1))
    Loan.objects.filter(pk=loan.pk).update(ledger_changed_at=None)  # even unmarked
    run = run_both(NEXT)
    assert reasons() == {loan.pk: {"new"}}
    assert (run.recomputed, run.carried, run.loans) == (1, 1, 2)


def test_a_deleted_loan_is_not_carried(reasons, quiet):
    # Without the borrower rule a deleted loan touches no other loan's figures.
    config = EodConfig(borrower_np_share_bp=None)
    gone = make_loan(external_id="GONE", disbursed_on=D(2026, 11, 6))
    eod_run(as_of=P, config=config)
    Loan.objects.filter(pk=gone.pk).delete()  # entered in error: no payments, no case
    run = run_both(NEXT, config=config)
    assert run.mode == "incremental" and run.mode_detail["deleted"] == 1
    assert (run.loans, run.carried, run.summary["by_bucket"]["M0"]["loans"]) == (1, 1, 1)
    assert not LoanSnapshot.objects.filter(as_of=NEXT, loan_id=gone.pk).exists()


def test_a_deleted_loan_makes_the_day_full_under_the_borrower_rule(reasons):
    # LATE (92 DPD on 11-20, substandard) makes its borrower non-performing, so CALM is
    # substandard too. LATE's case and LATE are then deleted (entered in error): CALM is
    # normal again, which only a full read can tell (the book no longer links LATE to the
    # borrower, and CALM itself did not change).
    borrower = make_borrower()
    late = make_loan(borrower=borrower, method="bullet", term_months=6, disbursed_on=D(2026, 2, 20))
    calm = make_loan(borrower=borrower, disbursed_on=D(2026, 11, 5))
    eod_run(as_of=P)
    assert LoanSnapshot.objects.get(as_of=P, loan=calm).classification == "substandard"
    Case.objects.filter(loan=late).delete()
    Loan.objects.filter(pk=late.pk).delete()
    run = run_both(NEXT)
    assert (run.mode, run.mode_detail["reason"]) == (
        "full",
        "1 loans deleted since the previous run (borrower rule)",
    )
    row = LoanSnapshot.objects.get(as_of=NEXT, loan=calm)
    assert (row.dpd, row.classification) == (0, "normal")
    assert eod_run(as_of=D(2026, 11, 24)).mode == "incremental"


def test_an_overdue_loan_is_recomputed_every_day(reasons, quiet):
    # Bullet 10,000.00 due 2026-07-10 at 18%: 5.00 of penalty a day.
    late = make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    eod_run(as_of=P)
    run_both(NEXT)
    assert reasons() == {late.pk: {"overdue"}}
    row = LoanSnapshot.objects.get(as_of=NEXT, loan=late)
    assert (row.dpd, row.bucket, row.penalty_fen) == (136, "M5", 68_000)
    assert Case.objects.get(loan=late).dpd == 136


def test_a_loan_within_the_arrears_tolerance_still_accrues_penalty_and_is_recomputed(reasons):
    # Bullet 10,000.00 due 2026-07-10, paid on the day but 0.50 short: within the product's
    # 1.00 tolerance it is not past due (DPD 0), yet penalty runs on the 0.50 every day.
    product = make_product(code="TOL", name="tolerant", arrears_tolerance_fen=100)
    loan = make_loan(product=product, method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    inst = loan.installments.get()
    pay(loan, inst.due_on, inst.principal_due_fen + inst.interest_due_fen - 50)
    eod_run(as_of=P)
    before = LoanSnapshot.objects.get(as_of=P, loan=loan)
    assert (before.dpd, before.overdue_principal_fen) == (0, 50)
    run_both(D(2026, 12, 31))
    assert reasons() == {loan.pk: {"overdue"}}
    after = LoanSnapshot.objects.get(as_of=D(2026, 12, 31), loan=loan)
    assert after.dpd == 0 and after.penalty_fen > before.penalty_fen


def test_an_installment_falling_due_is_recomputed_and_the_pre_due_list_comes_from_the_schedule(
    reasons, quiet
):
    due = make_loan(external_id="DUE", disbursed_on=D(2026, 10, 22))  # first due 11-22
    soon = make_loan(external_id="SOON", disbursed_on=D(2026, 10, 25))  # first due 11-25
    eod_run(as_of=P)
    assert not PreDue.objects.filter(as_of=P, loan=soon).exists()  # 11-25 > 11-20 + 3
    run = run_both(NEXT)
    # Nothing is paid before its due date, so SOON's pre-due amount is its whole installment
    # and SOON itself is carried.
    assert reasons() == {due.pk: {"due"}}
    assert LoanSnapshot.objects.get(as_of=NEXT, loan=due).dpd == 1
    inst = soon.installments.get(number=1)
    assert list(
        PreDue.objects.filter(as_of=NEXT).values_list("loan_id", "due_on", "amount_due_fen")
    ) == [(soon.pk, D(2026, 11, 25), inst.principal_due_fen + inst.interest_due_fen)]
    assert (run.cases_opened, run.carried) == (1, 2)


def test_an_installment_due_on_the_previous_day_is_recomputed_unless_settled_that_day(reasons):
    # First installments due 2026-11-20, the previous run's day: one paid on the day, one
    # not, one paid with money dated later (posted before the run, so still owed on 11-20).
    paid = make_loan(external_id="PAID", disbursed_on=D(2026, 10, 20))
    unpaid = make_loan(external_id="UNPAID", disbursed_on=D(2026, 10, 20))
    later = make_loan(external_id="LATER", disbursed_on=D(2026, 10, 20))
    pay_installments(paid, 1)
    pay(later, D(2026, 11, 22), 200_000)  # the installment, two days' penalty, and credit
    eod_run(as_of=P)
    assert set(LoanSnapshot.objects.filter(as_of=P).values_list("dpd", flat=True)) == {0}
    run_both(NEXT)
    assert reasons() == {unpaid.pk: {"due"}, later.pk: {"due", "payment"}}
    dpd = dict(LoanSnapshot.objects.filter(as_of=NEXT).values_list("loan_id", "dpd"))
    assert dpd == {paid.pk: 0, unpaid.pk: 3, later.pk: 0}


def _fees_only_loan():
    """Bullet 1,000.00 due 2023-06-10 paid on the day, a 20.00 fee left unpaid: the debt
    is the fee; limitation deadline 2026-06-10 (anchor: due date and payment). A product
    without a cap (a bank loan, no legal cap either): the whole fee is owed (under a 24% cap
    only part of it would be)."""
    loan = make_loan(
        product=make_product(name="no cap", rate_cap=None, product_type="bank"),
        external_id="FEE",
        principal="1000.00",
        method="bullet",
        term_months=1,
        disbursed_on=D(2023, 5, 10),
    )
    pay_installments(loan, 1)
    charge_add(loan=loan, kind="failed_deduction", amount_fen=2_000, charged_on=D(2023, 7, 1))
    return loan


def test_a_limitation_deadline_passing_in_between_recomputes_the_loan(reasons):
    loan = _fees_only_loan()
    eod_run(as_of=D(2026, 6, 9))
    run_both(D(2026, 6, 12))
    assert reasons() == {loan.pk: {"limitation"}}
    row = LoanSnapshot.objects.get(as_of=D(2026, 6, 12), loan=loan)
    assert (row.limitation_deadline, row.time_barred, row.fees_fen) == (
        D(2026, 6, 10),
        True,
        2_000,
    )
    assert not LoanSnapshot.objects.get(as_of=D(2026, 6, 9), loan=loan).time_barred


def test_a_charge_or_payment_dated_after_the_previous_day_counts_when_its_day_comes(reasons):
    fee = make_loan(external_id="C", disbursed_on=D(2026, 11, 5))
    paid = make_loan(external_id="PD", disbursed_on=D(2026, 11, 5))
    charge_add(loan=paid, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 11, 10))
    # Both in the book before the run of 11-18, dated after it.
    charge_add(loan=fee, kind="failed_deduction", amount_fen=2_000, charged_on=D(2026, 11, 19))
    pay(paid, D(2026, 11, 19), 2_000)
    eod_run(as_of=D(2026, 11, 18))
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 18), loan=fee).fees_fen == 0
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 18), loan=paid).fees_fen == 2_000
    run_both(D(2026, 11, 19))
    assert reasons() == {fee.pk: {"charge"}, paid.pk: {"payment"}}
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 19), loan=fee).fees_fen == 2_000
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 19), loan=paid).fees_fen == 0


def test_a_restart_event_from_outside_the_ledger_recomputes_when_added_or_removed(reasons, acks):
    loan = _fees_only_loan()
    eod_run(as_of=D(2026, 7, 1))
    assert LoanSnapshot.objects.get(as_of=D(2026, 7, 1), loan=loan).time_barred
    acks(loan, D(2024, 1, 15))  # a written acknowledgement, recorded late
    run_both(D(2026, 7, 2))
    assert reasons() == {loan.pk: {"restart"}}
    row = LoanSnapshot.objects.get(as_of=D(2026, 7, 2), loan=loan)
    assert (row.limitation_deadline, row.time_barred) == (D(2027, 1, 15), False)
    acks(loan)  # entered in error and deleted
    run_both(D(2026, 7, 3))
    assert reasons() == {loan.pk: {"restart"}}
    row = LoanSnapshot.objects.get(as_of=D(2026, 7, 3), loan=loan)
    assert (row.limitation_deadline, row.time_barred) == (D(2026, 6, 10), True)
    run = run_both(D(2026, 7, 4))
    assert (reasons(), run.carried) == ({}, 1)


def test_a_borrower_rule_change_reclassifies_the_borrowers_quiet_loans(reasons):
    borrower = make_borrower()
    # Bullet due 2026-08-20: 89 days past due on 11-17, 92 on 11-20 (substandard from 91).
    late = make_loan(borrower=borrower, method="bullet", term_months=6, disbursed_on=D(2026, 2, 20))
    calm = make_loan(borrower=borrower, disbursed_on=D(2026, 11, 5))
    eod_run(as_of=D(2026, 11, 17))
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 17), loan=calm).classification == "normal"
    run = run_both(D(2026, 11, 20))
    # CALM is carried; the engine counts its exposure with LATE's and re-classes it.
    assert reasons() == {late.pk: {"overdue"}}
    assert (run.mode_detail["borrower_peers"], run.mode_detail["reclassified"]) == (1, 1)
    row = LoanSnapshot.objects.get(as_of=D(2026, 11, 20), loan=calm)
    assert (row.dpd, row.classification) == (0, "substandard")


def test_a_product_terms_change_recomputes_its_loans(reasons, quiet):
    other = make_loan(
        external_id="OTHER",
        product=make_product(code="OT", name="other"),
        disbursed_on=D(2026, 11, 5),
    )
    eod_run(as_of=P)
    Product.objects.filter(pk=other.product_id).update(grace_days=5)
    run = run_both(NEXT)
    assert reasons() == {other.pk: {"product"}}
    assert (run.mode, run.carried) == ("incremental", 1)


def test_loans_changed_just_before_the_previous_run_are_recomputed_within_the_margin(
    settings, reasons, quiet
):
    eod_run(as_of=P)
    settings.ARREARS_EOD_CHANGE_MARGIN_SECONDS = 3600
    run_both(NEXT)
    # Created seconds before the previous run: a writer still open then could have been
    # missed by it, so it is recomputed once more.
    assert reasons() == {quiet.pk: {"changed"}}


def test_the_read_time_is_no_later_than_any_open_transaction_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite relies on the margin")
    import psycopg

    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"], "port": s["PORT"]}
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as other:
        # A writer that began before the run and has not committed: its marks may be older
        # than the run, so the run must say it read the book no later than that writer began.
        (began,) = other.execute("SELECT now()").fetchone()
        assert incremental.read_time() <= began


# ------------------------------------------------------------------ when a run is full


def test_back_dated_repeated_forced_and_reconfigured_runs_are_full(exact, quiet):
    eod_run(as_of=P)
    assert eod_run(as_of=NEXT).mode == "incremental"
    again = eod_run(as_of=NEXT)
    assert (again.mode, again.mode_detail["reason"]) == (
        "full",
        "not after the latest run (2026-11-23): back-dated or repeated",
    )
    assert eod_run(as_of=P).mode == "full"
    forced = eod_run(as_of=D(2026, 11, 24), full=True)
    assert (forced.mode, forced.mode_detail["reason"]) == ("full", "full run asked for")
    changed = eod_run(as_of=D(2026, 11, 25), config=EodConfig(pre_due_days=5))
    assert changed.mode_detail["reason"] == "configuration, engine or restart sources changed"
    assert eod_run(as_of=D(2026, 11, 26), config=EodConfig(pre_due_days=5)).mode == ("incremental")


def test_a_run_with_most_loans_to_recompute_reads_the_whole_book(settings, exact, quiet):
    late = make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    eod_run(as_of=P)
    settings.ARREARS_EOD_INCREMENTAL_MAX_SHARE = 0.4
    run = run_both(NEXT)
    assert run.mode == "full"
    assert run.mode_detail["reason"] == "1 of 2 loans to recompute, more than 40%"
    assert run.mode_detail["selection"]["reasons"]["overdue"] == 1
    assert LoanSnapshot.objects.get(as_of=NEXT, loan=late).dpd == 136


def test_the_command_says_how_the_day_was_run(exact, quiet):
    out = io.StringIO()
    call_command("eod", "--as-of", "2026-11-20", stdout=out)
    assert "full: 1 loans (no previous run)" in out.getvalue()
    out = io.StringIO()
    call_command("eod", "--as-of", "2026-11-23", stdout=out)
    assert "incremental: 0 loans recomputed, 1 carried from 2026-11-20" in out.getvalue()
    out = io.StringIO()
    call_command("eod", "--as-of", "2026-11-24", "--full", stdout=out)
    assert "full: 1 loans (full run asked for)" in out.getvalue()


# ------------------------------------------------------------------ the property

START = D(2025, 1, 1)
TODAY = D(2026, 11, 28)  # payments may not be dated in the future

rates = st.integers(min_value=0, max_value=400_000).map(lambda ppm: Decimal(ppm) / 1_000_000)
products = st.fixed_dictionaries(
    {
        "grace_days": st.integers(min_value=0, max_value=3),
        "day_count": st.sampled_from([360, 365]),
        "penalty_base": st.sampled_from(["principal", "principal_interest"]),
        # Caps well over the rates too: fees held back by the cap, owed as the days pass.
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
# Some payments settle everything, so paid-off (quiet) loans meet later payments and fees.
amounts = st.one_of(st.integers(1, 1_500_000), st.just(3_000_000))
# Small fees, and large ones the cap holds back for a while.
fees = st.one_of(st.integers(1, 5_000), st.integers(5_000, 300_000))
loan_specs = st.fixed_dictionaries(
    {
        "borrower": st.integers(min_value=0, max_value=5),
        "product": st.integers(min_value=0, max_value=1),
        "method": st.sampled_from(["annuity", "equal_principal", "interest_first", "bullet"]),
        "term_months": st.integers(min_value=1, max_value=12),
        "principal": st.integers(min_value=1_000, max_value=2_000_000),
        "annual_rate": rates,
        "penalty_rate": rates,
        # Relative to the first run's date (or a new loan's run): days before or after it,
        # or (months, days): installments falling due a few days around the run dates.
        "disbursed": st.one_of(
            st.integers(min_value=-300, max_value=40),
            # Long overdue: the limitation period runs out around the run dates.
            st.integers(min_value=-1_500, max_value=-1_050),
            st.tuples(
                st.integers(min_value=1, max_value=8), st.integers(min_value=-2, max_value=6)
            ),
        ),
        "payments": st.lists(
            st.tuples(st.integers(min_value=0, max_value=400), amounts),
            max_size=4,
        ),
        "charges": st.lists(
            st.tuples(st.integers(min_value=0, max_value=400), fees),
            max_size=2,
        ),
    }
)
# Relative to the next run's date: back-dated, or dated after it (due in a later step).
day = st.one_of(st.integers(min_value=-300, max_value=0), st.integers(min_value=1, max_value=5))
changes = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 20), day, amounts),
    st.tuples(st.just("charge"), st.integers(0, 20), day, fees),
    st.tuples(st.just("loan"), loan_specs),
    st.tuples(st.just("ack"), st.integers(0, 20), day),
    st.tuples(st.just("unack"), st.integers(0, 20)),
    # Any restart event: a creditor's demand reached or not, a debtor's act, a guarantor's,
    # a revive-only signature — often after the period ran out.
    st.tuples(st.just("event"), st.integers(0, 20), day, events.event_kinds),
    st.tuples(st.just("gpay"), st.integers(0, 20), day, amounts),
    # A write-off (writeoff app) as the book records it: status and date, possibly dated
    # after the run (it leaves the book's figures from that day; docs/writeoff.md).
    st.tuples(st.just("writeoff"), st.integers(0, 20), day),
)
books = st.fixed_dictionaries(
    {
        "products": st.lists(products, min_size=1, max_size=2),
        "loans": st.lists(loan_specs, min_size=1, max_size=5),
        "first": st.integers(min_value=30, max_value=400),
        "days": st.lists(
            st.tuples(st.sampled_from([1, 1, 2, 3, 5, 31]), st.lists(changes, max_size=4)),
            min_size=1,
            max_size=3,
        ),
    }
)


class Book:
    def __init__(self, spec, acks):
        self.products = [
            make_product(code=f"IP{next(_refs)}", name="p", **p) for p in spec["products"]
        ]
        # Most loans alone, some sharing a borrower (the borrower rule).
        self.borrowers = [make_borrower() for _ in range(6)]
        self.loans: list[Loan] = []
        self.acks = acks

    def loan(self, spec, around: dt.date) -> None:
        if isinstance(spec["disbursed"], tuple):
            months, days = spec["disbursed"]
            disbursed = add_months(around, -months) + dt.timedelta(days=days)
        else:
            disbursed = around + dt.timedelta(days=spec["disbursed"])
        loan = make_loan(
            borrower=self.borrowers[spec["borrower"]],
            product=self.products[spec["product"] % len(self.products)],
            principal=f"{Decimal(spec['principal']) / 100:.2f}",
            annual_rate=str(spec["annual_rate"]),
            penalty_rate=str(spec["penalty_rate"]),
            disbursed_on=disbursed,
            term_months=spec["term_months"],
            method=spec["method"],
        )
        for offset, amount in spec["payments"]:
            self.pay(loan, disbursed + dt.timedelta(days=offset), amount)
        for offset, amount in spec["charges"]:
            charged_on = disbursed + dt.timedelta(days=offset)
            charge_add(loan=loan, kind="failed_deduction", amount_fen=amount, charged_on=charged_on)
        self.loans.append(loan)

    def pay(self, loan, day, amount):
        pay(loan, min(max(day, loan.disbursed_on), TODAY), amount)

    def change(self, change, next_day: dt.date) -> None:
        kind, *args = change
        if kind == "loan":
            self.loan(args[0], next_day)
            return
        loan = self.loans[args[0] % len(self.loans)]
        if kind == "pay":
            self.pay(loan, next_day + dt.timedelta(days=args[1]), args[2])
        elif kind == "charge":
            charged_on = max(loan.disbursed_on, next_day + dt.timedelta(days=args[1]))
            charge_add(
                loan=loan, kind="failed_deduction", amount_fen=args[2], charged_on=charged_on
            )
        elif kind == "event":
            events.add(loan, args[2], max(loan.disbursed_on, next_day + dt.timedelta(days=args[1])))
        elif kind == "gpay":
            day = min(max(next_day + dt.timedelta(days=args[1]), loan.disbursed_on), TODAY)
            payment_post(
                loan=loan,
                external_id=f"IG{next(_refs)}",
                paid_on=day,
                amount_fen=args[2],
                channel="guarantor",
                source="import",
            )
        elif kind == "writeoff":
            Loan.objects.filter(pk=loan.pk).update(
                status=Loan.Status.WRITTEN_OFF,
                written_off_on=max(loan.disbursed_on, next_day + dt.timedelta(days=args[1])),
            )
        elif kind == "ack":
            self.acks(loan, max(loan.disbursed_on, next_day + dt.timedelta(days=args[1])))
        else:
            self.acks(loan)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=books)
def test_incremental_runs_equal_full_runs_on_random_books_and_changes(
    spec, exact, acks, test_events
):
    with transaction.atomic():
        first = START + dt.timedelta(days=spec["first"])
        book = Book(spec, acks)
        for loan_spec in spec["loans"]:
            book.loan(loan_spec, first)
        eod_run(as_of=first)
        as_of = first
        for gap, todo in spec["days"]:
            as_of += dt.timedelta(days=gap)
            for change in todo:
                book.change(change, as_of)
            run = run_both(as_of)
            assert run.mode == "incremental"
            assert run.recomputed + run.carried == run.loans
        transaction.set_rollback(True)


def test_editing_the_lpr_table_makes_the_next_run_full(people, reasons):
    # The law's caps (4 × LPR for private lending) change past figures of many loans at once
    # (issue 11), so an LPR edit makes the next run read the whole book.
    from decimal import Decimal

    from arrears.compliance.services import lpr_set

    private = make_product(product_type="private", rate_cap=None)
    make_loan(external_id="PRIV", product=private, disbursed_on=D(2026, 11, 5))
    make_loan(external_id="MICRO", disbursed_on=D(2026, 11, 5))
    eod_run(as_of=P)
    second = eod_run(as_of=D(2026, 11, 21))
    assert second.mode == "incremental", second.mode_detail
    lpr_set(
        month=D(2026, 11, 1),
        one_year_rate=Decimal("0.0290"),
        five_year_rate=Decimal("0.0340"),
        source="test",
        actor=people["alice"],
        published_on=D(2026, 11, 20),
    )
    run = eod_run(as_of=NEXT)
    assert (run.mode, run.mode_detail["reason"]) == (
        "full",
        "configuration, engine or restart sources changed",
    )
    assert run.loans == 2
