"""Every rule of every shipped pack: an allowed case, and a refused case naming the rule.

The detailed boundaries live in the other test modules; this one makes sure no rule of any
pack (including the ones that reuse a check under another id) goes untested.
"""

import datetime as dt
from decimal import Decimal

import pytest

from arrears.compliance.rules import (
    BORROWER,
    CALL,
    GUARANTOR,
    LETTER,
    SMS,
    THIRD_PARTY,
    VISIT,
    Action,
    Attempt,
    CaseFacts,
    Step,
    Target,
    check_action,
    interest_cap,
    may_delete,
    may_schedule_step,
)
from arrears.compliance.tests.helpers import BORROWER_NO, CN, UK, US, call, sh

TZ = "Asia/Shanghai"
AT = sh(2026, 11, 24, 10)  # a Tuesday, 10:00 local
ME = Target(kind=BORROWER, number=BORROWER_NO)
OTHER = Target(kind=THIRD_PARTY, person="contact:5", number="13700000005", relation="relative")


def contact(rule, *, refused: bool):
    """(action, facts) that the rule refuses (or lets pass)."""
    p = rule.parameters
    kind = rule.kind
    if kind == "contact_hours":
        return Action(
            channel=CALL, at=sh(2026, 11, 24, 23 if refused else 10), target=ME
        ), CaseFacts(timezone=TZ)
    if kind == "connected_calls":
        n = p["max_per_day"] if refused else p["max_per_day"] - 1
        hist = tuple(call(sh(2026, 11, 24, 8, i), connected=True) for i in range(n))
        return Action(channel=CALL, at=AT, target=ME), CaseFacts(timezone=TZ, attempts=hist)
    if kind == "unanswered_attempts":
        n = p["max_per_number_per_day"] if refused else p["max_per_number_per_day"] - 1
        hist = tuple(call(sh(2026, 11, 24, 8, i)) for i in range(n))
        return Action(channel=CALL, at=AT, target=ME), CaseFacts(timezone=TZ, attempts=hist)
    if kind == "third_party":
        return Action(channel=CALL, at=AT, target=OTHER, purpose="locate"), CaseFacts(
            timezone=TZ, unreachable=not refused
        )
    if kind == "third_party_once":
        hist = (
            (Attempt(at=sh(2026, 11, 1), person="contact:5", connected=True, third_party=True),)
            if refused
            else ()
        )
        return Action(channel=CALL, at=AT, target=OTHER, purpose="locate"), CaseFacts(
            timezone=TZ, unreachable=True, attempts=hist
        )
    if kind == "obligor":
        g = Target(kind=GUARANTOR, person="guarantor:1", number="136", guarantee_released=refused)
        return Action(channel=CALL, at=AT, target=g), CaseFacts(timezone=TZ)
    if kind == "case_hold":
        holds = frozenset({p["hold"]}) if refused else frozenset()
        return Action(channel=CALL, at=AT, target=ME, purpose="collect"), CaseFacts(
            timezone=TZ, holds=holds
        )
    if kind == "visit":
        return Action(
            channel=VISIT, at=AT, target=ME, participants=1 if refused else 2, recording_ref="rec-1"
        ), CaseFacts(timezone=TZ)
    if kind == "call_frequency_window":
        n = p["max_calls"] if refused else p["max_calls"] - 1
        hist = tuple(call(sh(2026, 11, 24 - (i % p["days"]), 8, i)) for i in range(n))
        return Action(channel=CALL, at=AT, target=ME), CaseFacts(timezone=TZ, attempts=hist)
    if kind == "conversation_quiet_period":
        day = 23 if refused else 24 - p["days"]
        hist = (call(sh(2026, 11, day, 9), connected=True, about_debt=True),)
        return Action(channel=CALL, at=AT, target=ME), CaseFacts(timezone=TZ, attempts=hist)
    if kind == "opt_out":
        text = "Please call us." if refused else "Please call us. Reply STOP to opt out."
        return Action(channel=SMS, at=AT, target=ME, text=text), CaseFacts(timezone=TZ)
    if kind == "conduct_lint":
        text = "你这个骗子" if refused else "请按时还款。"
        return Action(channel=LETTER, at=AT, target=ME, text=text), CaseFacts(timezone=TZ)
    return None


def step(rule, *, refused: bool):
    due = dt.date(2026, 11, 24)
    if rule.kind == "agency_review":
        return Step(
            kind="agency_placement",
            on=due + dt.timedelta(days=1 if refused else 0),
            agency_review_due_on=due,
        ), CaseFacts()
    if rule.kind in ("limitation_no_legal", "time_barred_no_suit"):
        return Step(kind="legal", on=due), CaseFacts(time_barred=refused)
    if rule.kind == "forbearance_before_escalation":
        return Step(kind="legal", on=due), CaseFacts(forbearance_offered=not refused)
    return None


RULES = [(pack, rule) for pack in (CN, US, UK) for rule in pack.rules]


@pytest.mark.parametrize("pack,rule", RULES, ids=[r.rule_id for _, r in RULES])
def test_rule_allows_and_refuses(pack, rule):
    if rule.kind == "retention":
        created = sh(2020, 1, 10)
        years = rule.parameters["years"]
        refused = may_delete("activity", created, sh(2020 + years, 1, 9, 23, 59), pack)
        allowed = may_delete("activity", created, sh(2020 + years, 1, 10, 0, 0), pack)
    elif rule.kind == "interest_cap":
        cap = interest_cap(pack, "microloan", dt.date(2026, 1, 1), lambda d: None)
        assert cap.rate == Decimal(rule.parameters["caps"]["microloan"][0]["rate"])
        assert interest_cap(pack, "bank", dt.date(2026, 1, 1), lambda d: None) is None
        return
    elif (made := contact(rule, refused=True)) is not None:
        refused = check_action(*made, pack)
        allowed = check_action(*contact(rule, refused=False), pack)
    else:
        made = step(rule, refused=True)
        assert made is not None, f"no scenario for kind {rule.kind}"
        refused = may_schedule_step(made[0], made[1], pack=pack)
        allowed = may_schedule_step(*step(rule, refused=False), pack=pack)
    assert rule.rule_id in refused.blocking_ids, refused.outcomes
    assert rule.rule_id not in allowed.rule_ids, allowed.outcomes
    outcome = next(o for o in refused.blocking if o.rule_id == rule.rule_id)
    assert outcome.message_zh and outcome.message_en
    assert outcome.overridable == rule.overridable
