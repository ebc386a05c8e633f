"""案件标色: a collector marks a case with a colour; audited; on the case page, the API and the
case list's filter."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from arrears.cases.colours import case_colour_set
from arrears.cases.errors import CaseForbidden, CaseInvalid
from arrears.cases.models import Case
from arrears.core.models import ApiToken, AuditEntry
from arrears.queues.tests.conftest import client_for, run_eod

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(book):
    run_eod()
    return {k: Case.objects.filter(loan=v).first() for k, v in book.items()}


def test_setting_a_colour_is_audited_and_clearing_it_too(cases, people):
    case = cases["carl_mid"]

    assert case_colour_set(case=case, colour="red", actor=people["carl"]) is True
    assert case_colour_set(case=case, colour="red", actor=people["carl"]) is False
    case_colour_set(case=case, colour="", actor=people["carl"])

    entries = AuditEntry.objects.filter(event="case.colour").order_by("id")
    assert [(e.before, e.after) for e in entries] == [
        ({"colour": ""}, {"colour": "red"}),
        ({"colour": "red"}, {"colour": ""}),
    ]
    assert Case.objects.get(pk=case.pk).colour_flag == ""


def test_an_unknown_colour_and_a_role_without_the_right_are_refused(cases, people):
    case = cases["carl_mid"]
    with pytest.raises(CaseInvalid) as bad:
        case_colour_set(case=case, colour="pink", actor=people["carl"])
    assert bad.value.field == "colour"
    with pytest.raises(CaseForbidden):
        case_colour_set(case=case, colour="red", actor=people["aud"])
    assert Case.objects.get(pk=case.pk).colour_flag == ""


def test_the_case_page_control_sets_it_and_the_list_filters_by_it(cases, people):
    client = client_for(people["carl"])
    case = cases["carl_mid"]

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/queues/cases/{case.pk}/colour/"' in page
    response = client.post(f"/queues/cases/{case.pk}/colour/", {"colour": "orange"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).colour_flag == "orange"

    listed = client.get("/cases/", {"colour": "orange"}).content.decode()
    assert f"/cases/{case.pk}/" in listed
    assert f"/cases/{cases['carl_big'].pk}/" not in listed
    others = client.get("/cases/", {"colour": "none"}).content.decode()
    assert f"/cases/{cases['carl_big'].pk}/" in others
    assert f"/cases/{case.pk}/" not in others


def test_another_collectors_case_cannot_be_coloured(cases, people):
    response = client_for(people["cora"]).post(
        f"/queues/cases/{cases['carl_mid'].pk}/colour/", {"colour": "red"}
    )
    assert response.status_code == 404


def test_the_api_sets_the_colour_and_the_case_list_filters(cases, people):
    _, raw = ApiToken.issue(people["carl"], name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    case = cases["carl_small"]
    client = Client()

    response = client.post(
        f"/api/v1/cases/{case.pk}/colour",
        json.dumps({"colour": "green"}),
        content_type="application/json",
        headers=headers,
    )
    assert json.loads(response.content) == {"case_id": case.pk, "colour": "green", "changed": True}
    bad = client.post(
        f"/api/v1/cases/{case.pk}/colour",
        json.dumps({"colour": "pink"}),
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert json.loads(bad.content)["errors"][0]["field"] == "colour"
    listed = json.loads(client.get("/api/v1/cases", {"colour": "green"}, headers=headers).content)
    assert [c["id"] for c in listed["items"]] == [case.pk]
