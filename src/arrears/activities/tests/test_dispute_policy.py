"""The product's dispute policy decides what contact an open complaint holds (issue 4).

The policy is the `case_hold` rule for `dispute` in the rule pack the loan's product follows
(RULES.md; default pack: collection paused, contact about the complaint allowed). A lender
that changes the rule for a product changes what its collectors may do while a complaint is
open; the default product keeps the default.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.activities.errors import ContactRefused
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import local, yesterday
from arrears.cases import services as case_services
from arrears.compliance.selectors import default_pack_code, pack_current, pack_export
from arrears.compliance.services import product_rulepack_set, rulepack_import

pytestmark = pytest.mark.django_db


def _pack_with_dispute_policy(code: str, allowed_purposes: list[str] | None, actor):
    """A lender's copy of the default pack with its dispute rule changed (None: removed)."""
    data = pack_export(pack_current(default_pack_code()))
    rules = []
    for rule in data["rules"]:
        if rule["kind"] == "case_hold" and rule["parameters"].get("hold") == "dispute":
            if allowed_purposes is None:
                continue
            rule = {
                **rule,
                "parameters": {**rule["parameters"], "allowed_purposes": allowed_purposes},
            }
        rules.append(rule)
    return rulepack_import(
        data={**data, "code": code, "name": code, "is_active": True, "rules": rules}, actor=actor
    )


def call(case, actor, day, purpose="collect", outcome="right_party_contact"):
    return activity_log(
        case=case,
        actor=actor,
        channel="call",
        outcome=outcome,
        occurred_at=local(day, 10, 0),
        purpose=purpose,
        source="web",
    )


@pytest.fixture
def disputed(case, people):
    case_services.complaint_open(
        case=case,
        category="collector_conduct",
        description="客户投诉催收员态度",
        actor=people["carl"],
    )
    return case


def test_the_default_policy_pauses_collection_but_not_talk_about_the_complaint(disputed, people):
    carl = people["carl"]
    with pytest.raises(ContactRefused) as exc:
        call(disputed, carl, yesterday())
    assert any("HOLD_DISPUTE" in r for r in exc.value.decision.rule_ids)
    about = call(disputed, carl, yesterday(), purpose="complaint")
    assert about.pk and about.purpose == "complaint"


def test_a_product_whose_policy_allows_no_contact_holds_even_the_complaint_call(disputed, people):
    _pack_with_dispute_policy("lender_strict", [], people["alice"])
    product_rulepack_set(product=disputed.loan.product, code="lender_strict", actor=people["alice"])
    with pytest.raises(ContactRefused) as exc:
        call(disputed, people["carl"], yesterday(), purpose="complaint")
    assert any("HOLD_DISPUTE" in r for r in exc.value.decision.rule_ids)


def test_a_product_without_a_dispute_pause_lets_collection_go_on(disputed, people):
    _pack_with_dispute_policy("lender_no_pause", None, people["alice"])
    product_rulepack_set(
        product=disputed.loan.product, code="lender_no_pause", actor=people["alice"]
    )
    a = call(disputed, people["carl"], yesterday() - dt.timedelta(days=1))
    assert a.pk and a.purpose == "collect"
    # …and the other products keep the default policy.
    assert pack_current(default_pack_code()).is_active


def test_resolving_the_complaint_lifts_the_hold(disputed, people):
    complaint = disputed.complaints.get()
    case_services.complaint_resolve(
        complaint=complaint, status="resolved", resolution="已核实并道歉", actor=people["tom"]
    )
    assert call(disputed, people["carl"], yesterday()).pk
