"""The demo's write-offs: loans written off through the services, recoveries after them, a
batch awaiting approval, the cases still open, the day's figures without them."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AS_OF = dt.date(2026, 11, 28)


def test_the_demo_writes_loans_off_with_recoveries_after(people):
    from arrears.book.models import Loan
    from arrears.cases.models import Case
    from arrears.demo.generator import demo_eod, demo_generate
    from arrears.demo.writeoff import demo_writeoff
    from arrears.eod.models import EodRun
    from arrears.writeoff import selectors
    from arrears.writeoff.models import WriteOffProposal, WrittenOffLoan

    demo_generate(loans=300, seed=7, as_of=AS_OF, chunk_size=150, reset=True)
    demo_eod(as_of=AS_OF)
    result = demo_writeoff(as_of=AS_OF)
    assert len(result.written_off) == 5 and len(result.pending) == 3
    assert set(
        Loan.objects.filter(status="written_off").values_list("external_id", flat=True)
    ) == set(result.written_off)
    assert WrittenOffLoan.objects.filter(written_off_on=AS_OF).count() == 5
    assert WriteOffProposal.objects.get(pk=result.proposal_pending).status == "pending"
    # Recoveries after write-off, to the fen, and the cases still open.
    got = {p.external_id: p.amount_fen for p in selectors.recoveries(user=people["mia"])}
    assert got == {"DEMO-WO-REC-1": 50_000, "DEMO-WO-REC-2": 123_456}
    assert not Case.objects.filter(
        loan__external_id__in=result.written_off, status="closed"
    ).exists()
    run = EodRun.objects.filter(as_of=AS_OF, status="done").latest("id")
    assert run.summary["written_off"]["loans"] == 5
    assert run.summary["book"]["loans"] == run.summary["loans"] - 5
