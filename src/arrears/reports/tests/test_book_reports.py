"""The book reports on a hand-made book whose figures are worked out below, to the fen.

Five bullet loans (one installment: principal + principal × 1% a month, due `term` months
after disbursement), penalty 18% a year on overdue principal over 360 days, no grace, each
borrower with one loan (so the borrower rule moves no class):

- L1 10,000.00, disbursed 2026-01-10, 6 months: due 2026-07-10 (interest 600.00); team A.
  Penalty 5.00 a day. Pays 2,000.00 on 2026-11-30: penalty 143 × 5 = 715.00, interest
  600.00, principal 685.00.
- L2 20,000.00, disbursed 2026-05-15, 3 months: due 2026-08-15 (interest 600.00), town
  乔庄镇; team A. Penalty 10.00 a day. Pays 1,000.00 on 2026-11-10: penalty 87 × 10 =
  870.00, interest 130.00.
- L3 5,000.00, disbursed 2026-09-20, 2 months: due 2026-11-20 (interest 100.00); team B.
  Pays 5,112.50 on 2026-11-25: penalty 5 × 2.50 = 12.50, interest 100.00, principal 5,000.00.
- L4 8,000.00, disbursed 2026-10-05, 6 months: not due; team B.
- L5 3,000.00, disbursed 2026-11-12, 1 month: not due; team B. Booked after October's run.

End of day runs on the month-ends 2026-10-31 and 2026-11-30.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.book.services import payment_post
from arrears.eod.services import eod_run
from arrears.reports.registry import money
from arrears.testing import PASSWORD, make_borrower, make_loan

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def book(people):
    team_a, team_b = people["tom"].team, people["tina"].team
    spec = [
        ("L1", "10000.00", D(2026, 1, 10), 6, "卧水镇", team_a, people["carl"]),
        ("L2", "20000.00", D(2026, 5, 15), 3, "乔庄镇", team_a, people["carl"]),
        ("L3", "5000.00", D(2026, 9, 20), 2, "卧水镇", team_b, None),
        ("L4", "8000.00", D(2026, 10, 5), 6, "卧水镇", team_b, None),
        ("L5", "3000.00", D(2026, 11, 12), 1, "卧水镇", team_b, None),
    ]
    loans = {}

    def make(ext, principal, disbursed, term, town, team, collector):
        loans[ext] = make_loan(
            external_id=ext,
            borrower=make_borrower(external_id=f"B-{ext}", town=town),
            principal=principal,
            disbursed_on=disbursed,
            term_months=term,
            method="bullet",
            team=team,
            collector=collector,
        )

    for row in spec[:4]:
        make(*row)
    eod_run(as_of=D(2026, 10, 31))
    make(*spec[4])  # L5 is booked in November
    for ext, day, fen in (
        ("L2", D(2026, 11, 10), 100_000),
        ("L3", D(2026, 11, 25), 511_250),
        ("L1", D(2026, 11, 30), 200_000),
    ):
        payment_post(
            loan=loans[ext], external_id=f"P-{ext}", paid_on=day, amount_fen=fen, source="import"
        )
    eod_run(as_of=D(2026, 11, 30))
    return loans


def _report(name, *args, user=None):
    out = io.StringIO()
    extra = ["--user", user] if user else []
    call_command("report", name, *args, *extra, stdout=out)
    return json.loads(out.getvalue())


def _bucket(data, code):
    return next(b for b in data["buckets"] if b["bucket"] == code)


def _cls(data, code):
    return next(c for c in data["classes"] if c["class"] == code)


def test_aging_counts_the_snapshot_by_bucket_and_class_beside_the_previous_month_end(book):
    data = _report("aging", "--as-of", "2026-11-30")
    assert data["as_of"] == "2026-11-30"
    # L3 paid off, L4 and L5 not due: M0; L2 107 days late; L1 143 days late.
    assert _bucket(data, "M0") == {
        "bucket": "M0",
        "loans": 3,
        "outstanding_principal": "11000.00",
        "total_due": "0.00",
    }
    # L2: principal 20,000 + interest 600 − 130 + penalty 1,070 − 870.
    assert _bucket(data, "M4") == {
        "bucket": "M4",
        "loans": 1,
        "outstanding_principal": "20000.00",
        "total_due": "20670.00",
    }
    # L1: 10,000 − 685 principal left; interest and penalty paid to the day.
    assert _bucket(data, "M5")["outstanding_principal"] == "9315.00"
    assert _bucket(data, "M5")["total_due"] == "9315.00"
    assert _bucket(data, "M1")["loans"] == 0 and _bucket(data, "M7+")["loans"] == 0
    assert [b["bucket"] for b in data["buckets"]][:3] == ["M0", "M1", "M2"]
    assert _cls(data, "substandard") == {
        "class": "substandard",
        "loans": 2,
        "outstanding_principal": "29315.00",
    }
    assert _cls(data, "normal")["loans"] == 3 and _cls(data, "loss")["loans"] == 0
    assert data["total"] == {
        "loans": 5,
        "outstanding_principal": "40315.00",
        "total_due": "29985.00",
    }
    prev = data["previous_month_end"]
    assert prev["as_of"] == "2026-10-31"
    # L1 113 days (M4, penalty 565), L2 77 days (M3, special mention, penalty 770).
    assert _bucket(prev, "M4")["total_due"] == "11165.00"
    assert _bucket(prev, "M3")["total_due"] == "21370.00"
    assert _cls(prev, "special_mention")["outstanding_principal"] == "20000.00"
    assert prev["total"] == {
        "loans": 4,
        "outstanding_principal": "43000.00",
        "total_due": "32535.00",
    }


def test_aging_reads_the_latest_snapshot_before_a_day_without_one(book):
    data = _report("aging", "--as-of", "2026-12-03")
    assert data["as_of"] == "2026-11-30"
    first = _report("aging", "--as-of", "2026-10-31")
    assert first["previous_month_end"] is None


def test_aging_in_a_team_leads_scope_and_by_region(book, people):
    team = _report("aging", "--as-of", "2026-11-30", user="tom")
    assert team["total"] == {
        "loans": 2,
        "outstanding_principal": "29315.00",
        "total_due": "29985.00",
    }
    town = _report("aging", "--as-of", "2026-11-30", "--region", "四川省/某县/乔庄镇")
    assert town["total"]["loans"] == 1 and _bucket(town, "M4")["loans"] == 1


def test_portfolio_adds_up_the_period(book):
    data = _report(
        "portfolio", "--as-of", "2026-11-30", "--from", "2026-11-01", "--to", "2026-11-30"
    )
    assert data["start_snapshot"] == "2026-10-31" and data["end_snapshot"] == "2026-11-30"
    assert data["disbursed"] == {"loans": 1, "amount": "3000.00"}  # L5
    assert data["balance"] == {
        "loans": 4,  # L3 is paid off
        "outstanding_principal": "40315.00",
        "total_due": "29985.00",
    }
    assert data["received"] == {
        "principal": "5685.00",  # 685 + 5,000
        "interest": "830.00",  # 600 + 130 + 100
        "penalty": "1597.50",  # 715 + 870 + 12.50
        "fees": "0.00",
        "credit": "0.00",
        "total": "8112.50",
    }
    assert data["income"]["total"] == "2427.50"
    # Owed: overdue at 10-31 (L1 10,000 + L2 20,000; interest 600 + 600) + L3 falling due.
    assert data["recovery"] == {
        "principal_owed": "35000.00",
        "principal_recovered": "5685.00",
        "principal_rate": "0.1624",  # 5,685 ÷ 35,000 = 0.16243
        "interest_owed": "1300.00",
        "interest_recovered": "830.00",
        "interest_rate": "0.6385",  # 830 ÷ 1,300 = 0.63846
    }
    assert data["non_performing"] == {
        "loans": 2,
        "outstanding_principal": "29315.00",
        "ratio": "0.7271",  # 29,315 ÷ 40,315 = 0.727148
    }
    assert data["written_off"] == {
        "loans": 0,
        "amount": "0.00",
        "recovered": "0.00",
        "source": "writeoff_register",
    }


def test_portfolio_counts_a_written_off_loan_and_the_money_on_it(book, people):
    """L1 written off on 11-20 through the write-off services (a manager proposes, an
    administrator approves); its 2,000.00 paid on 11-30 is a recovery after write-off."""
    from arrears.writeoff.models import WrittenOffLoan
    from arrears.writeoff.services import writeoff_decide, writeoff_propose

    day = D(2026, 11, 20)
    proposal = writeoff_propose(
        actor=people["mia"], loan_ids=["L1"], reason_code="loss_class", reason="损失类", today=day
    )
    writeoff_decide(proposal, actor=people["alice"], approve=True, today=day)
    written = WrittenOffLoan.objects.get(loan__external_id="L1")
    assert written.written_off_on == day
    assert written.principal_fen == 1_000_000
    data = _report("portfolio", "--from", "2026-11-01", "--to", "2026-11-30")
    assert data["written_off"] == {
        "loans": 1,
        "amount": money(written.total_fen),
        "recovered": "2000.00",
        "source": "writeoff_register",
    }
    # October: nothing written off yet, whatever the loan's status is now.
    october = _report("portfolio", "--from", "2026-10-01", "--to", "2026-10-31")
    assert october["written_off"]["loans"] == 0
    # The team B lead does not see L1 (team A's).
    assert _report("portfolio", "--from", "2026-11-01", user="tina")["written_off"]["loans"] == 0
    npl = _report("npl-summary", "--from", "2026-11-01", "--to", "2026-11-30")
    assert npl["total"]["written_off"] == data["written_off"]["amount"]


def test_npl_summary_follows_the_non_performing_book_of_the_start(book):
    data = _report("npl-summary", "--from", "2026-11-01", "--to", "2026-11-30")
    total = data["total"]
    # Non-performing at 10-31: only L1 (113 days; L2 was 77, special mention).
    assert total["cases_start"] == 1
    assert total["principal_start"] == "10000.00"
    assert total["amount_start"] == "11165.00"  # 10,000 + 600 + 565
    assert (
        total["recovered_principal"],
        total["recovered_interest"],
        total["recovered_penalty"],
        total["recovered_fees"],
        total["recovered_total"],
    ) == ("685.00", "600.00", "715.00", "0.00", "2000.00")
    assert total["principal_recovery_rate"] == "0.0685"
    assert total["amount_recovery_rate"] == "0.1791"  # 2,000 ÷ 11,165 = 0.17913
    assert total["cases_cleared"] == 0 and total["case_recovery_rate"] == "0.0000"
    assert (total["cases_new"], total["principal_new"]) == (1, "20000.00")  # L2
    regions = {r["region"]: r for r in data["by_region"]}
    assert regions["四川省/某县/卧水镇"]["cases_start"] == 1
    assert regions["四川省/某县/乔庄镇"]["cases_new"] == 1
    (carl,) = data["by_collector"]
    assert carl["collector"] == "carl" and carl["recovered_total"] == "2000.00"
    assert [c["channel"] for c in data["by_channel"]] == ["phone"]
    county = _report(
        "npl-summary", "--from", "2026-11-01", "--to", "2026-11-30", "--level", "county"
    )
    assert [r["region"] for r in county["by_region"]] == ["四川省/某县"]


def test_npl_summary_counts_a_cleared_case(book):
    payment_post(
        loan=book["L1"],
        external_id="P-L1-rest",
        paid_on=D(2026, 12, 5),
        amount_fen=931_500 + 2_500,
        source="import",
    )
    eod_run(as_of=D(2026, 12, 31))
    data = _report("npl-summary", "--from", "2026-12-01", "--to", "2026-12-31")
    # At 11-30 L1 and L2 were non-performing; L1 paid everything (9,315 + 5 days × 4.6575
    # penalty, rounded: 23.29 — the 25.00 paid leaves 1.71 as credit) and is at DPD 0.
    total = data["total"]
    assert total["cases_start"] == 2 and total["cases_cleared"] == 1
    assert total["case_recovery_rate"] == "0.5000"
    assert total["recovered_principal"] == "9315.00"


def test_roll_rates_follow_each_loan_from_month_end_to_month_end(book):
    data = _report("roll-rates", "--as-of", "2026-12-01", "--months", "1")
    assert data["months"] == ["2026-10-31", "2026-11-30"]
    (period,) = data["periods"]
    rows = {r["bucket"]: r for r in period["rows"]}
    # L3 and L4 stay current (L5 was not booked yet); L2 M3 → M4; L1 M4 → M5.
    assert rows["M0"]["loans"] == 2 and rows["M0"]["to"]["M0"] == 2
    assert rows["M0"]["roll_rate"] == "0.0000" and rows["M0"]["cure_rate"] is None
    assert rows["M3"]["to"]["M4"] == 1 and rows["M3"]["roll_rate"] == "1.0000"
    assert rows["M3"]["cure_rate"] == "0.0000"
    assert rows["M4"]["to"]["M5"] == 1 and rows["M4"]["principal_roll_rate"] == "1.0000"
    assert rows["M1"]["loans"] == 0 and rows["M1"]["roll_rate"] is None
    assert rows["M7+"]["roll_rate"] is None
    # Before November has ended, only October's month-end exists: nothing to compare.
    assert _report("roll-rates", "--as-of", "2026-11-29")["periods"] == []


def test_every_file_format_through_the_command_line(book, tmp_path):
    from openpyxl import load_workbook

    args = ["--as-of", "2026-11-30"]
    out = io.StringIO()
    call_command("report", "aging", *args, "--format", "csv", stdout=out)
    csv_text = out.getvalue()
    assert "buckets,M4,1,20000.00,20670.00" in csv_text
    for name in ("aging", "portfolio", "npl-summary", "roll-rates"):
        for fmt in ("json", "csv", "xlsx", "pdf"):
            target = tmp_path / f"{name}.{fmt}"
            call_command("report", name, *args, "--format", fmt, "--output", str(target))
            assert target.stat().st_size > 0
    sheets = load_workbook(tmp_path / "aging.xlsx")
    buckets = sheets.worksheets[0]
    m5 = next(r for r in buckets.iter_rows(values_only=True) if r[0] == "M5")
    assert m5[1] == 1 and float(m5[2]) == 9315.0
    assert json.loads((tmp_path / "aging.json").read_text())["total"]["loans"] == 5
    pdf = tmp_path / "npl-summary.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    try:
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        return
    assert "乔庄镇" in text and "10000.00" in text


def test_api_answers_the_contract_in_the_readers_scope(book, people):
    from arrears.api.tests.conftest import ApiClient

    whole = ApiClient(people["mia"]).get("/reports/aging", as_of="2026-11-30")
    assert whole.status_code == 200
    assert set(whole.json()) == {"as_of", "buckets", "classes", "total", "previous_month_end"}
    team = ApiClient(people["tom"]).get(
        "/reports/npl-summary", **{"from": "2026-11-01", "to": "2026-11-30"}
    )
    assert team.json()["total"]["cases_start"] == 1
    tina = ApiClient(people["tina"]).get(
        "/reports/npl-summary", **{"from": "2026-11-01", "to": "2026-11-30"}
    )
    assert tina.json()["total"]["cases_start"] == 0
    bad = ApiClient(people["mia"]).get("/reports/roll-rates", months="0")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "months"
    none = ApiClient(people["mia"]).get("/reports/aging", as_of="2026-01-01")
    assert none.status_code == 422 and none.json()["errors"][0]["field"] == "as_of"
    product = ApiClient(people["mia"]).get("/reports/aging", as_of="2026-11-30", product="NOPE")
    assert product.status_code == 422 and product.json()["errors"][0]["field"] == "product"


def test_pages_show_the_tables_and_their_notes(book, people):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert c.login(username=people["mia"].username, password=PASSWORD)
    page = c.get("/reports/npl-summary/", {"from": "2026-11-01", "to": "2026-11-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "本金催回率" in html and "10,000.00" in html and 'id="table-by_channel"' in html
    roll = c.get("/reports/roll-rates/", {"as_of": "2026-12-01", "months": "1"})
    assert roll.status_code == 200 and 'id="table-matrix-2026-11-30"' in roll.content.decode()
    for name in ("aging", "portfolio"):
        assert c.get(f"/reports/{name}/", {"as_of": "2026-11-30"}).status_code == 200


def test_the_demos_month_ends_show_roll_rates_moving(db):
    from arrears.demo.generator import demo_generate
    from arrears.demo.reports import demo_month_ends
    from arrears.reports.registry import report_run

    as_of = D(2026, 11, 28)
    demo_generate(loans=200, seed=11, as_of=as_of, chunk_size=200, reset=True)
    eod_run(as_of=as_of)
    line = demo_month_ends(as_of=as_of)
    assert "2026-05-31" in line and "2026-10-31" in line
    data = report_run("roll-rates", user=None, raw={"as_of": as_of.isoformat(), "months": "5"})[2]
    assert data["months"][0] == "2026-05-31" and len(data["periods"]) == 5
    moved = [
        (r["bucket"], to)
        for p in data["periods"]
        for r in p["rows"]
        for to, n in r["to"].items()
        if n and to != r["bucket"]
    ]
    assert len(moved) >= 5
    # Running it again adds nothing: the month-ends are there.
    assert demo_month_ends(as_of=as_of) == "month-end snapshots: already there"
