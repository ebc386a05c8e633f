"""Cases opened, followed and closed by the end-of-day run."""

import datetime as dt

import pytest

from arrears.book.services import payment_post
from arrears.cases.models import Case, CaseBucketHistory
from arrears.eod.services import eod_run
from arrears.testing import make_borrower, make_loan

D = dt.date
pytestmark = pytest.mark.django_db


def bullet(**kw):
    # 10,000.00 + 600.00 interest due 2026-07-10, penalty 18% (0.50/day while unpaid).
    return make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10), **kw)


def history(case):
    return list(case.bucket_history.values_list("as_of", "bucket"))


def test_a_loan_that_falls_overdue_opens_a_case_with_the_loans_assignment(people):
    carl = people["carl"]
    loan = bullet(collector=carl, team=carl.team)
    assert eod_run(as_of=D(2026, 7, 10)).cases_opened == 0
    run = eod_run(as_of=D(2026, 7, 11))
    assert run.cases_opened == 1
    case = Case.objects.get()
    assert (case.loan, case.borrower, case.opened_on, case.status) == (
        loan,
        loan.borrower,
        D(2026, 7, 11),
        Case.Status.OPEN,
    )
    assert (case.bucket, case.dpd, case.collector, case.team) == ("M1", 1, carl, carl.team)
    assert history(case) == [(D(2026, 7, 11), "M1")]


def test_the_case_follows_dpd_and_records_each_bucket_change():
    bullet()
    for day in (D(2026, 7, 11), D(2026, 8, 9), D(2026, 8, 10), D(2026, 8, 11), D(2026, 9, 20)):
        eod_run(as_of=day)
    case = Case.objects.get()
    assert (case.bucket, case.dpd) == ("M3", 72)
    assert history(case) == [
        (D(2026, 7, 11), "M1"),
        (D(2026, 8, 10), "M2"),
        (D(2026, 9, 20), "M3"),
    ]


def test_paying_the_arrears_closes_the_case_as_cured():
    loan = make_loan(method="equal_principal", principal="2000.00", term_months=2)
    eod_run(as_of=D(2026, 2, 11))
    # 1,020.00 due 2026-02-10 plus one day's penalty (0.50) on 1,000.00.
    payment_post(
        loan=loan, external_id="P1", paid_on=D(2026, 2, 12), amount_fen=102_100, source="import"
    )
    run = eod_run(as_of=D(2026, 2, 12))
    assert (run.cases_closed, run.cured) == (1, 1)
    case = Case.objects.get()
    assert (case.status, case.close_reason, case.closed_on) == ("closed", "cured", D(2026, 2, 12))
    assert history(case)[-1] == (D(2026, 2, 12), "M0")


def test_paying_everything_closes_the_case_as_paid_off():
    loan = bullet()
    eod_run(as_of=D(2026, 7, 11))
    payment_post(
        loan=loan, external_id="P1", paid_on=D(2026, 7, 12), amount_fen=1_061_000, source="import"
    )
    eod_run(as_of=D(2026, 7, 12))
    assert Case.objects.get().close_reason == Case.CloseReason.PAID_OFF


def test_a_loan_that_falls_overdue_again_gets_a_new_case():
    loan = make_loan(method="equal_principal", principal="2000.00", term_months=2)
    eod_run(as_of=D(2026, 2, 11))
    payment_post(
        loan=loan, external_id="P1", paid_on=D(2026, 2, 12), amount_fen=102_100, source="import"
    )
    eod_run(as_of=D(2026, 2, 12))
    eod_run(as_of=D(2026, 3, 11))
    cases = list(Case.objects.order_by("id").values_list("status", "opened_on"))
    assert cases == [("closed", D(2026, 2, 11)), ("open", D(2026, 3, 11))]


def test_a_borrower_with_two_overdue_loans_has_one_case_per_loan():
    borrower = make_borrower()
    bullet(borrower=borrower)
    bullet(borrower=borrower)
    eod_run(as_of=D(2026, 8, 1))
    assert borrower.cases.filter(status="open").count() == 2


def test_running_a_day_twice_changes_no_case():
    bullet()
    eod_run(as_of=D(2026, 8, 10))
    before = list(Case.objects.values()), list(CaseBucketHistory.objects.values())
    run = eod_run(as_of=D(2026, 8, 10))
    assert (run.cases_opened, run.cases_closed) == (0, 0)
    assert (list(Case.objects.values()), list(CaseBucketHistory.objects.values())) == before
