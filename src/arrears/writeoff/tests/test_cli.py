"""`arrears writeoff`: propose by loan IDs, approve by someone else, refusals as errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Loan

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("writeoff", *args, stdout=out)
    return out.getvalue()


def test_propose_and_approve_from_the_command_line(people, case):
    said = run("propose", "--user", "mia", "--loans", "L-WO", "--reason", "无力偿还")
    assert said.startswith("WO-00") and "1 loans" in said and "awaiting approval" in said
    pk = said.split("(id ")[1].split(")")[0]
    with pytest.raises(CommandError, match="someone else must decide"):
        run("approve", pk, "--user", "mia")
    assert "Approved, written off" in run("approve", pk, "--user", "alice")
    assert Loan.objects.get(external_id="L-WO").status == "written_off"
    assert "approved" in run("list", "--user", "aud")


def test_the_command_refuses_what_the_services_refuse(people, case):
    with pytest.raises(CommandError, match="may not propose"):
        run("propose", "--user", "carl", "--loans", "L-WO", "--reason", "x")
    with pytest.raises(CommandError, match="either --loans or --filter"):
        run("propose", "--user", "mia", "--reason", "x")
    with pytest.raises(CommandError, match="no active user"):
        run("list", "--user", "nobody")


def test_the_ledger_exports_in_yuan_in_the_users_scope(people, case):
    from arrears.book.services import payment_post
    from arrears.writeoff.services import writeoff_decide, writeoff_propose
    from arrears.writeoff.tests.conftest import TODAY, D

    proposal = writeoff_propose(
        actor=people["mia"], loan_ids=["L-WO"], reason_code="other", reason="无力偿还", today=TODAY
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=TODAY)
    payment_post(loan=case.loan, external_id="P-R", paid_on=D(2026, 12, 1), amount_fen=12_345)
    out = io.StringIO()
    call_command("export", "writeoff_ledger", "--format", "csv", "--user", "mia", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("loan_id,borrower,county,product,written_off_on,reason_code")
    assert lines[1].split(",")[4:] == [
        "2026-11-30",
        "other",
        "143",
        "10000.00",
        "600.00",
        "715.00",
        "0.00",
        "11315.00",
        "123.45",
        proposal.number,
    ]
    out = io.StringIO()
    call_command("export", "writeoff_ledger", "--format", "csv", "--user", "tina", stdout=out)
    assert len(out.getvalue().splitlines()) == 1  # team B's lead sees none of team A's
