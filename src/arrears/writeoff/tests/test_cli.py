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
