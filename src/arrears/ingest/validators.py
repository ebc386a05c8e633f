"""Reading one cell into a typed value (pure functions), and one row into a record.

A parser returns the value or raises `FieldError` with an error code from ingest.errors;
`parse_row` runs a kind's parsers over a row and collects every problem, not just the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from arrears.book.models import Payment, RepaymentMethod
from arrears.core.dates import DateError, parse_date
from arrears.core.ids import IdNumberError, normalize_id_number, normalize_phone
from arrears.core.money import FEN, MoneyError, parse_rate, to_fen
from arrears.ingest.errors import RowError
from arrears.ingest.readers import Cell, Table, cell_text

MAX_TERM_MONTHS = 360


class FieldError(ValueError):
    """A cell that cannot be read as its field; `code` is a key of errors.MESSAGES."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Control characters (C0 but line feed, DEL, C1) and the invisible bidirectional overrides
# that make text display other than it reads: refused in every cell at the door, so nothing
# stored can break a file format (an XLSX export) or spoof a name on a page.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Full-width digits and punctuation, as a Chinese input method types them.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＋－％", "0123456789,.+-%")


def text(max_len: int) -> Callable[[Cell], str]:
    def parse(value: Cell) -> str:
        out = cell_text(value).strip()
        if len(out) > max_len:
            raise FieldError("too_long", max=max_len)
        return out

    return parse


IDENTIFIER_MAX = 64
# What may not start an identifier: a spreadsheet formula, and what a URL would misread.
_IDENTIFIER_FIRST = tuple("=+-@＝＋－＠")


def identifier(value: Cell) -> str:
    """A loan, borrower or payment ID; numbers from a spreadsheet are read as their digits.

    An ID becomes part of URLs, file names and other systems' keys, so it must be printable
    text of at most 64 characters without a slash, a backslash or a control character, not
    only dots, and not starting with =, +, - or @ (a formula when the file is opened again).
    """
    out = text(IDENTIFIER_MAX)(value)
    if not out.isprintable() or "/" in out or "\\" in out:
        raise FieldError("bad_identifier")
    if out.startswith(_IDENTIFIER_FIRST) or set(out) <= {"."}:
        raise FieldError("bad_identifier")
    return out


# Amounts as a person writes them: digits, thousands separators only in their places, up to
# two decimals, an optional ¥ before or 元 after (RMB/CNY too). Not 1e3, 1_000 or 1,00,0.5.
_AMOUNT = re.compile(
    r"(?P<sign>-)?\s*(?:¥|￥|RMB|CNY)?\s*"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"\s*(?:元|RMB|CNY)?",
    re.IGNORECASE,
)

# Upper bounds of amounts, in yuan, per field (settings ARREARS_IMPORT_MAX_*_YUAN).
AMOUNT_LIMITS = {
    "principal": "ARREARS_IMPORT_MAX_PRINCIPAL_YUAN",
    "payment": "ARREARS_IMPORT_MAX_PAYMENT_YUAN",
    "installment": "ARREARS_IMPORT_MAX_INSTALLMENT_YUAN",
}


def _amount_limit_fen(kind: str) -> int:
    from django.conf import settings

    return int(getattr(settings, AMOUNT_LIMITS[kind])) * 100


def money_fen(value: Cell) -> int:
    """Yuan as integer fen. Text with more than two decimals is refused (probably a typo);
    a spreadsheet number is rounded half-up, because its binary float was never exact."""
    if isinstance(value, bool):
        raise FieldError("not_an_amount")
    if isinstance(value, Decimal | int):
        if isinstance(value, Decimal) and not value.is_finite():
            raise FieldError("not_an_amount")
        if abs(value) >= 10**15:  # far past any bound; to_fen would work, the DB would not
            raise FieldError("amount_too_large", max="1,000,000,000,000")
        return to_fen(value)
    raw = str(value).strip().translate(_FULL_WIDTH)
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise FieldError("not_an_amount")
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    if len(digits) > 24:
        raise FieldError("amount_too_large", max="1,000,000,000,000")
    exact = Decimal(("-" if match["sign"] else "") + digits)
    if exact != exact.quantize(FEN):
        raise FieldError("sub_fen")
    try:
        return to_fen(exact)
    except (MoneyError, ArithmeticError) as exc:
        raise FieldError("not_an_amount") from exc


def _bounded(fen: int, kind: str) -> int:
    limit = _amount_limit_fen(kind)
    if fen > limit:
        raise FieldError("amount_too_large", max=f"{limit // 100:,}")
    return fen


def positive_money(value: Cell, kind: str = "payment") -> int:
    fen = money_fen(value)
    if fen <= 0:
        raise FieldError("amount_not_positive")
    return _bounded(fen, kind)


def nonneg_money(value: Cell, kind: str = "installment") -> int:
    fen = money_fen(value)
    if fen < 0:
        raise FieldError("amount_negative")
    return _bounded(fen, kind)


def principal(value: Cell) -> int:
    return positive_money(value, "principal")


_RATE = re.compile(r"\d{1,6}(?:\.\d{1,10})?\s*%?|\.\d{1,10}\s*%?")


def rate(value: Cell) -> Decimal:
    if isinstance(value, str):
        value = value.strip().translate(_FULL_WIDTH)
        if not _RATE.fullmatch(value):
            raise FieldError("not_a_rate")
    try:
        out = parse_rate(value if isinstance(value, Decimal | int) else str(value))
    except (MoneyError, ArithmeticError) as exc:
        raise FieldError("not_a_rate") from exc
    if out < 0 or out > 1:
        raise FieldError("rate_out_of_range")
    return out


def date_(value: Cell) -> dt.date:
    if isinstance(value, int):  # a number that is not a date, e.g. 42
        value = str(value)
    try:
        return parse_date(value)
    except DateError as exc:
        code = "impossible_date" if "impossible" in str(exc) else "not_a_date"
        raise FieldError(code) from exc


WHOLE_NUMBER_MAX = 1_000_000


def whole_number(value: Cell) -> int:
    """A count written as digits ('12', '12个月', '12期', full-width too), up to a million."""
    if isinstance(value, bool):
        raise FieldError("not_a_whole_number")
    if isinstance(value, int):
        out = value
    else:
        raw = cell_text(value).strip().translate(_FULL_WIDTH)
        raw = re.sub(r"\s*(个月|月|期)$", "", raw)  # '12个月', '12期'
        if not re.fullmatch(r"\d{1,9}", raw):
            raise FieldError("not_a_whole_number")
        out = int(raw)
    if not 0 <= out <= WHOLE_NUMBER_MAX:
        raise FieldError("number_out_of_range", max=f"{WHOLE_NUMBER_MAX:,}")
    return out


def term_months(value: Cell) -> int:
    months = whole_number(value)
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise FieldError("term_out_of_range", max=MAX_TERM_MONTHS)
    return months


_METHODS = {
    "annuity": RepaymentMethod.ANNUITY,
    "等额本息": RepaymentMethod.ANNUITY,
    "equal_principal": RepaymentMethod.EQUAL_PRINCIPAL,
    "等额本金": RepaymentMethod.EQUAL_PRINCIPAL,
    "interest_first": RepaymentMethod.INTEREST_FIRST,
    "先息后本": RepaymentMethod.INTEREST_FIRST,
    "按月付息到期还本": RepaymentMethod.INTEREST_FIRST,
    "bullet": RepaymentMethod.BULLET,
    "到期一次还本付息": RepaymentMethod.BULLET,
    "一次还本付息": RepaymentMethod.BULLET,
    "到期还本付息": RepaymentMethod.BULLET,
}


def repayment_method(value: Cell) -> str:
    key = re.sub(r"[\s\-]+", "_", cell_text(value).strip()).casefold()
    try:
        return str(_METHODS[key])
    except KeyError as exc:
        raise FieldError("unknown_method") from exc


# Guarantee types (Civil Code arts. 686–688): the code, English words or the Chinese name.
_GUARANTEE_TYPES = {
    "joint": "joint",
    "joint_and_several": "joint",
    "joint and several": "joint",
    "连带": "joint",
    "连带保证": "joint",
    "连带责任": "joint",
    "连带责任保证": "joint",
    "general": "general",
    "一般": "general",
    "一般保证": "general",
}


def guarantee_type(value: Cell) -> str | None:
    """joint (连带责任保证) or general (一般保证); blank → None (general, with a warning)."""
    key = cell_text(value).strip().casefold()
    if not key:
        return None
    try:
        return _GUARANTEE_TYPES[key]
    except KeyError as exc:
        raise FieldError("unknown_guarantee_type") from exc


def id_number(value: Cell) -> str:
    try:
        return normalize_id_number(cell_text(value))
    except IdNumberError as exc:
        raise FieldError("bad_id_number", detail=str(exc)) from exc


def phone(value: Cell) -> str:
    raw = cell_text(value).strip()
    try:
        return normalize_phone(raw)
    except ValueError as exc:
        raise FieldError("bad_phone") from exc


def region(value: Cell) -> tuple[str, str, str, str]:
    """'四川省/某县/卧水镇/马头冲村' → (province, county, town, village); fewer parts allowed."""
    parts = [p.strip() for p in re.split(r"[/／\\>]", cell_text(value)) if p.strip()]
    if len(parts) > 4 or any(len(p) > 50 for p in parts):
        raise FieldError("bad_region")
    parts += [""] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


_CHANNELS = {
    "现金": Payment.Channel.CASH,
    "银行转账": Payment.Channel.BANK_TRANSFER,
    "转账": Payment.Channel.BANK_TRANSFER,
    "代扣": Payment.Channel.AUTO_DEBIT,
    "自动扣款": Payment.Channel.AUTO_DEBIT,
    "委外": Payment.Channel.AGENCY,
    "委外机构": Payment.Channel.AGENCY,
    "法院": Payment.Channel.COURT,
    "法院执行": Payment.Channel.COURT,
    "担保人": Payment.Channel.GUARANTOR,
    "担保人代偿": Payment.Channel.GUARANTOR,
    "其他": Payment.Channel.OTHER,
}


def channel(value: Cell) -> str:
    key = cell_text(value).strip()
    if key.casefold() in Payment.Channel.values:
        return key.casefold()
    try:
        return str(_CHANNELS[key])
    except KeyError as exc:
        raise FieldError("unknown_channel") from exc


# Results of an auto-debit attempt: True for success, False for failure.
_RESULTS = {
    "success": True,
    "succeeded": True,
    "successful": True,
    "ok": True,
    "成功": True,
    "扣款成功": True,
    "代扣成功": True,
    "failed": False,
    "failure": False,
    "fail": False,
    "失败": False,
    "扣款失败": False,
    "代扣失败": False,
}


def deduction_result(value: Cell) -> bool:
    """成功 / success → True, 失败 / failed → False."""
    key = cell_text(value).strip().casefold()
    try:
        return _RESULTS[key]
    except KeyError as exc:
        raise FieldError("unknown_deduction_result") from exc


# Field name → parser, per kind. A field missing from the spec is read as stripped text.
PARSERS: dict[str, dict[str, Callable[[Cell], object]]] = {
    "loans": {
        "loan_id": identifier,
        "borrower_id": identifier,
        "borrower_name": text(200),
        "id_number": id_number,
        "phone": phone,
        "address": text(300),
        "region": region,
        "product": text(30),
        "principal": principal,
        "annual_rate": rate,
        "penalty_rate": rate,
        "disbursed_on": date_,
        "term_months": term_months,
        "repayment_method": repayment_method,
        "guarantor_name": text(200),
        "guarantor_phone": phone,
        "guarantee_type": guarantee_type,
    },
    "schedule": {
        "loan_id": identifier,
        "installment_no": whole_number,
        "due_on": date_,
        "principal_due": nonneg_money,
        "interest_due": nonneg_money,
    },
    "payments": {
        "payment_id": identifier,
        "loan_id": identifier,
        "paid_on": date_,
        "amount": positive_money,
        "channel": channel,
    },
    "deductions": {
        "deduction_id": identifier,
        "loan_id": identifier,
        "attempted_on": date_,
        "amount": positive_money,
        "result": deduction_result,
        "failure_reason": text(100),
    },
}


def parse_row(
    table: Table, row_no: int, cells: Sequence[Cell], errors: list[RowError]
) -> tuple[dict[str, object], bool]:
    """Read a row into {field: value} and whether every cell was right.

    Blank and wrong cells are None, so checks across cells can still run on the rest.
    """
    from arrears.ingest.readers import FIELDS

    out: dict[str, object] = {}
    ok = True
    for f in FIELDS[table.kind]:
        index = table.columns.get(f.name)
        if index is None:
            out[f.name] = None
            if f.required:
                ok = False  # reported once, on the header row
            continue
        value = cells[index] if index < len(cells) else ""
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            out[f.name] = None
            errors.append(
                RowError(
                    row_no,
                    table.headers[index],
                    "control_characters",
                    CONTROL_CHARACTERS.sub("\ufffd", value)[:100],
                )
            )
            ok = False
            continue
        if _is_blank(value):
            out[f.name] = None
            if f.required:
                errors.append(RowError(row_no, table.headers[index], "required"))
                ok = False
            continue
        try:
            out[f.name] = PARSERS[table.kind][f.name](value)
        except FieldError as exc:
            out[f.name] = None
            errors.append(
                RowError(row_no, table.headers[index], exc.code, cell_text(value), exc.params)
            )
            ok = False
    return out, ok
