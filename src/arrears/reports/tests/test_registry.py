"""The report registry, one report through every door: page, API, command line, every format.

A sample report counts the loans the reader may see and sums their principal, so scope is
visible in the figures; its region option and a formula-looking label exercise the writers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.test import Client

from arrears.core.scoping import loans_for
from arrears.reports.registry import (
    REPORTS,
    Chart,
    Column,
    Param,
    Report,
    Table,
    money,
    rate,
    report_register,
)
from arrears.testing import PASSWORD, make_borrower, make_loan


def _build(request):
    from arrears.book.models import Loan

    qs = Loan.objects.all() if request.user is None else loans_for(request.user)
    if request.option("region"):
        qs = qs.filter(borrower__region_path__startswith=request.option("region"))
    found = qs.aggregate(n=Count("pk"), p=Sum("principal_fen"))
    return {
        "as_of": request.as_of.isoformat(),
        "from": request.date_from.isoformat(),
        "to": request.date_to.isoformat(),
        "loans": found["n"],
        "principal": money(found["p"]),
        "label": "=HYPERLINK(1) 卧水镇",
    }


def _tables(data):
    return [
        Table(
            key="totals",
            title="合计 Totals",
            columns=(
                Column("label", "项目"),
                Column("loans", "笔数", "int"),
                Column("principal", "本金", "money"),
            ),
            rows=[data],
            chart=Chart("bar", "label", ("loans",)),
        )
    ]


@pytest.fixture
def sample_report():
    report_register(
        Report(
            name="sample",
            label="样本报表",
            build=_build,
            tables=_tables,
            period=True,
            params=(Param("region", "区域"),),
        )
    )
    yield REPORTS["sample"]
    REPORTS.pop("sample", None)


@pytest.fixture
def loans(people):
    team_a = people["tom"].team
    make_loan(
        external_id="R1",
        borrower=make_borrower(external_id="RB1", name="王一", town="卧水镇"),
        principal_fen=1_000_050,
        collector=people["carl"],
        team=team_a,
    )
    make_loan(
        external_id="R2",
        borrower=make_borrower(external_id="RB2", name="王二", town="乔庄镇"),
        principal_fen=200_000,
        team=people["tina"].team,
    )


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_money_and_rate_are_exact():
    assert money(1_000_050) == "10000.50"
    assert money(None) == "0.00"
    assert rate(1, 3) == "0.3333"
    assert rate(2, 3) == "0.6667"  # half-up
    assert rate(1, 0) is None


@pytest.mark.django_db
def test_api_json_is_the_reports_dict_in_the_readers_scope(sample_report, loans, people):
    from arrears.api.tests.conftest import ApiClient

    whole = ApiClient(people["mia"]).get("/reports/sample", as_of="2026-11-30")
    assert whole.status_code == 200
    body = whole.json()
    assert body["loans"] == 2 and body["principal"] == "12000.50"
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-30"
    team = ApiClient(people["tom"]).get("/reports/sample", as_of="2026-11-30").json()
    assert team["loans"] == 1 and team["principal"] == "10000.50"


@pytest.mark.django_db
def test_api_errors_name_the_field(sample_report, loans, people):
    from arrears.api.tests.conftest import ApiClient

    api = ApiClient(people["mia"])
    bad = api.get("/reports/sample", as_of="2026-02-30")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "as_of"
    swapped = api.get("/reports/sample", **{"from": "2026-12-01", "to": "2026-11-01"})
    assert swapped.status_code == 422 and swapped.json()["errors"][0]["field"] == "from"
    assert api.get("/reports/nope").status_code == 404
    assert api.get("/reports/sample", format="doc").status_code == 422
    assert ApiClient(people["carl"]).get("/reports/sample").status_code == 403
    listed = [r["name"] for r in api.get("/reports").json()]
    assert "sample" in listed
    assert ApiClient(people["carl"]).get("/reports").json() == []


@pytest.mark.django_db
def test_files_neutralise_formulas_and_keep_numbers(sample_report, loans, people):
    from openpyxl import load_workbook

    from arrears.api.tests.conftest import ApiClient

    api = ApiClient(people["mia"])
    csv_text = api.get("/reports/sample", format="csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) 卧水镇" in csv_text and "12000.50" in csv_text
    xlsx = api.get("/reports/sample", format="xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.title == "合计 Totals"
    assert [c.value for c in ws[1]] == ["项目", "笔数", "本金"]
    label, count, principal = (c.value for c in ws[2])
    # A number cell (openpyxl reads it back as a binary float): compared as its decimal text.
    assert label.startswith("'=") and count == 2 and Decimal(str(principal)) == Decimal("12000.5")


@pytest.mark.django_db
def test_pdf_sets_chinese_text_in_the_embedded_font(sample_report, loans, people, tmp_path):
    from arrears.api.tests.conftest import ApiClient

    pdf = ApiClient(people["mia"]).get("/reports/sample", format="pdf").content
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    try:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "样本报表" in text and "卧水镇" in text and "12000.50" in text


@pytest.mark.django_db
def test_command_line_writes_json_to_stdout_and_files_with_output(
    sample_report, loans, people, tmp_path
):
    out = io.StringIO()
    call_command("report", "sample", "--as-of", "2026-11-30", "--region", "", stdout=out)
    assert json.loads(out.getvalue())["loans"] == 2
    out = io.StringIO()
    call_command("report", "sample", "--user", "tom", stdout=out)
    assert json.loads(out.getvalue())["loans"] == 1
    with pytest.raises(CommandError, match="needs --output"):
        call_command("report", "sample", "--format", "xlsx")
    with pytest.raises(CommandError, match="as_of"):
        call_command("report", "sample", "--as-of", "2026-13-01")
    target = tmp_path / "s.pdf"
    call_command("report", "sample", "--format", "pdf", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_page_shows_the_table_and_offers_each_file(sample_report, loans, people):
    c = _client(people["tom"])
    page = c.get("/reports/sample/", {"as_of": "2026-11-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "10,000.50" in html and 'id="download-xlsx"' in html
    assert c.get("/reports/").status_code == 200
    bad = c.get("/reports/sample/", {"as_of": "someday"})
    assert bad.status_code == 400 and 'id="report-error"' in bad.content.decode()
    xlsx = c.get("/reports/sample/", {"as_of": "2026-11-30", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert _client(people["carl"]).get("/reports/sample/").status_code == 403
    assert c.get("/reports/nope/").status_code == 404


@pytest.mark.django_db
def test_background_run_writes_the_file_with_the_job(sample_report, loans, people, settings):
    from arrears.jobs.models import Job

    settings.ARREARS_BROKER_URL = ""
    c = _client(people["mia"])
    with pytest.MonkeyPatch.context() as mp:
        from arrears.jobs import services

        real = services.job_submit
        mp.setattr(services, "job_submit", lambda job, **kw: real(job, background=False))
        answer = c.post("/reports/sample/?as_of=2026-11-30", {"format": "xlsx"})
    assert answer.status_code == 302
    job = Job.objects.get(kind="report")
    assert job.status == "succeeded", job.error
    assert job.result_file.endswith("sample-2026-11-30.xlsx")
    assert job.result["format"] == "xlsx"
    assert isinstance(dt.date.fromisoformat(job.result["as_of"]), dt.date)
