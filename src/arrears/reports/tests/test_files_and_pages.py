"""The reports of issue 17 part two through every door: the page (with its chart, drawn on
the server, no script), CSV, XLSX, PDF and JSON, in the reader's scope."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from arrears.testing import PASSWORD

NOV = {"as_of": "2026-11-30", "from": "2026-11-01", "to": "2026-11-30"}
NAMES = ("collections", "promises", "performance", "limitation", "credit-hold")


def _client(user, lang="zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.mark.django_db
def test_collections_page_draws_its_chart_beside_the_table(book, people):
    c = _client(people["tom"])
    html = c.get("/reports/collections/", NOV).content.decode()
    assert 'id="chart-by_channel"' in html and "<svg" in html
    assert "<script" not in html.split('id="chart-by_channel"')[1].split("</figure>")[0]
    assert "1,300.00" in html
    # zh labels on the zh page (the channel names and the column heads).
    assert "外访" in html and "本金" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_every_format(book, people, name):
    from openpyxl import load_workbook

    c = _client(people["mia"])
    page = c.get(f"/reports/{name}/", NOV)
    assert page.status_code == 200
    data = json.loads(c.get(f"/reports/{name}/", NOV | {"format": "json"}).content)
    assert isinstance(data, dict)
    csv_text = c.get(f"/reports/{name}/", NOV | {"format": "csv"}).content.decode("utf-8-sig")
    assert csv_text.startswith("table,")
    xlsx = c.get(f"/reports/{name}/", NOV | {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames
    pdf = c.get(f"/reports/{name}/", NOV | {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_collections_xlsx_holds_the_figures(book, people):
    from openpyxl import load_workbook

    c = _client(people["mia"], lang="en")
    xlsx = c.get("/reports/collections/", NOV | {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb["By channel"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert float(rows["Visit"][-1]) == 1000.0 and float(rows["Agency"][-1]) == 700.0
    assert float(rows["Paid with no contact"][-1]) == 300.0
