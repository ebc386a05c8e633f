"""Every message an import can show, by code, and the row error a user reads.

A row error prints as `row N, column C: reason (value)`: N is the row number a spreadsheet
shows (the header is row 1), C the column header as written in the file. docs/imports.md
lists these messages; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, str] = {
    # the file as a whole
    "file_missing": "file not found: {path}",
    "file_format": "unsupported file type {suffix!r}: use .csv or .xlsx",
    "file_encoding": "the file is neither UTF-8 nor GBK text",
    "file_unreadable": "cannot read the spreadsheet: {detail}",
    "file_empty": "the file has no header row",
    "file_mixed_encoding": (
        "the file mixes encodings: line {line} is not UTF-8 while other lines are; "
        "save the whole file again as UTF-8"
    ),
    "file_too_large": "the file is {size}, more than the {max} an import may be",
    "xlsx_too_large": (
        "the workbook expands to {size} when opened, more than the {max} an import may be"
    ),
    "too_many_rows": "the file has {rows:,} rows or more, more than the {max:,} an import may have",
    "line_too_long": "line {line} is longer than {max:,} characters",
    "file_unreadable_csv": "cannot read line {line} of the file: {detail}",
    # the header row
    "missing_column": "required column is missing (name it {names})",
    "duplicate_column": "column {field} appears more than once (also {other})",
    # one value
    "required": "a value is required",
    "too_long": "longer than {max} characters",
    "not_a_date": "not a date (write 2026-11-28, 2026/11/28 or 2026年11月28日)",
    "impossible_date": "impossible date",
    "date_in_future": "date is in the future",
    "not_an_amount": "not an amount of money",
    "amount_too_large": "amount is more than the {max} yuan an import accepts here",
    "number_out_of_range": "number must be between 0 and {max}",
    "bad_identifier": (
        "not a usable ID: at most 64 printable characters, no slash, backslash or control "
        "character, not only dots, and not starting with =, +, - or @"
    ),
    "control_characters": (
        "contains control characters (invisible characters such as NUL or tab, or "
        "text-direction overrides); remove them"
    ),
    "sub_fen": "more than two decimal places",
    "amount_not_positive": "amount must be greater than zero",
    "amount_negative": "amount must not be negative",
    "not_a_rate": "not a rate",
    "rate_out_of_range": "rate must be between 0 and 100% (write 0.12 or 12%)",
    "not_a_whole_number": "not a whole number",
    "term_out_of_range": "term must be 1 to {max} months",
    "unknown_method": (
        "unknown repayment method (annuity 等额本息, equal_principal 等额本金, "
        "interest_first 先息后本, bullet 到期一次还本付息)"
    ),
    "unknown_product": "unknown product code",
    # interest caps (compliance.caps, docs/compliance.md)
    "rate_over_cap": "{detail}, for a contract dated {date}",
    "default_penalty_over_cap": (
        "blank means the default penalty rate, and {detail}, for a contract dated {date}: "
        "give a lawful penalty rate"
    ),
    "rate_cap_unknown": "the interest cap on this date is not known: {detail}",
    "bad_id_number": "not a valid ID number: {detail}",
    "bad_phone": "not a mainland mobile or landline number",
    "bad_region": "region must be a path 省/县/镇/村 of at most four parts, each up to 50 characters",
    "guarantor_phone_without_name": "guarantor phone given without a guarantor name",
    "unknown_guarantee_type": (
        "unknown guarantee type (joint 连带责任保证, general 一般保证; blank means general)"
    ),
    "guarantee_type_without_guarantor": "guarantee type given without a guarantor name",
    "unknown_channel": (
        "unknown channel (cash 现金, bank_transfer 银行转账, auto_debit 代扣, agency 委外, "
        "court 法院, guarantor 担保人, other 其他)"
    ),
    # across rows and against the book
    "duplicate_loan": "loan ID appears more than once in this file (first on row {first})",
    "loan_term_changed": (
        "loan {loan} already exists with {term} {old}; an import cannot change the terms "
        "of an existing loan"
    ),
    "loan_other_borrower": "loan {loan} already belongs to borrower {borrower}",
    "id_number_changed": "borrower {borrower} already has a different ID number",
    "id_number_conflict": "borrower {borrower} has a different ID number on row {first}",
    "unknown_loan": "no such loan",
    "paid_before_disbursement": "payment date is before loan {loan} was disbursed ({disbursed})",
    "duplicate_payment": (
        "payment ID appears more than once in this file with a different loan, date or "
        "amount (first on row {first})"
    ),
    "payment_conflict": (
        "payment ID was already imported with a different loan, date or amount "
        "({loan}, {paid_on}, {amount})"
    ),
    "duplicate_installment": (
        "installment {number} of loan {loan} appears more than once (first on row {first})"
    ),
    "installments_not_consecutive": "installments of loan {loan} must be numbered 1 to {count}",
    "due_dates_not_increasing": "due dates of loan {loan} must increase with the installment number",
    "due_before_disbursement": "due date is not after loan {loan} was disbursed ({disbursed})",
    "principal_sum_mismatch": (
        "principal of loan {loan} sums to {total}, not the loan principal {principal}"
    ),
    "loan_has_payments": "loan {loan} already has payments; its schedule cannot be replaced",
    "loan_rows_rejected": "rejected with the other rows of loan {loan} (see row {row})",
    # auto-debit attempts (ingest.deductions)
    "unknown_deduction_result": "unknown result (success 成功, failed 失败)",
    "duplicate_deduction": (
        "deduction ID appears more than once in this file with a different loan, date, "
        "amount or result (first on row {first})"
    ),
    "deduction_conflict": (
        "deduction ID was already imported as a failed attempt on loan {loan} on "
        "{attempted_on}, and its fee charged"
    ),
    "deduction_before_disbursement": (
        "deduction date is before loan {loan} was disbursed ({disbursed})"
    ),
}


def message(code: str, **params) -> str:
    """The plain reason for an error code, filled in."""
    return MESSAGES[code].format(**params)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; no row was looked at."""

    def __init__(self, code: str, **params) -> None:
        self.code = code
        self.params = params
        super().__init__(message(code, **params))


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell (or, for cross-row checks, the cell that names it)."""

    row: int
    column: str
    code: str
    value: str = ""
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return message(self.code, **self.params)

    @property
    def cell_reason(self) -> str:
        """`column C: reason (value)`, the line without its row (for the error file)."""
        # The value is shown as Python shows a string, so blanks and spaces are visible.
        tail = f" ({self.value!r})" if self.value != "" else ""
        return f"column {self.column}: {self.reason}{tail}"

    def __str__(self) -> str:
        return f"row {self.row}, {self.cell_reason}"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.reason,
            "value": self.value,
        }
