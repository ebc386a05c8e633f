"""Cancelling and moving absences, and deleting allocation rules: the services, the person and
rules pages, and the API (docs/allocation.md).

Team A: lead tom, collectors carl and cora; tina leads team B; mia is a manager.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from arrears.api.tests.conftest import ApiClient
from arrears.cases.allocation import (
    absence_cancel,
    absence_change,
    absence_record,
    allocation_run,
    rule_delete,
)
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.models import Absence, AllocationRule, CaseAssignment, CaseCover
from arrears.cases.tests.conftest import client_for
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry

TODAY = local_today()


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def holder(case) -> str | None:
    case.refresh_from_db()
    return case.collector.username if case.collector_id else None


def installation_text(msgid: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


@pytest.fixture
def away(people):
    """carl on leave from today for six days, recorded by his team lead."""
    return absence_record(
        user=people["carl"], starts_on=TODAY, ends_on=day(5), reason="leave", actor=people["tom"]
    )


@pytest.fixture
def covered(people, cases, away):
    """The end-of-day has run: cora covers carl's case."""
    assert allocation_run(day=TODAY).covered == 1
    assert holder(cases["carl"]) == "cora"
    return cases["carl"]


# --- cancel ------------------------------------------------------------------------------------


def test_a_cancelled_absence_gives_the_covered_cases_back_at_the_next_run(people, covered, away):
    absence_cancel(absence=away, reason="提前返岗", actor=people["tom"])
    report = allocation_run(day=TODAY)
    assert (report.returned, report.covered) == (1, 0)
    assert holder(covered) == "carl"
    history = list(CaseAssignment.objects.filter(case=covered).order_by("at", "pk"))
    assert [(h.cause, h.to_collector.username) for h in history[-2:]] == [
        ("cover", "cora"),
        ("cover_return", "carl"),
    ]
    assert history[-1].reason == installation_text("Back from cover: the collector has returned.")
    assert CaseCover.objects.get(case=covered).returned_on == TODAY
    # carl counts as present again: the next run neither covers nor returns anything.
    assert allocation_run(day=day(1)).counts()["covered"] == 0


def test_cancel_is_audited_with_what_the_absence_was(people, away):
    absence_cancel(absence=away, reason="提前返岗", actor=people["tom"])
    away.refresh_from_db()
    assert (away.cancelled_on, away.cancel_reason) == (TODAY, "提前返岗")
    entry = AuditEntry.objects.filter(event="absence.cancel").get()
    assert entry.actor == people["tom"]
    assert entry.before["until"] == day(5).isoformat() and entry.before["reason"] == "leave"
    assert entry.after["why"] == "提前返岗"


def test_a_cancelled_absence_frees_its_days_and_cannot_be_cancelled_again(people, away):
    absence_cancel(absence=away, actor=people["tom"])
    with pytest.raises(CaseConflict) as refused:
        absence_cancel(absence=away, actor=people["tom"])
    assert refused.value.code == "cancelled"
    again = absence_record(user=people["carl"], starts_on=day(1), ends_on=day(2), reason="sick")
    assert again.pk != away.pk


def test_another_teams_lead_and_collectors_may_not_cancel(people, away):
    for who in ("tina", "cora"):
        with pytest.raises(CaseForbidden):
            absence_cancel(absence=away, actor=people[who])
    away.refresh_from_db()
    assert away.cancelled_on is None


def test_an_absence_that_is_over_cannot_be_cancelled_or_changed(people):
    past = Absence.objects.create(
        user=people["carl"], starts_on=day(-5), ends_on=day(-2), reason="sick"
    )
    with pytest.raises(CaseConflict) as refused:
        absence_cancel(absence=past, actor=people["tom"])
    assert refused.value.code == "over"
    with pytest.raises(CaseConflict):
        absence_change(absence=past, ends_on=day(3), actor=people["tom"])


# --- change ------------------------------------------------------------------------------------


def test_shortening_to_today_gives_the_cases_back_at_tonights_run(people, covered, away):
    absence_change(absence=away, ends_on=TODAY, actor=people["tom"])
    assert allocation_run(day=TODAY).returned == 1
    assert holder(covered) == "carl"


def test_extending_keeps_the_cover(people, covered, away):
    absence_change(absence=away, ends_on=day(8), actor=people["tom"])
    assert allocation_run(day=day(5)).returned == 0
    assert holder(covered) == "cora"
    assert allocation_run(day=day(8)).returned == 1
    assert holder(covered) == "carl"


def test_change_is_audited_before_and_after(people, away):
    absence_change(absence=away, ends_on=day(2), actor=people["mia"])
    entry = AuditEntry.objects.filter(event="absence.change").get()
    assert (entry.before["until"], entry.after["until"]) == (day(5).isoformat(), day(2).isoformat())
    assert entry.actor == people["mia"]


def test_a_started_absence_keeps_its_start(people, away):
    with pytest.raises(CaseInvalid) as refused:
        absence_change(absence=away, starts_on=day(1), actor=people["tom"])
    assert (refused.value.field, refused.value.code) == ("starts_on", "started")


def test_an_absence_to_come_may_move_both_ends(people):
    later = absence_record(user=people["cora"], starts_on=day(3), ends_on=day(4), reason="training")
    absence_change(absence=later, starts_on=day(5), ends_on=day(7), actor=people["tom"])
    later.refresh_from_db()
    assert (later.starts_on, later.ends_on) == (day(5), day(7))
    with pytest.raises(CaseInvalid) as refused:
        absence_change(absence=later, starts_on=day(-1), actor=people["tom"])
    assert refused.value.code == "past_date"


@pytest.mark.parametrize(
    ("ends_on", "field", "code"),
    [
        (-1, "ends_on", "before_start"),
        (400, "ends_on", "too_long"),
        (12, "starts_on", "overlap"),
    ],
)
def test_a_change_is_checked_like_a_new_absence(people, away, ends_on, field, code):
    absence_record(user=people["carl"], starts_on=day(10), ends_on=day(12), reason="training")
    with pytest.raises(CaseInvalid) as refused:
        absence_change(absence=away, ends_on=day(ends_on), actor=people["tom"])
    assert (refused.value.field, refused.value.code) == (field, code)
    away.refresh_from_db()
    assert away.ends_on == day(5)


# --- deleting a rule ---------------------------------------------------------------------------


def test_manager_deletes_a_rule_audited_with_its_content(people):
    rule = AllocationRule.objects.create(
        position=3, name="梅州", region_prefix="广东省/梅州市", team=people["tina"].team
    )
    rule_delete(rule=rule, actor=people["mia"])
    assert not AllocationRule.objects.exists()
    entry = AuditEntry.objects.filter(event="allocation.rule_delete").get()
    assert entry.before["name"] == "梅州" and entry.before["region_prefix"] == "广东省/梅州市"
    assert entry.before["team"] == people["tina"].team.name
    assert entry.object_id == str(rule.pk)


def test_team_leads_may_not_delete_rules(people):
    rule = AllocationRule.objects.create(position=1, name="全部", team=people["tom"].team)
    with pytest.raises(CaseForbidden):
        rule_delete(rule=rule, actor=people["tom"])
    assert AllocationRule.objects.filter(pk=rule.pk).exists()


# --- the pages ---------------------------------------------------------------------------------


def assert_no_english(html: str) -> None:
    """The Chinese page shows none of the catalogs' English (the zh page sweep's check)."""
    from arrears.web.tests.pages import english_pattern, english_strings, visible_text

    found = sorted(
        {m.group(0) for m in english_pattern(english_strings()).finditer(visible_text(html))}
    )
    assert found == []


def test_the_new_forms_are_chinese(people, away):
    from arrears.core.models import Team

    # Team names are data: the demo's are Chinese, the test people's are not.
    Team.objects.filter(pk=people["tom"].team_id).update(name="电催一组")
    Team.objects.filter(pk=people["tina"].team_id).update(name="电催二组")
    AllocationRule.objects.create(position=1, name="全部", team=people["tom"].team)
    page = client_for(people["tom"]).get(
        f"/cases/people/{people['carl'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert_no_english(page.content.decode())
    rules = client_for(people["mia"]).get(
        "/cases/allocation/rules/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert_no_english(rules.content.decode())


def test_person_page_moves_the_end_and_cancels_in_chinese(people, away):
    tom = client_for(people["tom"])
    url = f"/cases/people/{people['carl'].pk}/"
    page = tom.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "更改结束日期" in page and "取消缺勤" in page
    assert f"/cases/people/{people['carl'].pk}/absences/{away.pk}/cancel/" in page
    tom.post(f"{url}absences/{away.pk}/change/", {f"a{away.pk}-ends_on": day(2).isoformat()})
    away.refresh_from_db()
    assert away.ends_on == day(2)
    response = tom.post(
        f"{url}absences/{away.pk}/cancel/",
        {f"c{away.pk}-reason": "提前返岗"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    away.refresh_from_db()
    assert away.cancelled_on == TODAY
    page = response.content.decode()
    assert "缺勤已取消" in page and f'data-absence="{away.pk}"' not in page


def test_person_page_refuses_a_past_end_date_with_the_reason(people):
    away = Absence.objects.create(
        user=people["carl"], starts_on=day(-3), ends_on=day(2), reason="sick"
    )
    tom = client_for(people["tom"])
    url = f"/cases/people/{people['carl'].pk}/absences/{away.pk}/change/"
    response = tom.post(
        url, {f"a{away.pk}-ends_on": day(-1).isoformat()}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The end date is in the past." in response.content.decode()
    away.refresh_from_db()
    assert away.ends_on == day(2)


def test_another_teams_lead_cannot_reach_the_absence_forms(people, away):
    url = f"/cases/people/{people['carl'].pk}/absences/{away.pk}/cancel/"
    assert client_for(people["tina"]).post(url).status_code == 404
    assert client_for(people["carl"]).post(url).status_code == 403
    away.refresh_from_db()
    assert away.cancelled_on is None


def test_rules_page_deletes_after_confirming(people):
    rule = AllocationRule.objects.create(position=1, name="梅州客家", team=people["tom"].team)
    mia = client_for(people["mia"])
    page = mia.get("/cases/allocation/rules/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "确认删除规则" in page
    # "Active" of a rule is 启用, not the loan status 未结清 that shares the English word.
    assert 'data-label="启用"' in page and "未结清" not in page
    tom_page = client_for(people["tom"]).get("/cases/allocation/rules/").content.decode()
    assert f"/cases/allocation/rules/{rule.pk}/delete/" not in tom_page
    assert (
        client_for(people["tom"]).post(f"/cases/allocation/rules/{rule.pk}/delete/").status_code
        == 403
    )
    response = mia.post(
        f"/cases/allocation/rules/{rule.pk}/delete/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The rule 梅州客家 is deleted." in response.content.decode()
    assert not AllocationRule.objects.exists()


# --- the API -----------------------------------------------------------------------------------


def errors(response) -> dict:
    [item] = response.json()["errors"]
    return item


def test_api_changes_and_cancels_an_absence(people, covered, away):
    api = ApiClient(people["tom"])
    response = api.post(f"/allocation/absences/{away.pk}", {"ends_on": day(2).isoformat()})
    assert response.status_code == 200 and response.json()["ends_on"] == day(2).isoformat()
    response = api.post(f"/allocation/absences/{away.pk}/cancel", {"reason": "提前返岗"})
    assert response.status_code == 200 and response.json()["cancelled_on"] == TODAY.isoformat()
    assert [a["id"] for a in api.get("/allocation/absences").json()] == []
    assert allocation_run(day=TODAY).returned == 1 and holder(covered) == "carl"


def test_api_errors_name_the_field_and_reason(people, away):
    api = ApiClient(people["tom"])
    response = api.post(f"/allocation/absences/{away.pk}", {"starts_on": day(1).isoformat()})
    assert response.status_code == 422
    assert (errors(response)["field"], errors(response)["code"]) == ("starts_on", "started")
    response = api.post(f"/allocation/absences/{away.pk}", {})
    assert response.status_code == 422 and errors(response)["field"] == "ends_on"
    past = Absence.objects.create(
        user=people["carl"], starts_on=day(-5), ends_on=day(-2), reason="sick"
    )
    response = api.post(f"/allocation/absences/{past.pk}/cancel", {})
    assert response.status_code == 409 and errors(response)["code"] == "over"
    assert (
        ApiClient(people["tina"]).post(f"/allocation/absences/{away.pk}/cancel", {}).status_code
        == 404
    )
    assert api.post("/allocation/absences/987654/cancel", {}).status_code == 404


def test_api_deletes_a_rule(people):
    rule = AllocationRule.objects.create(position=1, name="全部", team=people["tom"].team)
    assert ApiClient(people["tom"]).post(f"/allocation/rules/{rule.pk}/delete").status_code == 403
    response = ApiClient(people["mia"]).post(f"/allocation/rules/{rule.pk}/delete")
    assert response.status_code == 200 and response.json()["name"] == "全部"
    assert not AllocationRule.objects.exists()
    assert ApiClient(people["mia"]).post(f"/allocation/rules/{rule.pk}/delete").status_code == 404
