"""Tiny import files written in a test's tmp_path: CSV in any encoding, or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from arrears.core.ids import make_id_number

LOAN_HEADERS = (
    "loan_id",
    "borrower_id",
    "borrower_name",
    "id_number",
    "phone",
    "address",
    "region",
    "product",
    "principal",
    "annual_rate",
    "penalty_rate",
    "disbursed_on",
    "term_months",
    "repayment_method",
    "guarantor_name",
    "guarantor_phone",
)
CHINESE = {
    "loan_id": "贷款编号",
    "borrower_id": "客户编号",
    "borrower_name": "客户姓名",
    "id_number": "身份证号",
    "phone": "手机号",
    "address": "地址",
    "region": "地区",
    "product": "产品",
    "principal": "贷款本金",
    "annual_rate": "年利率",
    "penalty_rate": "罚息年利率",
    "disbursed_on": "放款日期",
    "term_months": "期限",
    "repayment_method": "还款方式",
    "guarantor_name": "担保人",
    "guarantor_phone": "担保人电话",
    "guarantee_type": "保证方式",
    "payment_id": "流水号",
    "paid_on": "还款日期",
    "amount": "金额",
    "channel": "渠道",
    "installment_no": "期数",
    "due_on": "到期日",
    "principal_due": "应还本金",
    "interest_due": "应还利息",
}
PAYMENT_HEADERS = ("payment_id", "loan_id", "paid_on", "amount", "channel")
SCHEDULE_HEADERS = ("loan_id", "installment_no", "due_on", "principal_due", "interest_due")


def loan_row(n: int = 1, **values) -> dict:
    row = {
        "loan_id": f"L{n:04d}",
        "borrower_id": f"B{n:04d}",
        "borrower_name": f"王{n}",
        "id_number": make_id_number("510100", dt.date(1985, 1, 1), n),
        "phone": f"1380000{n:04d}",
        "address": "卧水镇马头冲村3组",
        "region": "四川省/某县/卧水镇/马头冲村",
        "product": "",
        "principal": "12000.00",
        "annual_rate": "12%",
        "penalty_rate": "0.18",
        "disbursed_on": "2026-01-10",
        "term_months": "12",
        "repayment_method": "annuity",
        "guarantor_name": "",
        "guarantor_phone": "",
    }
    row.update(values)
    return row


def write_csv(
    path: Path,
    headers,
    rows: list[dict],
    *,
    encoding: str = "utf-8",
    chinese: bool = False,
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([CHINESE[h] if chinese else h for h in headers])
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, headers, rows: list[dict], *, chinese: bool = False) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([CHINESE[h] if chinese else h for h in headers])
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path
