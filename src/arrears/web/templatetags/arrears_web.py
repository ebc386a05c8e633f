"""Display filters for the pages: money in yuan, rates in percent, business dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from arrears.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as '1,234.56' (two decimals, thousands separators)."""
    return format_yuan(fen)


@register.filter
def percent(rate: Decimal | None) -> str:
    """An annual rate fraction as a percentage: 0.18 -> '18.00%'."""
    if rate is None:
        return ""
    return f"{Decimal(rate) * 100:.2f}%"


@register.filter
def day(value: dt.date | None) -> str:
    """A business date as 2026-11-28: the form people type, the same in both languages."""
    return value.isoformat() if value else ""


@register.filter
def who(user) -> str:
    """A user's full name, else username; '—' when nobody is assigned."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def loan_class(code: str | None) -> str:
    """The five-category class (五级分类) name for a code such as 'substandard'."""
    from arrears.eod.labels import class_label

    return class_label(code) if code else "—"


@register.filter
def relation(code: str | None) -> str:
    """A contact's relation in words (家属 Relative), whatever code an entry stored."""
    from arrears.book.models import Relation

    if not code:
        return ""
    return str(dict(Relation.choices).get(code, code))


def _is_zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").lower().startswith("zh")


@register.filter
def rule_note(note) -> str:
    """A rule pack's note ({"rule_id", "zh", "en"} or a RuleOutcome) in the page's language
    only, with the rule id kept for reference: '非催收时段… (CN.CONTACT_HOURS)'."""
    from arrears.compliance.messages import rule_message

    return rule_message(note)


@register.filter
def role_label(code: str | None) -> str:
    """A role's name in words (电催员 Collector) for a stored role code."""
    from arrears.core.roles import Role

    if not code:
        return ""
    return str(dict(Role.choices).get(code, code))


@register.filter
def tel(number: str | None) -> str:
    """A phone number as a tap-to-call address: 'tel:13812345678' (digits and a leading +)."""
    import re

    if not number:
        return ""
    number = str(number).strip()
    plus = "+" if number.startswith("+") else ""
    return f"tel:{plus}{re.sub(r'[^0-9]', '', number)}"
