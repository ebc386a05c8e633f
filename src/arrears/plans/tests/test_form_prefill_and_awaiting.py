"""The plan form starts from the full amount due, with a one-tap "full amount"; the approval
list shows each plan's age and the collector's note (issue 13, "Smaller things")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.plans.selectors import amount_due, plan_amount_fen

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_form_is_filled_with_the_full_amount_due(people, case):
    full = amount_due(case.loan).full
    assert plan_amount_fen(case.loan) == full
    from arrears.core.money import format_yuan

    text = format_yuan(full)
    html = client_for(people["carl"]).get(f"/plans/case/{case.pk}/new/").content.decode()
    assert f'name="agreed_total" value="{text}"' in html or f'value="{text}"' in html
    assert "8,000.00" not in html
    assert f'data-value="{text}"' in html and ">全额</button>" in html
    case_page = client_for(people["carl"]).get(f"/cases/{case.pk}/").content.decode()
    assert f'data-value="{text}"' in case_page


def test_the_awaiting_list_shows_age_and_note(people, case):
    from arrears.plans.services import plan_propose

    plan = plan_propose(
        case=case,
        kind="settlement",
        agreed_total_fen=amount_due(case.loan).full * 3 // 4,
        installments=[
            (dt.date.today() + dt.timedelta(days=7), amount_due(case.loan).full * 3 // 4)
        ],
        actor=people["carl"],
        note="借款人失业，亲属愿代还一半",
    )
    assert plan.status == "pending_approval"
    plan.proposed_on = plan.proposed_on - dt.timedelta(days=3)
    plan.save(update_fields=["proposed_on"])
    html = client_for(people["mia"]).get("/plans/awaiting/").content.decode()
    assert "借款人失业，亲属愿代还一半" in html
    assert "3 天" in html
