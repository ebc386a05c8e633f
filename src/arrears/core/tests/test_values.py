"""Money, dates and identity numbers as users write them."""

import datetime as dt
from decimal import Decimal

import pytest

from arrears.core.dates import DateError, add_months, add_years, parse_date
from arrears.core.ids import (
    IdNumberError,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from arrears.core.money import MoneyError, div_half_up, format_yuan, parse_rate, to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.56", 123456),
        ("1,234.56", 123456),
        ("¥1,234.5", 123450),
        ("1234.565", 123457),  # half-up, not banker's
        ("1234.575", 123458),
        ("0.005", 1),
        ("200000元", 20_000_000),
        (Decimal("10.125"), 1013),
        (7, 700),
    ],
)
def test_amounts_are_read_to_the_fen_half_up(text, fen):
    assert to_fen(text) == fen


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "NaN", "Infinity", 1.5])
def test_bad_amounts_are_refused(bad):
    with pytest.raises(MoneyError):
        to_fen(bad)


def test_integer_division_rounds_half_up():
    assert div_half_up(5, 2) == 3
    assert div_half_up(7, 2) == 4
    assert div_half_up(4, 3) == 1
    assert div_half_up(-5, 2) == -3
    assert format_yuan(123456789) == "1,234,567.89"


@pytest.mark.parametrize(
    ("text", "rate"),
    [("0.12", "0.12"), ("12%", "0.12"), ("12 %", "0.12"), ("15.4%", "0.154"), ("0.0345", "0.0345")],
)
def test_rates_are_read_as_fractions_or_percentages(text, rate):
    assert parse_rate(text) == Decimal(rate)


@pytest.mark.parametrize(
    "text", ["2026-11-28", "2026/11/28", "2026年11月28日", "2026.11.28", "20261128", "2026-11-28 "]
)
def test_dates_in_the_forms_lenders_write(text):
    assert parse_date(text) == dt.date(2026, 11, 28)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "28/11/2026", "yesterday", ""])
def test_impossible_or_unreadable_dates_are_refused(text):
    with pytest.raises(DateError):
        parse_date(text)


def test_month_and_year_arithmetic_clamps_to_real_days():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 2, 31) == dt.date(2026, 3, 31)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


def test_id_numbers_are_checked_and_masked():
    good = make_id_number("510104", dt.date(1980, 5, 17), 123)
    assert normalize_id_number(good.lower()) == good
    assert mask_id_number(good) == good[:4] + "*" * 10 + good[-4:]
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdNumberError, match="check digit"):
        normalize_id_number(wrong_check)
    with pytest.raises(IdNumberError, match="birth date"):
        normalize_id_number("510104198002300011")
    with pytest.raises(IdNumberError, match="18 characters"):
        normalize_id_number("51010419800")


def test_known_valid_id_number_with_x_check_digit():
    # GB 11643 worked example: 11010519491231002X.
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_phones_are_normalised_and_masked():
    assert normalize_phone("+86 138 0013 8000") == "13800138000"
    assert normalize_phone("028-12345678") == "028-12345678"
    assert mask_phone("13800138000") == "138****8000"
    with pytest.raises(ValueError):
        normalize_phone("12345")
