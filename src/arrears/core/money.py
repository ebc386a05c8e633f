"""Money is exact: integer fen in the database and in batch frames, Decimal yuan at the edges.

Every rounding is half-up to the fen (四舍五入), never banker's rounding, never float.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
_MONEY_CLEAN = re.compile(r"[,\s¥￥元]|RMB|CNY", re.IGNORECASE)


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def quantize_yuan(value: Decimal) -> Decimal:
    """Round a Decimal amount of yuan half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(value: Decimal | int | str) -> int:
    """Read yuan (Decimal, int or text such as '1,234.56元') as integer fen, half-up.

    Floats are refused: a float has already lost the exact amount.
    """
    if isinstance(value, float):
        raise MoneyError("money must not be given as float")
    if isinstance(value, bool):
        raise MoneyError("not an amount")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, Decimal):
        amount = value
    else:
        text = _MONEY_CLEAN.sub("", str(value))
        if not text:
            raise MoneyError("empty amount")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as Decimal yuan with two places."""
    return (Decimal(int(fen)) / 100).quantize(FEN)


def format_yuan(fen: int | None) -> str:
    """'1,234.56' for display; '' for None."""
    if fen is None:
        return ""
    return f"{fen_to_yuan(fen):,.2f}"


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up (away from zero at exactly .5), exact for any size."""
    if denominator <= 0:
        raise ZeroDivisionError("denominator must be positive")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((2 * -numerator + denominator) // (2 * denominator))


def decimal_fen(value: Decimal) -> int:
    """A Decimal amount of fen (possibly fractional) rounded half-up to whole fen."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_RATE_CLEAN = re.compile(r"\s")


def parse_rate(value: Decimal | str | int) -> Decimal:
    """Read an annual rate written '0.12', '12%' or '12 %' as a Decimal fraction (0.12)."""
    if isinstance(value, float):
        raise MoneyError("rates must not be given as float")
    text = _RATE_CLEAN.sub("", str(value))
    if not text:
        raise MoneyError("empty rate")
    percent = text.endswith("%") or text.endswith("％")
    if percent:
        text = text[:-1]
    try:
        rate = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"not a rate: {value!r}") from exc
    if not rate.is_finite():
        raise MoneyError(f"not a rate: {value!r}")
    if percent:
        rate = rate / 100
    return rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def rate_ppm(rate: Decimal) -> int:
    """An annual rate as integer parts per million (0.18 -> 180000), for integer batch maths."""
    return int((rate * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
