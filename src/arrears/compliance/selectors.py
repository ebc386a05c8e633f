"""Reads: the current version of a pack, the pack a product follows, the LPR in force.

Rule packs and the LPR table are configuration, not personal data: they are read by every
role, so these selectors take no requesting user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from arrears.compliance.models import LprRate, ProductRulePack, RuleOverride, RulePack


def default_pack_code() -> str:
    """The pack products follow unless a ProductRulePack says otherwise."""
    return getattr(settings, "ARREARS_DEFAULT_RULEPACK", "cn_default")


def pack_current(code: str) -> RulePack | None:
    """The highest version of the pack `code`, or None if there is no such pack."""
    return RulePack.objects.filter(code=code).order_by("-version").first()


def packs_current() -> list[RulePack]:
    """The current version of every pack, by code."""
    latest: dict[str, RulePack] = {}
    for pack in RulePack.objects.order_by("code", "-version"):
        latest.setdefault(pack.code, pack)
    return list(latest.values())


def pack_for_product(product) -> RulePack:
    """The current version of the pack a product follows (the default pack when none is set)."""
    choice = ProductRulePack.objects.filter(product=product).values_list("pack_code", flat=True)
    code = choice.first() or default_pack_code()
    pack = pack_current(code)
    if pack is None:
        raise LookupError(f"rule pack {code!r} does not exist")
    return pack


def pack_export(pack: RulePack) -> dict:
    """A pack version as the JSON-ready dict `arrears rulepack export` writes."""
    return {
        "code": pack.code,
        "version": pack.version,
        "name": pack.name,
        "is_active": pack.is_active,
        "rules": [
            {
                "rule_id": r.rule_id,
                "kind": r.kind,
                "mode": r.mode,
                "parameters": r.parameters,
                "overridable": r.overridable,
                "override_roles": list(r.override_roles),
                "description_zh": r.description_zh,
                "description_en": r.description_en,
                "source": r.source,
            }
            for r in pack.rules.order_by("rule_id")
        ],
    }


def overridden_rules(object_ref: str) -> set[str]:
    """Rule ids with a recorded override on an object, for `check_action(overridden=…)`."""
    return set(RuleOverride.objects.filter(object_ref=object_ref).values_list("rule_id", flat=True))


@dataclass(frozen=True)
class LprInForce:
    """The one-year LPR in force on a date and the announcement it comes from.

    `carried_forward` is true when the date falls after the last month in the table (or the
    row itself was carried forward): the value may be stale and an admin should add the
    published one.
    """

    one_year_rate: Decimal
    five_year_rate: Decimal
    month: dt.date
    published_on: dt.date
    carried_forward: bool


def lpr_in_force(on: dt.date) -> LprInForce | None:
    """The latest announcement published on or before `on`; None before the first one."""
    row = LprRate.objects.filter(published_on__lte=on).order_by("-published_on").first()
    if row is None:
        return None
    # The next announcement after `row` should have come about a month later; without it the
    # value is carried forward.
    next_expected = (row.month.replace(day=28) + dt.timedelta(days=4)).replace(day=20)
    stale = (
        on > next_expected + dt.timedelta(days=3)
        and not LprRate.objects.filter(month__gt=row.month).exists()
    )
    return LprInForce(
        one_year_rate=row.one_year_rate,
        five_year_rate=row.five_year_rate,
        month=row.month,
        published_on=row.published_on,
        carried_forward=row.carried_forward or stale,
    )
