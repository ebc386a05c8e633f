"""Types shared by every router: money, rates, safe text, pages.

Money leaves the API as a decimal string of yuan with two places ("1234.56") and never as a
JSON number: JSON numbers are read as binary floats by most clients (JavaScript, Python's
json, Excel), and 0.1 + 0.2 is not 0.3 in a float. Amounts sent to the API are a string
("1234.56") or a whole number of yuan (1234); a number with a fraction (1234.56 as a JSON
number) is refused with a 422 asking for a string, because by the time we see it the
client's JSON library may already have changed it.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from typing import Annotated, Any

from django.db import models
from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from arrears.core.money import fen_to_yuan, to_fen

YUAN_PATTERN = r"^-?\d+\.\d{2}$"
# At most 13 digits of yuan: the fen must fit the database's 64-bit integers with room to add.
AMOUNT_PATTERN = r"^\d{1,13}(\.\d{1,2})?$"
_AMOUNT_RE = re.compile(AMOUNT_PATTERN)
MAX_WHOLE_YUAN = 10**13 - 1

Yuan = Annotated[
    str,
    Field(pattern=YUAN_PATTERN, examples=["1234.56"], description="yuan, two decimal places"),
]
Rate = Annotated[
    str,
    Field(
        pattern=r"^\d+\.\d{6}$",
        examples=["0.120000"],
        description="annual rate as a fraction (0.12 = 12%)",
    ),
]


def yuan(fen: int | None) -> str | None:
    """Integer fen as the API's money string: 123456 -> '1234.56'."""
    return None if fen is None else str(fen_to_yuan(fen))


def rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.6f}"


def _amount_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("bad_amount", message)


def _amount(value: Any) -> str:
    if isinstance(value, float):
        raise _amount_error(
            'send the amount as a string of yuan, e.g. "1234.56": a JSON number with a '
            "fraction is a binary float and may not hold the exact amount"
        )
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= MAX_WHOLE_YUAN:
            raise _amount_error("amount is out of range")
        return str(value)
    if not isinstance(value, str):
        raise _amount_error('send the amount as a string of yuan, e.g. "1234.56"')
    text = value.strip()
    if not _AMOUNT_RE.match(text):
        raise _amount_error(
            'amount must be yuan with at most two decimal places and no sign, e.g. "1234.56"'
        )
    return text


# Validated as text, converted to fen by the endpoint with `amount_fen`.
AmountIn = Annotated[
    str,
    PlainValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_PATTERN},
                {"type": "integer", "minimum": 0, "maximum": MAX_WHOLE_YUAN},
            ],
            "examples": ["1234.56"],
            "description": "yuan: a string with at most two decimals, or a whole number",
        }
    ),
]


def amount_fen(value: str) -> int:
    """An AmountIn value as integer fen (exact: the pattern allows at most two decimals)."""
    return to_fen(value)


# Text that reaches a database query: no control characters (PostgreSQL refuses NUL) and
# nothing that cannot be encoded as UTF-8 (lone surrogates).
SAFE_TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _safe_text(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("bad_text", "must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("bad_text", "must be valid Unicode text") from None
    return value


def SafeText(max_length: int, min_length: int = 0) -> Any:
    """Free text of at most `max_length` characters that is safe to put in a query."""
    return Annotated[
        str,
        AfterValidator(_safe_text),
        Field(
            min_length=min_length,
            max_length=max_length,
            json_schema_extra={"pattern": SAFE_TEXT_PATTERN},
        ),
    ]


# An ID in a URL path: one path segment, so no "/" (Django would not route it here).
PATH_ID_PATTERN = r"^[^\x00-\x1f\x7f/]+$"


def PathId(description: str) -> Any:
    """A loan or borrower ID as a path parameter."""
    return Annotated[
        str,
        AfterValidator(_safe_text),
        Field(
            min_length=1,
            max_length=64,
            description=description,
            json_schema_extra={"pattern": PATH_ID_PATTERN},
        ),
    ]


def _blank_is_none(value: Any) -> Any:
    # HTML forms send `?status=` for "any"; treat it like an absent parameter.
    return None if value == "" else value


def Blankable(type_: Any) -> Any:
    """An optional query parameter where an empty value means "not given"."""
    return Annotated[type_ | None, BeforeValidator(_blank_is_none)]


MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def page_of(qs: QuerySet, page: int, page_size: int) -> dict[str, Any]:
    """One page of a queryset as {items, count, page, page_size}."""
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size])
    # A short first page already knows the count; spare the second query.
    count = len(items) if page == 1 and len(items) < page_size else qs.count()
    return {
        "items": items,
        "count": count,
        "page": page,
        "page_size": page_size,
    }


class PageMeta(Schema):
    count: int = Field(description="rows matching the filters, over all pages")
    page: int
    page_size: int


def api_enum(choices: type[models.TextChoices], name: str) -> type[enum.StrEnum]:
    """A model's choices as an enum with a name of its own in the OpenAPI document.

    Pydantic names an enum's schema component after its class, and Loan.Status, Case.Status,
    Plan.Status … are all "Status": with the bare choices one overwrites the others in
    /api/v1/openapi.json and clients validate against the wrong values. Members compare
    equal to the choices' values, so services take them as they are.
    """
    return enum.StrEnum(name, {member.name: member.value for member in choices})
