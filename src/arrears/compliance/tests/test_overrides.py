"""Overrides: only a role the rule lists, with a written reason, audited — for every rule."""

import pytest

from arrears.compliance import errors
from arrears.compliance.errors import ComplianceError
from arrears.compliance.models import RuleOverride
from arrears.compliance.rules import CALL, Action, CaseFacts, check_action
from arrears.compliance.seed import SHIPPED_PACKS
from arrears.compliance.selectors import overridden_rules, pack_current
from arrears.compliance.services import override_record
from arrears.compliance.tests.helpers import call, sh
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db

REASON = "Debtor asked us to call back this afternoon (recorded)."
# One named person per role (see arrears.testing).
BY_ROLE = {
    "admin": "alice",
    "manager": "mia",
    "team_lead": "tom",
    "collector": "carl",
    "field_agent": "fay",
    "legal": "lee",
    "agency": "ada",
    "auditor": "aud",
}
ALL_RULES = [(d["code"], r) for d in SHIPPED_PACKS for r in d["rules"]]


@pytest.mark.parametrize("code,rule", ALL_RULES, ids=[r["rule_id"] for _, r in ALL_RULES])
def test_every_rule_overrides_only_for_its_roles(people, code, rule):
    pack = pack_current(code)
    rule_id = rule["rule_id"]
    if rule["overridable"]:
        allowed = people[BY_ROLE[rule["override_roles"][0]]]
        made = override_record(
            actor=allowed, rule_id=rule_id, reason=REASON, object_ref="case:1", pack=pack
        )
        assert (made.rule_id, made.role, made.pack) == (rule_id, allowed.role, pack)
        entry = AuditEntry.objects.get(event="compliance.override")
        assert entry.actor == allowed and entry.after["rule_id"] == rule_id
        assert entry.after["reason"] == REASON
    outsiders = [p for role, p in BY_ROLE.items() if role not in rule["override_roles"]]
    for person in (people[name] for name in outsiders):
        with pytest.raises(ComplianceError) as exc:
            override_record(
                actor=person, rule_id=rule_id, reason=REASON, object_ref="case:1", pack=pack
            )
        expected = errors.ROLE_NOT_ALLOWED if rule["overridable"] else errors.NOT_OVERRIDABLE
        assert exc.value.code == expected
    assert RuleOverride.objects.count() == (1 if rule["overridable"] else 0)


def test_retention_cannot_be_overridden_even_by_admin(people):
    with pytest.raises(ComplianceError) as exc:
        override_record(
            actor=people["alice"], rule_id="CN.RETENTION", reason=REASON, object_ref="activity:9"
        )
    assert exc.value.code == errors.NOT_OVERRIDABLE


@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_an_override_needs_a_written_reason(people, reason):
    with pytest.raises(ComplianceError) as exc:
        override_record(
            actor=people["mia"], rule_id="CN.CONNECTED_CALLS", reason=reason, object_ref="case:1"
        )
    assert exc.value.code == errors.REASON_TOO_SHORT
    assert not AuditEntry.objects.filter(event="compliance.override").exists()


def test_an_override_without_a_pack_finds_the_default_one(people):
    made = override_record(
        actor=people["mia"], rule_id="CN.CONNECTED_CALLS", reason=REASON, object_ref="case:7"
    )
    assert made.pack.code == "cn_default"
    with pytest.raises(ComplianceError) as exc:
        override_record(
            actor=people["mia"], rule_id="CN.NO_SUCH_RULE", reason=REASON, object_ref="case:7"
        )
    assert exc.value.code == errors.UNKNOWN_RULE


def test_a_recorded_override_lets_the_fourth_call_through(people):
    facts = CaseFacts(
        timezone="Asia/Shanghai",
        attempts=tuple(call(sh(2026, 11, 28, 9 + i), connected=True) for i in range(3)),
    )
    action = Action(channel=CALL, at=sh(2026, 11, 28, 15))
    pack = pack_current("cn_default")
    assert not check_action(action, facts, pack, overridden=overridden_rules("case:7")).allowed
    override_record(
        actor=people["mia"], rule_id="CN.CONNECTED_CALLS", reason=REASON, object_ref="case:7"
    )
    decision = check_action(action, facts, pack, overridden=overridden_rules("case:7"))
    assert decision.allowed and decision.outcomes[0].overridden
    # Only on that object.
    assert not check_action(action, facts, pack, overridden=overridden_rules("case:8")).allowed
