"""`arrears import assignments FILE`: row errors, all-or-nothing, idempotent, dry run, scope."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from arrears.cases.imports import import_assignments
from arrears.cases.models import Case, CaseAssignment
from arrears.core.models import AuditEntry

HEAD = "贷款编号,案件编号,催收员,角色,组别,分案原因"


def write(tmp_path, rows, name="分案.csv", head=HEAD):
    path = tmp_path / name
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_a_file_assigns_cases_once(people, cases, tmp_path):
    path = write(
        tmp_path,
        [
            "L-CARL,,cora,催收员,,轮换",
            f",{cases['tina'].pk},,团队,Team A,调组",
            "L-CORA,,fay,外访员,,外访",
        ],
    )
    out = io.StringIO()
    call_command("import", "assignments", str(path), "--user", "mia", stdout=out)

    assert "updated 3" in out.getvalue()
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["cora"]
    assert Case.objects.get(pk=cases["tina"].pk).team == people["tom"].team
    assert Case.objects.get(pk=cases["cora"].pk).field_agent == people["fay"]
    assert CaseAssignment.objects.filter(source="import").count() == 3
    assert AuditEntry.objects.filter(event="import.assignments").count() == 1

    # The same file again moves nothing.
    report = import_assignments(path=path, actor=people["mia"])
    assert (report.updated, report.unchanged, report.written) == (0, 3, True)
    assert CaseAssignment.objects.count() == 3


def test_every_problem_is_a_row_error_and_nothing_moves(people, cases, tmp_path):
    path = write(
        tmp_path,
        [
            "L-CARL,,cora,催收员,,轮换",  # fine, but the file is rejected as a whole
            "L-NOSUCH,,cora,催收员,,x",
            ",99999,cora,催收员,,x",
            "L-CORA,,nobody,催收员,,x",
            "L-CORA,,fay,催收员,,x",  # fay is a field agent
            "L-CORA,,cora,老板,,x",
            "L-CORA,,cora,催收员,,",
            "L-CARL,,carl,催收员,,again",
        ],
    )
    report = import_assignments(path=path, actor=people["mia"])

    lines = [str(e) for e in report.errors]
    assert lines == [
        "row 3, column 贷款编号: no such loan ('L-NOSUCH')",
        "row 4, column 案件编号: no such case ('99999')",
        "row 5, column 催收员: no such user ('nobody')",
        "row 6, column 催收员: fay is not a Phone collector. ('fay')",
        "row 7, column 角色: unknown role (collector 催收员, field_agent 外访员, legal 法务, "
        "team 团队) ('老板')",
        "row 8, column 分案原因: a value is required",
        "row 9, column 贷款编号: case "
        f"{cases['carl'].pk} is assigned as collector more than once in this file "
        "(first on row 2) ('L-CARL')",
    ]
    assert not report.written
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]
    assert not CaseAssignment.objects.exists()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "assignments", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_dry_run_counts_and_writes_nothing(people, cases, tmp_path):
    path = write(tmp_path, ["L-CARL,,cora,,,轮换", "L-CORA,,cora,,,不变"])
    report = import_assignments(path=path, actor=people["mia"], dry_run=True)
    assert (report.updated, report.unchanged, report.written) == (1, 1, False)
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]


def test_a_team_lead_imports_only_within_the_team(people, cases, tmp_path):
    path = write(
        tmp_path,
        [
            "L-CARL,,cora,催收员,,轮换",
            "L-TINA,,cora,催收员,,x",  # team B's case: tom cannot see it
            "L-CORA,,,团队,Team B,x",  # out of the team
        ],
    )
    report = import_assignments(path=path, actor=people["tom"])
    assert [(e.row, e.code) for e in report.errors] == [
        (3, "no_open_case"),
        (4, "assignment_refused"),
    ]
    assert not report.written
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["carl"]


def test_a_file_without_a_case_column_is_refused(people, cases, tmp_path):
    path = write(tmp_path, ["carl,,轮换"], head="催收员,角色,分案原因")
    report = import_assignments(path=path, actor=people["mia"])
    assert [str(e) for e in report.errors] == [
        "row 1, column loan_id: the file needs a loan_id (贷款编号) or a case_id (案件编号) column"
    ]


def test_a_team_lead_may_import_from_the_command_line_a_collector_may_not(people, cases, tmp_path):
    path = write(tmp_path, ["L-CARL,,cora,催收员,,轮换"])
    call_command("import", "assignments", str(path), "--user", "tom", stdout=io.StringIO())
    assert Case.objects.get(pk=cases["carl"].pk).collector == people["cora"]
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", "assignments", str(path), "--user", "carl", stdout=io.StringIO())
