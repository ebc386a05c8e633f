"""Shared values for the compliance tests: the shipped packs as specs, clocks, attempts."""

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from arrears.compliance.rules import CALL, Attempt, PackSpec, spec_from_dict
from arrears.compliance.seed import CN_DEFAULT, UK_CONC, US_REG_F

CN = spec_from_dict(CN_DEFAULT)
US = spec_from_dict(US_REG_F)
UK = spec_from_dict(UK_CONC)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
BORROWER_NO = "13800000001"


def sh(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def ny(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=NEW_YORK)


def call(
    at,
    *,
    connected=False,
    number=BORROWER_NO,
    person="borrower",
    about_debt=False,
    third_party=False,
):
    return Attempt(
        at=at,
        channel=CALL,
        number=number,
        person=person,
        connected=connected,
        about_debt=about_debt,
        third_party=third_party,
    )


def with_params(pack: PackSpec, rule_id: str, **params) -> PackSpec:
    """A copy of `pack` with some parameters of one rule changed (configurability tests)."""
    rules = tuple(
        replace(r, parameters={**r.parameters, **params}) if r.rule_id == rule_id else r
        for r in pack.rules
    )
    return replace(pack, rules=rules)
