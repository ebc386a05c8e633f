"""Editing a rule pack in the browser: the pack page (rules and history) and the one-rule form
(block/warn, typed parameters, a note) that saves the next version through rulepack_revise."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.activities.errors import ContactRefused
from arrears.activities.models import Activity
from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import bullet, local, open_case, yesterday
from arrears.compliance.models import RulePack
from arrears.compliance.selectors import pack_current
from arrears.compliance.services import rulepack_revise
from arrears.core.models import AuditEntry
from arrears.testing import PASSWORD, make_borrower

pytestmark = pytest.mark.django_db

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")
READERS = {"alice", "mia", "aud"}
HOURS = "CN.CONTACT_HOURS"
NOTE = "Lender policy 2026-03: no calls after 21:00"


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def edit_url(code="cn_default", rule_id=HOURS):
    return reverse("compliance:rule_edit", args=[code, rule_id])


def hours_form(version=1, **over):
    data = {
        "version": version,
        "mode": "block",
        "p_start": "08:00",
        "p_end": "22:00",
        "p_channels": "call, sms, visit, email",
        "p_consent_lifts": "on",
        "note": NOTE,
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def rule_of(pack, rule_id=HOURS):
    return pack.rules.get(rule_id=rule_id)


@pytest.mark.parametrize("username", USERS)
def test_admins_managers_and_auditors_read_a_pack_only_admins_edit(client, people, username):
    login(client, username)
    page = client.get(reverse("compliance:pack", args=["cn_default"]))
    assert page.status_code == (200 if username in READERS else 403)
    if username in READERS:
        html = page.content.decode()
        assert HOURS in html and "22:00" in html and "v1" in html
        assert (edit_url() in html) is (username == "alice")  # no edit link for others
    get = client.get(edit_url())
    post = client.post(edit_url(), hours_form(p_end="21:00"))
    assert (get.status_code, post.status_code) == (
        (200, 302) if username == "alice" else (403, 403)
    )
    assert pack_current("cn_default").version == (2 if username == "alice" else 1)


def test_the_packs_page_links_each_pack_and_the_pack_page_shows_history(client, people):
    login(client, "alice")
    html = client.get(reverse("compliance:packs")).content.decode()
    for code in ("cn_default", "us_reg_f", "uk_conc"):
        assert reverse("compliance:pack", args=[code]) in html
    rulepack_revise(
        pack=pack_current("uk_conc"),
        changes={"rules": {"UK.THIRD_PARTY": {"mode": "warn"}}},
        actor=people["alice"],
        note="Trial of warnings",
    )
    html = client.get(reverse("compliance:pack", args=["uk_conc"])).content.decode()
    assert "v2" in html and "v1" in html and "Trial of warnings" in html and "alice" in html
    assert "版本历史" in html  # Chinese by default
    english = client.get(
        reverse("compliance:pack", args=["uk_conc"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Version history" in english
    assert client.get(reverse("compliance:pack", args=["nope"])).status_code == 404
    assert client.get(edit_url(rule_id="CN.NOPE")).status_code == 404


def test_the_form_is_typed_from_the_current_values(client, people):
    html = login(client, "alice").get(edit_url()).content.decode()
    assert 'name="p_end"' in html and 'value="22:00"' in html
    assert 'value="call, sms, visit, email"' in html
    assert 'name="p_consent_lifts"' in html and "checked" in html
    calls = login(client, "alice").get(edit_url(rule_id="CN.CONNECTED_CALLS")).content.decode()
    assert 'type="number"' in calls


def test_an_admin_moves_the_end_of_contact_hours_and_the_act_time_check_follows(client, people):
    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    case = open_case(bullet("L-CARL", wang, team=people["tom"].team, collector=people["carl"]))
    day = yesterday()

    response = login(client, "alice").post(edit_url(), hours_form(p_end="21:00"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/compliance/packs/cn_default/#rule-{HOURS}")

    v1 = RulePack.objects.get(code="cn_default", version=1)
    v2 = pack_current("cn_default")
    assert v2.version == 2 and v2.note == NOTE and v2.created_by == people["alice"]
    assert rule_of(v1).parameters["end"] == "22:00"  # the old version is intact
    assert rule_of(v2).parameters == {**rule_of(v1).parameters, "end": "21:00"}
    assert rule_of(v2).mode == "block"
    assert v2.rules.count() == v1.rules.count()

    entry = AuditEntry.objects.get(event="rulepack.revise")
    assert entry.actor == people["alice"]
    assert entry.before["version"] == 1 and entry.after["version"] == 2
    assert [r["parameters"]["end"] for r in entry.before["rules"]] == ["22:00"]
    assert [r["parameters"]["end"] for r in entry.after["rules"]] == ["21:00"]
    assert entry.after["note"] == NOTE

    with pytest.raises(ContactRefused) as exc:
        activity_log(
            case=case,
            actor=people["carl"],
            channel="call",
            outcome="right_party_contact",
            occurred_at=local(day, 21, 30),
            source="web",
        )
    assert exc.value.rule_ids == [HOURS]
    assert "21:00" in exc.value.blocking[0].message_zh
    assert not Activity.objects.exists()
    assert activity_log(
        case=case,
        actor=people["carl"],
        channel="call",
        outcome="right_party_contact",
        occurred_at=local(day, 20, 59),
        source="web",
    ).pk


def test_block_can_become_warn(client, people):
    response = login(client, "alice").post(edit_url(), hours_form(mode="warn"))
    assert response.status_code == 302
    assert rule_of(pack_current("cn_default")).mode == "warn"


@pytest.mark.parametrize(
    ("rule_id", "data", "field", "words"),
    [
        (HOURS, {"p_end": "25:00"}, "p_end", "HH:MM"),
        (HOURS, {"p_end": "nine"}, "p_end", "HH:MM"),
        (HOURS, {"p_start": "21:00", "p_end": "08:00"}, "p_start", "start must be before end"),
        (
            "CN.CONNECTED_CALLS",
            {"p_max_per_day": "-1"},
            "p_max_per_day",
            "greater than or equal to 0",
        ),
        ("CN.CONNECTED_CALLS", {"p_max_per_day": "0"}, "p_max_per_day", "whole number ≥ 1"),
        ("CN.CONNECTED_CALLS", {"p_max_per_day": "two"}, "p_max_per_day", "whole number"),
    ],
)
def test_a_bad_parameter_is_an_error_naming_it_and_changes_nothing(
    client, people, rule_id, data, field, words
):
    login(client, "alice")
    form = client.get(edit_url(rule_id=rule_id)).context["form"]
    post = {k: v for k, v in form.initial.items() if k != "p_consent_lifts" or v}
    post = {k: ("on" if v is True else v) for k, v in post.items()}
    post.update({"note": NOTE, **data})
    response = client.post(edit_url(rule_id=rule_id), post, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and words in str(errors[field])
    assert f"{field.removeprefix('p_')}: " in response.content.decode()  # named on the page
    assert pack_current("cn_default").version == 1
    assert not AuditEntry.objects.filter(event="rulepack.revise").exists()


def test_the_note_is_required(client, people):
    response = login(client, "alice").post(edit_url(), hours_form(p_end="21:00", note="  "))
    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    assert pack_current("cn_default").version == 1


def test_someone_else_saved_first_is_a_clear_message_and_keeps_the_typing(client, people):
    login(client, "alice")
    rulepack_revise(
        pack=pack_current("cn_default"),
        changes={"rules": {"CN.CONNECTED_CALLS": {"parameters": {"max_per_day": 2}}}},
        actor=people["alice"],
        note="Fewer calls",
    )
    response = client.post(edit_url(), hours_form(version=1, p_end="21:00"))
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="stale"' in html and "其他人已先保存了 cn_default：现为第 2 版" in html
    assert 'value="21:00"' in html  # what was typed is still there
    assert response.context["form"]["version"].value() == "2"
    assert pack_current("cn_default").version == 2
    # saving again on top of version 2 works and keeps the other person's change
    again = client.post(edit_url(), hours_form(version=2, p_end="21:00"))
    assert again.status_code == 302
    v3 = pack_current("cn_default")
    assert v3.version == 3 and rule_of(v3).parameters["end"] == "21:00"
    assert rule_of(v3, "CN.CONNECTED_CALLS").parameters["max_per_day"] == 2


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_an_admin_reads_a_pack_and_edits_a_rule(live_server, browser, people):
    from arrears.testing import PHONE, browser_sign_in, fits_width

    page = browser_sign_in(browser, live_server, "alice", viewport=PHONE)
    page.goto(f"{live_server.url}{reverse('compliance:pack', args=['cn_default'])}")
    assert fits_width(page)
    page.locator(f'[id="rule-{HOURS}"] a').click()
    assert fits_width(page)
    page.fill("#id_p_end", "21:00")
    page.fill("#id_note", NOTE)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/compliance/packs/cn_default/**")
    assert "cn_default v2" in page.content() and fits_width(page)
    assert rule_of(pack_current("cn_default")).parameters["end"] == "21:00"
