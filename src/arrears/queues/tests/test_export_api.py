"""`arrears export queues` and GET /api/v1/queues: one row per entry, scoped."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from arrears.core.models import ApiToken, AuditEntry
from arrears.queues.models import QueueEntry
from arrears.queues.tests.conftest import NEXT_DAY, run_eod

pytestmark = pytest.mark.django_db


def export(*args) -> list[list[str]]:
    out = io.StringIO()
    call_command("export", "queues", "--as-of", NEXT_DAY.isoformat(), *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_the_export_has_the_columns_in_order_and_one_row_per_entry(book, people):
    run_eod()

    header, *rows = export()

    assert header[:8] == [
        "user",
        "position",
        "case_id",
        "loan_id",
        "segment",
        "step",
        "channel",
        "priority",
    ]
    entries = QueueEntry.objects.filter(on=NEXT_DAY).order_by("user__username", "position")
    assert [r[:4] for r in rows] == [
        [e.user.username, str(e.position), str(e.case_id), e.loan.external_id] for e in entries
    ]
    first = entries[0]
    assert rows[0][6:9] == ["call", f"{first.priority}", f"{first.amount_due_fen / 100:.2f}"]
    assert AuditEntry.objects.filter(event="export.queues").count() == 1


def test_the_export_as_a_user_holds_the_queues_they_may_see(book, people):
    run_eod()

    _header, *team_a = export("--user", "tom")
    _header, *team_b = export("--user", "tina")

    assert {r[0] for r in team_a} == {"carl", "cora"}
    assert team_b == []


def test_the_export_writes_xlsx(book, people, tmp_path):
    run_eod()
    path = tmp_path / "queues.xlsx"
    call_command(
        "export",
        "queues",
        "--as-of",
        NEXT_DAY.isoformat(),
        "--format",
        "xlsx",
        "--output",
        str(path),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(path).active
    values = list(sheet.values)
    assert list(values[0][:8]) == [
        "user",
        "position",
        "case_id",
        "loan_id",
        "segment",
        "step",
        "channel",
        "priority",
    ]
    assert len(values) == 1 + QueueEntry.objects.filter(on=NEXT_DAY).count()


def api_get(user, path, **params):
    _, raw = ApiToken.issue(user, name="test")
    return Client().get("/api/v1" + path, params, headers={"Authorization": f"Bearer {raw}"})


def test_the_api_gives_a_collector_their_own_queue_and_a_lead_the_team(book, people):
    run_eod()

    carl = json.loads(api_get(people["carl"], "/queues", on=NEXT_DAY.isoformat()).content)
    tom = json.loads(api_get(people["tom"], "/queues", on=NEXT_DAY.isoformat()).content)
    tina = json.loads(api_get(people["tina"], "/queues", on=NEXT_DAY.isoformat()).content)

    assert [(i["user"], i["position"]) for i in carl["items"]] == [
        ("carl", 1),
        ("carl", 2),
        ("carl", 3),
    ]
    assert carl["items"][0]["loan_id"] == book["carl_big"].external_id
    assert carl["items"][0]["done"] is False
    assert {i["user"] for i in tom["items"]} == {"carl", "cora"}
    assert tina["items"] == []


def test_exclusions_over_the_api_are_for_those_who_oversee(book, people):
    run_eod()
    assert api_get(people["carl"], "/queues/exclusions").status_code == 403
    response = api_get(people["tom"], "/queues/exclusions", on=NEXT_DAY.isoformat())
    assert response.status_code == 200
    assert json.loads(response.content)["items"] == []
