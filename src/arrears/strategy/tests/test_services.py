"""Saving versions (audited, all or nothing), YAML export/import and the command, hand-overs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.models import Case
from arrears.core.models import AuditEntry
from arrears.eod.services import eod_run
from arrears.strategy import selectors, services
from arrears.strategy.errors import StrategyConflict, StrategyForbidden, StrategyInvalid
from arrears.strategy.models import HandOver, Strategy, StrategyVersion
from arrears.strategy.seed import DEFAULT_DEFINITION
from arrears.testing import make_loan

pytestmark = pytest.mark.django_db


def test_the_default_strategy_is_shipped_active_and_valid():
    default = Strategy.objects.get(code="default")
    assert default.is_active and default.latest().number == 1
    assert services.definition_validate(default.latest().definition) == []
    assert default.latest().definition == DEFAULT_DEFINITION


def test_saving_makes_the_next_version_and_audits_it(people):
    v2 = services.strategy_save(
        code="default", definition=DEFAULT_DEFINITION, actor=people["mia"], note="same again"
    )
    assert (v2.number, v2.note, v2.created_by) == (2, "same again", people["mia"])
    entry = AuditEntry.objects.filter(event="strategy.save").latest("id")
    assert (entry.actor, entry.object_id, entry.before, entry.after["version"]) == (
        people["mia"],
        "default",
        {"version": 1},
        2,
    )
    assert StrategyVersion.objects.filter(strategy__code="default").count() == 2


def test_an_invalid_definition_saves_nothing(people):
    bad = {"segments": [dict(DEFAULT_DEFINITION["segments"][-1], key="Bad Key")]}
    with pytest.raises(StrategyInvalid) as exc:
        services.strategy_save(code="default", definition=bad, actor=people["mia"])
    assert exc.value.problems[0].field == "key"
    assert StrategyVersion.objects.filter(strategy__code="default").count() == 1
    assert not AuditEntry.objects.filter(event="strategy.save").exists()


@pytest.mark.parametrize("who", ["tom", "carl", "aud"])
def test_only_managers_and_admins_save(people, who):
    with pytest.raises(StrategyForbidden):
        services.strategy_save(code="default", definition=DEFAULT_DEFINITION, actor=people[who])


def test_yaml_round_trip_gives_the_same_definition(people, tmp_path):
    out = tmp_path / "default.yaml"
    call_command("strategy", "export", "default", "--output", str(out), stdout=io.StringIO())
    text = out.read_text(encoding="utf-8")
    assert "默认催收策略" in text and "sms_first" in text
    assert text.startswith("code: default\nname_zh:") and "- key: held\n  name_zh:" in text
    data = yaml.safe_load(text)
    assert data["segments"] == DEFAULT_DEFINITION["segments"]
    stdout = io.StringIO()
    call_command("strategy", "import", str(out), "--user", "mia", stdout=stdout)
    assert "saved default v2" in stdout.getvalue()
    v2 = Strategy.objects.get(code="default").latest()
    assert v2.definition == DEFAULT_DEFINITION
    assert AuditEntry.objects.filter(event="strategy.save", source="cli").count() == 1


def test_import_lists_every_problem_by_segment_and_saves_nothing(tmp_path):
    data = {
        "code": "default",
        "segments": yaml.safe_load(yaml.safe_dump(DEFAULT_DEFINITION))["segments"],
    }
    data["segments"][6]["when"]["all"][0]["field"] = "ddp"
    data["segments"][6]["paths"][0]["share"] = 40
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("strategy", "import", str(path))
    text = str(exc.value)
    assert "early: when.all[1]: unknown field “ddp”" in text
    assert "early: The paths' shares add up to 90%, not 100%." in text
    assert Strategy.objects.get(code="default").latest().number == 1


def test_import_of_broken_yaml_says_where(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\nsegments: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Not valid YAML"):
        call_command("strategy", "import", str(path))


def test_import_of_a_new_code_makes_a_new_inactive_strategy(tmp_path):
    body = {"code": "trial", "name_zh": "试验", "name_en": "Trial", **DEFAULT_DEFINITION}
    path = tmp_path / "trial.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    stdout = io.StringIO()
    call_command("strategy", "import", str(path), stdout=stdout)
    trial = Strategy.objects.get(code="trial")
    assert (trial.name_zh, trial.is_active) == ("试验", False)
    assert "once the strategy is made active" in stdout.getvalue()
    call_command("strategy", "activate", "trial", stdout=io.StringIO())
    assert list(Strategy.objects.filter(is_active=True).values_list("code", flat=True)) == ["trial"]


# --------------------------------------------------------------------------- hand-overs


@pytest.fixture
def visit(people):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10), collector=people["carl"])
    loan.field_agent = people["fay"]
    loan.save()
    eod_run(as_of=dt.date(2026, 2, 20))
    case = Case.objects.get(loan=loan)
    return HandOver.objects.create(case=case, channel="visit", created_on=dt.date(2026, 2, 21))


def test_a_field_agent_takes_and_closes_a_visit_hand_over(people, visit):
    fay = people["fay"]
    assert list(selectors.open_handovers(fay, "visit")) == [visit]
    services.handover_take(handover_id=visit.pk, actor=fay)
    with pytest.raises(StrategyConflict):
        services.handover_take(handover_id=visit.pk, actor=people["carl"])
    done = services.handover_close(handover_id=visit.pk, actor=fay, ref="TRIP-7")
    assert (done.status, done.taken_by, done.ref) == ("done", fay, "TRIP-7")
    assert list(selectors.open_handovers(fay)) == []
    events = list(
        AuditEntry.objects.filter(object_type="handover")
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert events == ["handover.take", "handover.close"]


def test_cancelling_needs_a_reason(people, visit):
    with pytest.raises(StrategyInvalid) as exc:
        services.handover_close(handover_id=visit.pk, actor=people["carl"], outcome="cancelled")
    assert exc.value.field == "note"


def test_hand_overs_of_cases_out_of_scope_are_invisible(people, visit):
    assert list(selectors.open_handovers(people["cora"])) == []
    with pytest.raises(Exception) as exc:
        services.handover_take(handover_id=visit.pk, actor=people["cora"])
    assert exc.value.status == 404
