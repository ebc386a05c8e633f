"""PRC resident identity numbers (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check digit."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """An identity number that is malformed or fails its check digit."""


def id_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    """Upper-case, strip spaces, and validate shape, birth date and check digit."""
    text = re.sub(r"\s", "", str(value)).upper()
    if not _SHAPE.match(text):
        raise IdNumberError("must be 18 characters: 17 digits and a digit or X")
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise IdNumberError("birth date inside the number is impossible") from exc
    if id_check_digit(text[:17]) != text[17]:
        raise IdNumberError("check digit does not match")
    return text


def make_id_number(area: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (for synthetic demo data): 6-digit area, birth date, 3-digit sequence."""
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_digit(first17)


def mask_id_number(value: str) -> str:
    """5101**********1234."""
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


def normalize_phone(value: str) -> str:
    """A mainland mobile (13800138000) or landline (028-12345678); +86 is dropped."""
    text = re.sub(r"[\s()]", "", str(value))
    if not _PHONE.match(text):
        raise ValueError("not a mainland mobile or landline number")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text
