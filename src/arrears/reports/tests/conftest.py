"""A hand-made book for the reports of issue 17 (collections, promises, performance,
limitation, credit hold): four loans, each 10,000.00 bullet at 12% over 6 months from
2026-01-10 with no penalty interest, so 600.00 interest and 10,000.00 principal fell due on
2026-07-10 and every payment goes interest first, then principal — amounts known to the fen.

- L-CARL (team A, collector carl): case opened 2026-07-11. A call on 2026-11-03 and a visit on
  2026-11-04; 100.00 paid 2026-10-20 (before the period), 1,000.00 on 2026-11-05 (→ visit:
  interest 500.00, principal 500.00) and a 50.00 waiver on 2026-11-06 (not money).
- L-CORA (team A, collector cora): case opened 2026-07-11; an SMS on 2026-09-01 only, so
  300.00 paid 2026-11-10 is paid with no contact (interest 300.00).
- L-AGENCY (team B, Agency One): case opened 2026-07-11 and placed with the agency; 700.00
  paid 2026-11-12 by bank transfer (→ agency: interest 600.00, principal 100.00).
- L-CURRENT (team A, carl): no case; 200.00 paid 2026-11-06 is no collection.

November 2026 in all: principal 600.00, interest 1,400.00, total 2,000.00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.activities.models import Activity
from arrears.book.services import payment_post
from arrears.cases.models import Case
from arrears.core.dates import local_zone
from arrears.core.models import Agency
from arrears.testing import make_borrower, make_loan

D = dt.date
NOV_FROM, NOV_TO = D(2026, 11, 1), D(2026, 11, 30)
OPENED = D(2026, 7, 11)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=local_zone())


def loan_with_case(name: str, *, opened: dt.date | None = OPENED, **assignment):
    loan = make_loan(
        external_id=name,
        borrower=make_borrower(external_id="B" + name, name="王" + name[-2:]),
        method="bullet",
        term_months=6,
        penalty_rate="0",
        disbursed_on=D(2026, 1, 10),
        **assignment,
    )
    case = None
    if opened is not None:
        case = Case.objects.create(
            loan=loan,
            borrower=loan.borrower,
            opened_on=opened,
            status=Case.Status.OPEN,
            bucket="M4",
            dpd=100,
            team=loan.team,
            collector=loan.collector,
            agency=loan.agency,
        )
    return loan, case


def activity(case, day, channel, outcome, by, hour=10):
    return Activity.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        channel=channel,
        outcome=outcome,
        occurred_at=at(day, hour),
        created_by=by,
    )


def pay(loan, ref, day, fen, channel="bank_transfer"):
    return payment_post(
        loan=loan, external_id=ref, paid_on=day, amount_fen=fen, channel=channel, source="web"
    )[0]


@pytest.fixture
def book(people):
    carl, cora, tom, tina = people["carl"], people["cora"], people["tom"], people["tina"]
    agency = Agency.objects.get(name="Agency One")
    l_carl, c_carl = loan_with_case("L-CARL", collector=carl, team=tom.team)
    l_cora, c_cora = loan_with_case("L-CORA", collector=cora, team=tom.team)
    l_agency, c_agency = loan_with_case("L-AGENCY", team=tina.team, agency=agency)
    l_current, _ = loan_with_case("L-CURRENT", opened=None, collector=carl, team=tom.team)
    activity(c_carl, D(2026, 11, 3), "call", "no_answer", carl)
    activity(c_carl, D(2026, 11, 4), "visit", "right_party_contact", carl)
    activity(c_cora, D(2026, 9, 1), "sms", "other", cora)
    pay(l_carl, "P-C0", D(2026, 10, 20), 10_000)
    pay(l_carl, "P-C1", D(2026, 11, 5), 100_000)
    pay(l_carl, "P-W", D(2026, 11, 6), 5_000, channel="waiver")
    pay(l_cora, "P-O1", D(2026, 11, 10), 30_000)
    pay(l_agency, "P-A1", D(2026, 11, 12), 70_000)
    pay(l_current, "P-X", D(2026, 11, 6), 20_000)
    return {
        "loans": {"carl": l_carl, "cora": l_cora, "agency": l_agency, "current": l_current},
        "cases": {"carl": c_carl, "cora": c_cora, "agency": c_agency},
    }
