"""Rule packs in the database: shipped data, versioned revisions, import/export, product choice."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.compliance import errors
from arrears.compliance.errors import ComplianceError
from arrears.compliance.models import Rule, RulePack
from arrears.compliance.rules import CALL, Action, CaseFacts, check_action
from arrears.compliance.seed import SHIPPED_PACKS
from arrears.compliance.selectors import pack_current, pack_export, pack_for_product
from arrears.compliance.services import product_rulepack_set, rulepack_import, rulepack_revise
from arrears.compliance.tests.helpers import call, sh
from arrears.core.models import AuditEntry
from arrears.testing import make_product

pytestmark = pytest.mark.django_db


def test_the_three_packs_ship_with_china_active():
    assert {p.code: (p.version, p.is_active) for p in RulePack.objects.all()} == {
        "cn_default": (1, True),
        "us_reg_f": (1, False),
        "uk_conc": (1, False),
    }
    for data in SHIPPED_PACKS:
        assert pack_export(pack_current(data["code"]))["rules"] == sorted(
            data["rules"], key=lambda r: r["rule_id"]
        )


def test_every_shipped_rule_has_a_description_and_a_source():
    for rule in Rule.objects.all():
        assert rule.description_zh and rule.description_en and rule.source, rule.rule_id


def test_revising_makes_a_new_version_and_leaves_the_old_one(people):
    v1 = pack_current("cn_default")
    v2 = rulepack_revise(
        pack=v1,
        changes={"rules": {"CN.CONNECTED_CALLS": {"parameters": {"max_per_day": 2}}}},
        actor=people["alice"],
        note="stricter after the 2026 guideline",
    )
    assert (v2.code, v2.version, v2.is_active) == ("cn_default", 2, True)
    assert v1.rules.get(rule_id="CN.CONNECTED_CALLS").parameters == {"max_per_day": 3}
    assert v2.rules.get(rule_id="CN.CONNECTED_CALLS").parameters == {"max_per_day": 2}
    assert v2.rules.count() == v1.rules.count()
    assert pack_current("cn_default") == v2
    entry = AuditEntry.objects.get(event="rulepack.revise")
    assert entry.actor == people["alice"]
    assert entry.before["rules"][0]["parameters"] == {"max_per_day": 3}
    assert entry.after["rules"][0]["parameters"] == {"max_per_day": 2}
    assert [r["rule_id"] for r in entry.after["rules"]] == ["CN.CONNECTED_CALLS"]
    # The new version is what the checks now read: the 3rd connected call is refused.
    facts = CaseFacts(timezone="Asia/Shanghai", attempts=())
    two = CaseFacts(
        timezone="Asia/Shanghai",
        attempts=(
            call(sh(2026, 11, 28, 9), connected=True),
            call(sh(2026, 11, 28, 10), connected=True),
        ),
    )
    action = Action(channel=CALL, at=sh(2026, 11, 28, 15))
    assert check_action(action, facts, v2).allowed
    assert check_action(action, two, v2).blocking_ids == ["CN.CONNECTED_CALLS"]
    assert check_action(action, two, v1).allowed


def test_revising_can_add_and_remove_rules(people):
    v1 = pack_current("uk_conc")
    v2 = rulepack_revise(
        pack=v1,
        changes={
            "rules": {
                "UK.HOLD_BREATHING_SPACE": None,
                "UK.CONTACT_HOURS": {
                    "kind": "contact_hours",
                    "parameters": {"start": "08:00", "end": "21:00"},
                    "description_en": "Reasonable hours",
                    "source": "lender policy",
                },
            }
        },
        actor=people["alice"],
    )
    ids = set(v2.rules.values_list("rule_id", flat=True))
    assert "UK.CONTACT_HOURS" in ids and "UK.HOLD_BREATHING_SPACE" not in ids


def test_only_the_current_version_can_be_revised(people):
    v1 = pack_current("cn_default")
    rulepack_revise(pack=v1, changes={"name": "China v2"}, actor=people["alice"])
    with pytest.raises(ComplianceError) as exc:
        rulepack_revise(pack=v1, changes={"name": "lost update"}, actor=people["alice"])
    assert exc.value.code == errors.STALE_VERSION


def test_only_an_admin_revises_packs(people):
    with pytest.raises(ComplianceError) as exc:
        rulepack_revise(pack=pack_current("cn_default"), changes={"name": "x"}, actor=people["mia"])
    assert exc.value.code == errors.NOT_PERMITTED
    assert RulePack.objects.filter(code="cn_default").count() == 1


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"CN.CONNECTED_CALLS": {"mode": "maybe"}}, "mode"),
        ({"CN.CONNECTED_CALLS": {"parameters": {"max_per_day": 0}}}, "max_per_day"),
        ({"CN.CONTACT_HOURS": {"parameters": {"start": "23:00"}}}, "start must be before end"),
        ({"CN.CONNECTED_CALLS": {"override_roles": ["janitor"]}}, "unknown roles"),
        ({"CN.UNANSWERED_ATTEMPTS": {"overridable": True}}, "needs override_roles"),
        ({"CN.CONDUCT_LINT": {"parameters": {"phrases": [{"regex": "(unclosed"}]}}}, "bad regex"),
        ({"CN.NEW": {"kind": "telepathy"}}, "unknown check kind"),
    ],
)
def test_invalid_revisions_are_refused_with_the_reason(people, change, problem):
    with pytest.raises(ComplianceError) as exc:
        rulepack_revise(
            pack=pack_current("cn_default"), changes={"rules": change}, actor=people["alice"]
        )
    assert exc.value.code == errors.INVALID_PACK
    assert problem in exc.value.message
    assert RulePack.objects.filter(code="cn_default").count() == 1


def test_export_then_import_makes_the_next_version(people):
    data = pack_export(pack_current("us_reg_f"))
    data["rules"] = [r for r in data["rules"] if r["rule_id"] != "US.THIRD_PARTY_ONCE"]
    new = rulepack_import(data=json.loads(json.dumps(data)), actor=people["alice"])
    assert (new.code, new.version) == ("us_reg_f", 2)
    assert not new.rules.filter(rule_id="US.THIRD_PARTY_ONCE").exists()
    assert AuditEntry.objects.filter(event="rulepack.import", object_id=str(new.pk)).exists()


def test_products_follow_china_unless_told_otherwise(people):
    product = make_product(code="MICRO", name="Micro")
    assert pack_for_product(product).code == "cn_default"
    with pytest.raises(ComplianceError) as exc:
        product_rulepack_set(product=product, code="us_reg_f", actor=people["alice"])
    assert exc.value.code == errors.PACK_INACTIVE
    rulepack_revise(
        pack=pack_current("us_reg_f"), changes={"is_active": True}, actor=people["alice"]
    )
    product_rulepack_set(product=product, code="us_reg_f", actor=people["alice"])
    assert pack_for_product(product).code == "us_reg_f"
    assert pack_for_product(product).version == 2
    assert AuditEntry.objects.filter(event="rulepack.assign").count() == 1
    # A pack products follow cannot be switched off underneath them.
    with pytest.raises(ComplianceError) as exc:
        rulepack_revise(
            pack=pack_current("us_reg_f"), changes={"is_active": False}, actor=people["alice"]
        )
    assert exc.value.code == errors.PACK_IN_USE


def test_the_command_lists_shows_exports_and_imports(people, tmp_path):
    out = io.StringIO()
    call_command("rulepack", "list", stdout=out)
    assert "cn_default" in out.getvalue() and "(default)" in out.getvalue()
    out = io.StringIO()
    call_command("rulepack", "show", "cn_default", stdout=out)
    assert "CN.CONTACT_HOURS" in out.getvalue() and "GB/T 45251-2025" in out.getvalue()
    out = io.StringIO()
    call_command("rulepack", "export", "uk_conc", stdout=out)
    data = json.loads(out.getvalue())
    data["name"] = "UK, edited"
    path = tmp_path / "uk.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("rulepack", "import", str(path), "--user", "alice", stdout=out)
    assert "version 2" in out.getvalue()
    assert pack_current("uk_conc").name == "UK, edited"
    with pytest.raises(CommandError, match="not_permitted"):
        call_command("rulepack", "import", str(path), "--user", "carl", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no rule pack"):
        call_command("rulepack", "show", "xx", stdout=io.StringIO())
