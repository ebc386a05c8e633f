"""Exports mask personal numbers as the pages do, for every exporter; only a named user with
pii.export gets them in full, and the audit entry says which it was."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from arrears.core.models import AuditEntry
from arrears.ingest.exports import ExportError, export_run
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db

ID = "510100198501010015"
PHONE = "13912345678"


@pytest.fixture
def borrower(people):
    b = make_borrower(external_id="B-1", name="王一", id_number=ID, phone=PHONE, phone2="")
    make_loan(borrower=b, team=people["tom"].team, collector=people["carl"])
    return b


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def cli(*args) -> str:
    out = io.StringIO()
    call_command("export", "borrowers", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_cli_operator_gets_numbers_masked(borrower):
    [row] = rows(cli())
    assert (row["borrower_id"], row["name"]) == ("B-1", "王一")
    assert (row["id_number"], row["phone"], row["phone2"]) == (
        "5101**********0015",
        "139****5678",
        "",
    )
    assert row["loans"] == "1"
    entry = AuditEntry.objects.get(event="export.borrowers")
    assert entry.actor is None and entry.after["personal_numbers"] == "masked"


@pytest.mark.parametrize("username", ["alice", "mia", "tom", "aud"])
def test_every_role_that_exports_gets_them_masked(borrower, people, username):
    out = io.StringIO()
    user = people[username]
    export_run(name="borrowers", stream=out, user=user, actor=user)
    [row] = rows(out.getvalue())
    assert (row["id_number"], row["phone"]) == ("5101**********0015", "139****5678")
    assert ID not in out.getvalue() and PHONE not in out.getvalue()


def test_an_admin_may_export_them_unmasked_and_it_is_audited(borrower, people):
    [row] = rows(cli("--user", "alice", "--unmasked"))
    assert (row["id_number"], row["phone"]) == (ID, PHONE)
    entry = AuditEntry.objects.get(event="export.borrowers")
    assert entry.actor == people["alice"]
    assert entry.after["personal_numbers"] == "unmasked"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "needs a named user"),
        (("--user", "mia"), r"mia \(manager\) may not export personal numbers unmasked"),
        (("--user", "tom"), r"tom \(team_lead\) may not export personal numbers unmasked"),
        (("--user", "aud"), r"aud \(auditor\) may not export personal numbers unmasked"),
    ],
)
def test_unmasked_is_refused_to_anyone_else(borrower, people, args, message):
    with pytest.raises(CommandError, match=message):
        cli(*args, "--unmasked")
    assert not AuditEntry.objects.filter(event="export.borrowers").exists()


def test_xlsx_is_masked_the_same_way(borrower, people, tmp_path):
    path = tmp_path / "b.xlsx"
    export_run(name="borrowers", fmt="xlsx", output=path, user=people["mia"], actor=people["mia"])
    sheet = load_workbook(path).active
    values = [c.value for c in list(sheet.iter_rows())[1]]
    assert "5101**********0015" in values and "139****5678" in values
    assert ID not in values and PHONE not in values


def test_a_user_exports_only_the_borrowers_they_may_see(borrower, people):
    make_borrower(external_id="B-OTHER")
    out = io.StringIO()
    export_run(name="borrowers", stream=out, user=people["tom"], actor=people["tom"])
    assert [r["borrower_id"] for r in rows(out.getvalue())] == ["B-1"]


def test_exports_without_personal_numbers_ignore_unmasked(borrower, people):
    # The loans export carries no personal numbers: nothing to mask or to refuse.
    export_run(name="loans", stream=io.StringIO(), user=None, unmasked=True)
    with pytest.raises(ExportError):
        export_run(name="borrowers", stream=io.StringIO(), user=people["carl"], unmasked=True)
