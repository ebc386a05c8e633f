"""`arrears import activities FILE`: row errors, all-or-nothing, idempotence by call ID, and
compliance refusals as row errors naming the rule id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from arrears.activities.imports import import_activities
from arrears.activities.models import Activity
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import SHANGHAI, local, yesterday
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEAD = "通话编号,贷款编号,通话时间,渠道,被叫号码,联系人,方向,通话时长,结果,逾期原因,备注,坐席\n"


def when(hh: int, mm: int = 0, day: dt.date | None = None) -> str:
    return (day or yesterday()).strftime("%Y-%m-%d ") + f"{hh:02d}:{mm:02d}:00"


def write(tmp_path, rows: list[str], name="calls.csv", head=HEAD):
    path = tmp_path / name
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_dialer_file_is_imported_once(people, case, spouse, tmp_path):
    path = write(
        tmp_path,
        [
            f"C-1,L-CARL,{when(9)},电话,13812345678,,呼出,65,本人接通,资金困难,说月底还,carl",
            f"C-2,L-CARL,{when(9, 30)},电话,,本人,呼出,0,无人接听,,,cora",
            f"C-3,L-CARL,{when(10)},短信,,,,,其他,,您好，请按时还款。,carl",
            f"C-4,L-CARL,{when(23, 10)},电话,13812345678,,呼入,120,承诺还款,,客户来电,carl",
        ],
    )
    report = import_activities(path=path, actor=people["mia"])
    assert report.errors == [], [str(e) for e in report.errors]
    assert (report.created, report.unchanged, report.written) == (4, 0, True)
    rows = list(Activity.objects.order_by("occurred_at"))
    first = rows[0]
    assert (first.import_key, first.outcome, first.duration_seconds, first.default_reason) == (
        "C-1",
        "right_party_contact",
        65,
        "lack_of_funds",
    )
    assert first.occurred_at == local(yesterday(), 9) and first.created_by == people["carl"]
    assert (first.number, first.target_kind, first.source) == ("13812345678", "borrower", "import")
    assert rows[1].created_by == people["cora"] and rows[1].connected is False
    assert rows[2].channel == "sms" and rows[2].number == "13812345678"
    assert rows[3].direction == "inbound"  # 23:10, the debtor called: not refused
    audit = AuditEntry.objects.get(event="import.activities")
    assert audit.after["created"] == 4 and sorted(audit.after["activities"]) == [a.pk for a in rows]
    # The same file again adds nothing.
    again = import_activities(path=path, actor=people["mia"])
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert Activity.objects.count() == 4


def test_every_problem_is_a_row_error_and_nothing_is_written(people, case, tmp_path):
    path = write(
        tmp_path,
        [
            f"C-1,L-CARL,{when(9)},电话,,,,,本人接通,,,carl",
            f"C-2,L-NOPE,{when(9)},电话,,,,,本人接通,,,carl",
            "C-3,L-CARL,昨天上午,电话,,,,,本人接通,,,carl",
            f"C-4,L-CARL,{when(10)},电话,,,,,骂人,,,carl",
            f"C-5,L-CARL,{when(10)},电话,,,,,本人接通,,,nobody",
            f"C-6,L-CARL,{when(11)},电话,,张三,,,本人接通,,,carl",
            f"C-7,L-CARL,{when(11)},信函,,,,,忙线,,,carl",
            f"C-8,L-CARL,{when(11)},电话,13311112222,,,,无人接听,,,carl",
            f"C-9,L-CARL,{when(11)},电话,,,,-3,无人接听,,,carl",
            f"C-10,L-CARL,{when(11)},电话,,,,,无人接听,,,aud",
        ],
    )
    report = import_activities(path=path, actor=people["mia"])
    assert [str(e) for e in report.errors] == [
        "row 3, column 贷款编号: no such loan ('L-NOPE')",
        "row 4, column 通话时间: not a date and time (write 2026-11-28 14:30, 2026/11/28 "
        "14:30:05 or 2026-11-28T14:30+08:00) ('昨天上午')",
        "row 5, column 结果: unknown outcome (right_party_contact 本人接通, third_party 第三方接听, "
        "no_answer 无人接听, busy 忙线, wrong_number 错号, number_invalid 空号, promise_to_pay "
        "承诺还款, refusal 拒绝还款, dispute_raised 提出异议, claims_paid 声称已还, hardship 经济困难, "
        "reported_deceased 报告死亡, moved_away 已搬离, other 其他) ('骂人')",
        "row 6, column 坐席: no such user ('nobody')",
        "row 7, column 联系人: no contact or guarantor of this name for loan L-CARL (write the "
        "name as on file, or 本人 for the borrower) ('张三')",
        "row 8, column 结果: outcome busy does not go with channel letter ('busy')",
        "row 9, column 被叫号码: this number is not on file for the borrower, their contacts or "
        "the loan's guarantors: add it as a contact first, so the rules know who it reaches "
        "('13311112222')",
        "row 10, column 通话时长: not a duration (seconds, or m:ss / h:mm:ss) ('-3')",
        "row 11, column 坐席: user aud (auditor) may not record activities ('aud')",
    ]
    assert report.written is False and not Activity.objects.exists()
    assert not AuditEntry.objects.filter(event="import.activities").exists()


def test_skip_invalid_writes_the_good_rows_and_an_error_file(people, case, tmp_path):
    path = write(
        tmp_path,
        [
            f"C-1,L-CARL,{when(9)},电话,,,,,本人接通,,,carl",
            f"C-2,L-NOPE,{when(9)},电话,,,,,本人接通,,,carl",
        ],
    )
    report = import_activities(path=path, skip_invalid=True, actor=people["mia"])
    assert (report.created, len(report.rejected), report.written) == (1, 1, True)
    errors = (tmp_path / "calls.errors.csv").read_text(encoding="utf-8-sig")
    assert "L-NOPE" in errors and "no such loan" in errors
    assert list(Activity.objects.values_list("import_key", flat=True)) == ["C-1"]


def test_compliance_refusals_are_row_errors_naming_the_rule(people, case, tmp_path):
    day = yesterday()
    # Two connected calls already in the book, by someone else on another channel of work.
    for hh in (8, 9):
        activity_log(
            case=case,
            actor=people["mia"],
            channel="call",
            outcome="right_party_contact",
            occurred_at=local(day, hh),
            source="web",
        )
    path = write(
        tmp_path,
        [
            # Listed out of order: the file is judged in time order per borrower.
            f"C-3,L-CARL,{when(11)},电话,,,,,本人接通,,,cora",
            f"C-1,L-CARL,{when(10)},电话,,,,,本人接通,,,carl",
            f"C-2,L-CARL,{when(22, 30)},电话,,,,,无人接听,,,carl",
            f"C-4,L-CARL,{when(21, 59)},短信,,,,,其他,,你这个骗子,carl",
        ],
    )
    report = import_activities(path=path, actor=people["mia"])
    assert [str(e) for e in report.errors] == [
        f"row 2, column 通话时间: refused by rule CN.CONNECTED_CALLS: 3 connected collection "
        "calls today; at most 3 per debtor per day (all users, agencies and automated calls "
        f"together). ('{when(11)}')",
        # 22:30: the 4th call of the day, and past the hours, so two reasons.
        f"row 4, column 通话时间: refused by rule CN.CONNECTED_CALLS: 3 connected collection "
        "calls today; at most 3 per debtor per day (all users, agencies and automated calls "
        f"together). ('{when(22, 30)}')",
        f"row 4, column 通话时间: refused by rule CN.CONTACT_HOURS: Contact only between 08:00 "
        f"and 22:00 in the debtor's local time (it is 22:30 in Asia/Shanghai). ('{when(22, 30)}')",
        "row 5, column 贷款编号: refused by rule CN.CONDUCT_LINT: No insults or abusive "
        "language. “骗子” ('L-CARL')",
    ]
    assert not Activity.objects.filter(source="import").exists()
    # With --skip-invalid, the lawful row goes in.
    report = import_activities(path=path, actor=people["mia"], skip_invalid=True)
    assert list(Activity.objects.filter(source="import").values_list("import_key", flat=True)) == [
        "C-1"
    ]


def test_a_call_id_imported_with_other_values_is_a_conflict(people, case, tmp_path):
    import_activities(
        path=write(tmp_path, [f"C-1,L-CARL,{when(9)},电话,,,,,本人接通,,,carl"]),
        actor=people["mia"],
    )
    report = import_activities(
        path=write(tmp_path, [f"C-1,L-CARL,{when(9)},电话,,,,,忙线,,,carl"], name="again.csv"),
        actor=people["mia"],
    )
    (error,) = report.errors
    assert str(error).startswith("row 2, column 通话编号: call ID was already imported with ")
    assert "right_party_contact" in str(error)


def test_xlsx_and_the_command(people, case, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["call_id", "loan_id", "occurred_at", "outcome", "duration_seconds", "agent"])
    naive = dt.datetime.combine(yesterday(), dt.time(10, 15))
    ws.append(["X-1", "L-CARL", naive, "no_answer", "0:45", "carl"])
    path = tmp_path / "calls.xlsx"
    wb.save(path)
    call_command("import", "activities", str(path), "--dry-run", "--user", "mia")
    assert not Activity.objects.exists()
    call_command("import", "activities", str(path), "--user", "mia")
    a = Activity.objects.get()
    assert a.occurred_at == naive.replace(tzinfo=SHANGHAI) and a.duration_seconds == 45
    bad = write(tmp_path, [f"C-9,L-NOPE,{when(9)},电话,,,,,本人接通,,,carl"])
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "activities", str(bad), "--user", "mia")
