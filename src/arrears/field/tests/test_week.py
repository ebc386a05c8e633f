"""A week in 卧水镇 (the seed's section 3): the visit sheet imports, and the trip report for the
town and the week says what the team reported — from the records, to the fen."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command

from arrears.book.models import Loan, Payment
from arrears.book.selectors import loan_totals
from arrears.field.imports import import_visits
from arrears.field.models import Visit
from arrears.field.services import region_update, regions_rebuild
from arrears.field.tests.conftest import TOWN, town_loan
from arrears.field.trip_report import trip_report

D = dt.date
JAN10 = D(2026, 1, 10)
MON, FRI = D(2026, 11, 23), D(2026, 11, 27)
VILLAGES = ("姚龙村", "六联村", "大竹湾村", "马头冲村", "黄家冲村", "卧水村")
HEADER = (
    "visit_id,loan_id,visited_on,visited_at,collector,participants,recording_ref,outcome,"
    "notice_served,notice_signed,cash_principal,cash_interest,cash_penalty,receipt_no,"
    "intention_amount,intention_date,whereabouts,needs_officials,note"
).split(",")
INTENTIONS = {  # the four households that agreed to repay, and their loans' principal
    "房六桂": "1000.00",
    "方胜二企": "1200.00",
    "房麦二企": "1100.00",
    "沈双郎": "1300.00",
}


@pytest.fixture
def week(people, issue):
    """19 borrowers in the town's six villages and the team's sheet of their visits."""
    rows = []
    n = 0

    def add(
        name,
        outcome,
        *,
        principal="10000.00",
        disbursed=JAN10,
        notice=None,
        signed="",
        cash=("", "", ""),
        receipt="",
        intention=("", ""),
        whereabouts="",
        officials="否",
        note="",
    ):
        nonlocal n
        n += 1
        loan = town_loan(
            people,
            f"L-WS{n:02d}",
            name,
            VILLAGES[n % 6],
            principal=principal,
            disbursed_on=disbursed,
        )
        served = issue(loan).number if notice else ""
        day = MON + dt.timedelta(days=n % 5)
        rows.append(
            [
                f"V-{n:02d}",
                loan.external_id,
                day.isoformat(),
                f"{9 + n % 8}:15",
                "fay",
                "tom",
                f"REC-{n:02d}",
                outcome,
                served,
                signed,
                *cash,
                receipt,
                *intention,
                whereabouts,
                officials,
                note,
            ]
        )
        return loan

    for name, principal in INTENTIONS.items():
        add(
            name,
            "见到本人",
            principal=principal,
            notice=True,
            signed="是",
            intention=("500.00", "2026-12-20"),
        )
    for i in range(9):
        add(f"签收户{i}", "met_borrower", notice=True, signed="1")
    add("方伟利", "见到本人", cash=("300.00", "200.00", ""), receipt="SJ-001")
    add("方俊海", "见到家属", cash=("300.00", "300.00", ""), receipt="SJ-002")
    add("外出户", "已外出", whereabouts="在广州打工")
    add("二神", "不在家", disbursed=D(2022, 1, 10))
    add("潘耀娇儿", "不在家", disbursed=D(2022, 1, 10))
    add("黄二组", "见到家属", officials="是", note="村委会借款两笔，需村干部协助")
    return rows


def write(tmp_path, rows, name="sheet.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_the_weeks_sheet_imports_and_the_report_matches_it(people, week, tmp_path):
    from arrears.eod.selectors import loan_limitation

    signed = Loan.objects.get(external_id="L-WS05")  # signed on Monday 2026-11-23
    assert loan_limitation(signed, as_of=FRI).deadline == D(2029, 7, 10)
    path = write(tmp_path, week)
    report = import_visits(path=path, actor=people["fay"])
    assert report.errors == []
    assert report.created == 19
    # The notice served in person on the visit restarted the three years that day.
    assert loan_limitation(signed, as_of=FRI).deadline == D(2029, 11, 23)
    regions_rebuild()
    from arrears.field.models import Region

    region_update(
        region=Region.objects.get(path=f"{TOWN}/马头冲村"), population=1300, actor=people["mia"]
    )

    got = trip_report(user=people["mia"], region=TOWN, date_from=MON, date_to=FRI)

    assert got["region"] == TOWN and (got["from"], got["to"]) == ("2026-11-23", "2026-11-27")
    assert [v["name"] for v in got["villages"]] == sorted(VILLAGES, key=lambda v: f"{TOWN}/{v}")
    assert sum(v["borrowers"] for v in got["villages"]) == 19
    assert {v["name"]: v["population"] for v in got["villages"]}["马头冲村"] == 1300
    assert {v["name"]: v["population"] for v in got["villages"]}["卧水村"] is None
    assert got["borrowers"] == 19
    assert got["visited"] == 19
    assert got["notices_signed"] == 13
    assert got["cash_households"] == 2
    assert (got["cash_principal"], got["cash_interest"], got["cash_penalty"]) == (
        "600.00",
        "500.00",
        "0.00",
    )
    assert got["intention_households"] == 4
    assert got["intention_principal"] == "4600.00"
    assert got["unsigned"] == {
        "time_barred": 2,
        "moved_away": 1,
        "refused": 0,
        "not_found": 0,
        "other": 1,
    }
    assert got["needs_officials"] == [
        {
            "loan_id": "L-WS19",
            "borrower": "黄二组",
            "village": VILLAGES[19 % 6],
            "note": "村委会借款两笔，需村干部协助",
        }
    ]
    assert got["next_plan"] == []

    # The cash is in the loans' balances, as the receipts split it.
    paid = loan_totals(Loan.objects.filter(external_id__in=["L-WS14", "L-WS15"]), as_of=FRI)
    assert {(x.external_id, x.paid_principal, x.paid_interest, x.paid_penalty) for x in paid} == {
        ("L-WS14", 30_000, 20_000, 0),
        ("L-WS15", 30_000, 30_000, 0),
    }


def test_the_same_sheet_twice_adds_nothing(people, week, tmp_path):
    path = write(tmp_path, week)
    import_visits(path=path, actor=people["fay"])
    again = import_visits(path=path, actor=people["fay"])
    assert (again.created, again.unchanged, again.errors) == (0, 19, [])
    assert Visit.objects.count() == 19
    assert Payment.objects.count() == 2


def test_a_bad_row_writes_nothing_and_names_row_column_and_reason(people, week, tmp_path):
    week[3][7] = "跑了"  # outcome
    week[14][11] = "700.00"  # cash_interest: 600.00 is due
    path = write(tmp_path, week)
    report = import_visits(path=path, actor=people["fay"])
    messages = [str(e) for e in report.errors]
    assert any("row 5" in m and "outcome" in m and "unknown outcome" in m for m in messages)
    assert any(
        "row 16" in m and "cash_interest" in m and "more than the interest due" in m
        for m in messages
    ), messages
    assert Visit.objects.count() == 0 and Payment.objects.count() == 0


def test_a_one_person_visit_in_the_sheet_is_a_row_error(people, week, tmp_path):
    week[0][5] = ""  # participants: fay alone
    path = write(tmp_path, week)
    report = import_visits(path=path, actor=people["fay"])
    assert len(report.errors) == 1
    assert "row 2" in str(report.errors[0]) and "participants" in str(report.errors[0])
    assert Visit.objects.count() == 0


def test_the_command_imports_the_sheet(people, week, tmp_path, capsys):
    path = write(tmp_path, week)
    call_command("import", "visits", str(path), "--user", "fay", "--no-progress")
    assert Visit.objects.count() == 19


def test_the_report_is_in_the_registry_command_api_and_csv(people, week, tmp_path, capsys):
    import json

    from arrears.api.tests.conftest import ApiClient

    import_visits(path=write(tmp_path, week), actor=people["fay"])
    call_command("report", "trip", "--region", TOWN, "--from", "2026-11-23", "--to", "2026-11-27")
    printed = json.loads(capsys.readouterr().out)
    assert (printed["visited"], printed["cash_principal"], printed["notices_signed"]) == (
        19,
        "600.00",
        13,
    )
    api = ApiClient(people["tom"])
    r = api.get("/reports/trip", region=TOWN, **{"from": "2026-11-23", "to": "2026-11-27"})
    assert r.status_code == 200, r.content
    assert r.json()["unsigned"]["time_barred"] == 2
    assert r.json()["intention_principal"] == "4600.00"
    out = tmp_path / "trip.csv"
    call_command(
        "report",
        "trip",
        "--region",
        TOWN,
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-27",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    rows = dict(line.split(",", 1) for line in out.read_text("utf-8-sig").splitlines()[1:])
    assert rows["borrowers"] == "19"
    assert rows["cash_interest"] == "500.00"
    assert rows["unsigned.moved_away"] == "1"
    pdf = tmp_path / "trip.pdf"
    call_command(
        "report",
        "trip",
        "--region",
        TOWN,
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-27",
        "--format",
        "pdf",
        "--output",
        str(pdf),
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_an_xlsx_sheet_with_chinese_headers_imports(people, tmp_path):
    from arrears.core.spreadsheets import write_xlsx

    town_loan(people, "L-X1", "方石头")
    path = tmp_path / "外访记录.xlsx"
    write_xlsx(
        [
            "外访编号",
            "贷款编号",
            "外访日期",
            "外访时间",
            "外访员",
            "外访人员",
            "录音编号",
            "外访结果",
            "收回本金",
            "收回利息",
            "收据号",
            "需村干部协助",
        ],
        [
            [
                "X-1",
                "L-X1",
                D(2026, 11, 24),
                "10:30",
                "fay",
                "tom",
                "REC-X",
                "见到本人",
                "150.00",
                "50.00",
                "SJ-X1",
                "否",
            ]
        ],
        path,
    )
    report = import_visits(path=path, actor=people["fay"])
    assert report.errors == [] and report.created == 1
    visit = Visit.objects.get(visit_id="X-1")
    assert (visit.cash_principal_fen, visit.cash_interest_fen, visit.payment.amount_fen) == (
        15_000,
        5_000,
        20_000,
    )
