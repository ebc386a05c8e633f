"""Debtor types and playbooks: seeded from the seed, edited by managers, chosen by collectors."""

from __future__ import annotations

import pytest

from arrears.cases import services
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import CollectionAdvice, DebtorType
from arrears.cases.playbook_seed import DEBTOR_TYPES, GENERAL_ADVICE
from arrears.cases.tests.conftest import client_for
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_seeds_eight_types_and_the_advice():
    types = list(DebtorType.objects.all())
    assert [t.code for t in types] == [t["code"] for t in DEBTOR_TYPES]
    assert [(t.name_zh, t.name_en) for t in types][:2] == [
        ("挑衅型", "Provocative"),
        ("逃避型", "Evasive"),
    ]
    assert types[-1].code == "other"
    evasive = DebtorType.objects.get(code="evasive")
    assert evasive.techniques_zh[-1] == "成功要素：自信。"
    assert evasive.techniques_en[-1] == "Key to success: confidence."
    assert CollectionAdvice.objects.count() == len(GENERAL_ADVICE)


def test_a_collector_sets_the_type_and_the_page_shows_its_playbook_in_their_language(people, case):
    client = client_for(people["carl"])
    response = client.post(f"/cases/{case.pk}/debtor-type/", {"debtor_type": "evasive"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.debtor_type.code, case.debtor_type_set_by) == ("evasive", people["carl"])
    entry = AuditEntry.objects.get(event="case.debtor_type")
    assert (entry.before, entry.after) == ({"debtor_type": None}, {"debtor_type": "evasive"})
    zh = client.get(f"/cases/{case.pk}/").content.decode()
    assert "保持电话联系或上门拜访，直到客户同意商谈还款事宜；" in zh
    client.cookies.load({"django_language": "en"})
    en = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Keep calling or visiting until the customer agrees to discuss the loan." in en
    assert "保持电话联系" not in en


def test_a_retired_type_cannot_be_chosen_but_a_case_keeps_it(people, case):
    victim = DebtorType.objects.get(code="victim")
    services.case_set_debtor_type(case=case, debtor_type=victim, actor=people["carl"])
    services.debtor_type_set_active(debtor_type=victim, active=False, actor=people["mia"])
    case.refresh_from_db()
    assert case.debtor_type == victim
    other = client_for(people["cora"])
    cora_case = case.__class__.objects.exclude(pk=case.pk).filter(collector=people["cora"]).first()
    response = other.post(f"/cases/{cora_case.pk}/debtor-type/", {"debtor_type": "victim"})
    assert response.status_code == 400  # not among the choices any more
    assert (
        "victim"
        not in response.content.decode().split('name="debtor_type"')[1].split("</select>")[0]
    )
    with pytest.raises(CaseInvalid) as exc:
        services.case_set_debtor_type(case=cora_case, debtor_type=victim, actor=people["cora"])
    assert exc.value.field == "debtor_type"


def test_managers_add_rename_edit_techniques_and_retire(people):
    mia = client_for(people["mia"])
    response = mia.post(
        "/cases/debtor-types/new/",
        {
            "code": "gambler",
            "name_zh": "赌博型",
            "name_en": "Gambler",
            "traits_zh": "资金去向不明",
            "traits_en": "Money vanishes",
            "example_zh": "",
            "example_en": "",
            "techniques_zh": "了解资金去向\n联系家属协助",
            "techniques_en": "Find out where the money went\nAsk the family to help",
            "sort_order": "9",
        },
    )
    assert response.status_code == 302
    gambler = DebtorType.objects.get(code="gambler")
    assert gambler.techniques_zh == ["了解资金去向", "联系家属协助"]
    data = {
        "name_zh": "赌徒型",
        "name_en": "Gambler",
        "traits_zh": "资金去向不明",
        "traits_en": "Money vanishes",
        "techniques_zh": "了解资金去向",
        "techniques_en": "Find out where the money went",
        "sort_order": "9",
    }
    assert mia.post(f"/cases/debtor-types/{gambler.pk}/", data).status_code == 302
    gambler.refresh_from_db()
    assert (gambler.name_zh, gambler.techniques_en) == ("赌徒型", ["Find out where the money went"])
    assert mia.post(f"/cases/debtor-types/{gambler.pk}/active/", {"active": "0"}).status_code == 302
    gambler.refresh_from_db()
    assert gambler.active is False
    assert list(
        AuditEntry.objects.filter(object_type="debtor_type").values_list("event", flat=True)
    ) == ["debtor_type.create", "debtor_type.update", "debtor_type.retire"]


def test_a_bad_code_is_shown_on_the_field(people):
    response = client_for(people["alice"]).post(
        "/cases/debtor-types/new/",
        {"code": "Provocative!", "name_zh": "x", "name_en": "x", "sort_order": "1"},
    )
    assert response.status_code == 400
    assert 'id="code-error"' in response.content.decode()


@pytest.mark.parametrize("who", ["carl", "tom", "aud", "ada"])
def test_only_managers_and_admins_edit_the_playbooks(people, who):
    client = client_for(people[who])
    provocative = DebtorType.objects.get(code="provocative")
    assert client.get("/cases/debtor-types/").status_code == 403
    assert (
        client.post(f"/cases/debtor-types/{provocative.pk}/active/", {"active": "0"}).status_code
        == 403
    )
    assert client.post("/cases/debtor-types/new/", {"code": "x"}).status_code == 403
    with pytest.raises(CaseForbidden):
        services.debtor_type_update(debtor_type=provocative, actor=people[who], name_zh="改")
    provocative.refresh_from_db()
    assert (provocative.active, provocative.name_zh) == (True, "挑衅型")


def test_a_used_type_is_never_deleted(people, case):
    stubborn = DebtorType.objects.get(code="stubborn")
    services.case_set_debtor_type(case=case, debtor_type=stubborn, actor=people["carl"])
    services.case_set_debtor_type(case=case, debtor_type=None, actor=people["carl"])
    # No case has it now, but one had: the history must keep meaning something.
    with pytest.raises(CaseConflict):
        services.debtor_type_delete(debtor_type=stubborn, actor=people["mia"])
    response = client_for(people["mia"]).post(f"/cases/debtor-types/{stubborn.pk}/delete/")
    assert response.status_code == 302
    assert DebtorType.objects.filter(code="stubborn").exists()
    spare = services.debtor_type_create(
        code="typo_type", name_zh="错", name_en="Typo", actor=people["mia"]
    )
    services.debtor_type_delete(debtor_type=spare, actor=people["mia"])
    assert not DebtorType.objects.filter(code="typo_type").exists()


def test_managers_edit_the_general_advice(people):
    advice = CollectionAdvice.objects.get(code="be_direct")
    response = client_for(people["mia"]).post(
        f"/cases/advice/{advice.pk}/",
        {"zh": "催款要直截了当。", "en": "Be direct.", "sort_order": "6"},
    )
    assert response.status_code == 302
    advice.refresh_from_db()
    assert (advice.zh, advice.en, advice.active) == ("催款要直截了当。", "Be direct.", False)
    assert AuditEntry.objects.filter(event="advice.update").count() == 1
