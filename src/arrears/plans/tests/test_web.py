"""The plans panel of the case page, the proposal form, the decision buttons, the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from arrears.cases.panels import case_panels
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry
from arrears.plans.models import Plan, PlanAuthority
from arrears.plans.selectors import amount_due
from arrears.plans.services import Spread, plan_propose
from arrears.plans.views import case_panel_context
from arrears.testing import PASSWORD
from arrears.web.navigation import nav_for

pytestmark = pytest.mark.django_db


def login(client, who):
    assert client.login(username=who, password=PASSWORD)


def later(days):
    return local_today() + dt.timedelta(days=days)


@pytest.fixture
def full(loan):
    return amount_due(loan).full


def propose(case, actor, agreed, count=3):
    return plan_propose(
        case=case,
        kind="installment_plan",
        agreed_total_fen=agreed,
        installments=Spread(count, later(10)),
        actor=actor,
    )


def _yuan(fen):
    return f"{fen // 100}.{fen % 100:02d}"


def panel_html(user, case, lang="zh-hans"):
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    with translation.override(lang):
        return render_to_string(
            "plans/_case_plans.html", {"panel": case_panel_context(request, case)}, request=request
        )


def test_the_panel_is_registered_for_the_case_page():
    [panel] = [p for p in case_panels() if p.key == "plans"]
    assert panel.template == "plans/_case_plans.html"


def test_the_panel_shows_the_full_amount_due_before_the_plans(people, case, full):
    propose(case, people["carl"], full - full // 4)
    html = panel_html(people["carl"], case, "en")
    due = html.index("Payoff amount as of")
    assert f"{full // 100:,}.{full % 100:02d}" in html[due : due + 400]
    assert due < html.index("Plan ") < html.index("Approval history")
    assert "Awaiting approval" in html and "Collection manager" in html
    assert "10,000.00" in html  # principal outstanding
    assert "Propose a plan or settlement" in html
    # carl proposed it and cannot decide; no approve button for him.
    assert 'name="approve"' not in html


def test_the_panel_in_chinese_with_the_buttons_for_an_approver(people, case, full):
    propose(case, people["carl"], full - 10_000)
    html = panel_html(people["tom"], case)
    assert "提前结清金额" in html and "协商还款" in html
    assert "批准" in html and "驳回" in html and "上报" in html
    assert "审批记录" in html


def test_the_auditor_sees_the_panel_without_forms(people, case, full):
    propose(case, people["carl"], full)
    html = panel_html(people["aud"], case, "en")
    assert "Payoff amount" in html
    assert "<form" not in html


def test_proposing_from_the_form_redirects_to_the_case_page(client, people, case, full):
    login(client, "carl")
    response = client.post(
        reverse("plans:propose", args=[case.pk]),
        {
            "kind": "installment_plan",
            "agreed_total": _yuan(full),
            "count": "3",
            "first_due_on": later(10).isoformat(),
            "interval": "month",
            "note": "salary on the 10th",
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#plan-{plan.pk}"
    assert (plan.status, plan.installment_count, plan.note) == ("approved", 3, "salary on the 10th")
    assert plan.source == "web"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agreed_total": "abc"}, "agreed_total"),
        ({"agreed_total": "99999999"}, "agreed_total"),
        ({"first_due_on": "2020-01-01"}, "first_due_on"),
        ({"first_due_on": "tomorrow"}, "first_due_on"),
        ({"count": "0"}, "count"),
    ],
)
def test_a_refused_proposal_shows_the_error_on_its_field(client, people, case, full, change, field):
    login(client, "carl")
    data = {
        "kind": "installment_plan",
        "agreed_total": _yuan(full),
        "count": "3",
        "first_due_on": later(10).isoformat(),
        "interval": "month",
    } | change
    response = client.post(reverse("plans:propose", args=[case.pk]), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert "提前结清金额" in response.content.decode()
    assert Plan.objects.count() == 0


def test_the_proposal_page_is_404_outside_scope_and_403_for_auditors(client, people, other_case):
    login(client, "carl")
    assert client.get(reverse("plans:propose", args=[other_case.pk])).status_code == 404
    client.logout()
    login(client, "aud")
    assert client.get(reverse("plans:propose", args=[other_case.pk])).status_code == 403


def test_a_team_lead_beyond_authority_gets_a_403_a_manager_approves(client, people, case, full):
    plan = propose(case, people["carl"], full - full // 4)
    login(client, "tom")
    url = reverse("plans:decide", args=[plan.pk])
    response = client.post(url, {"approve": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "pending_approval"
    client.logout()
    login(client, "mia")
    response = client.post(url, {"approve": "1", "note": "fine"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#plan-{plan.pk}"
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == ("approved", people["mia"])
    assert plan.history.last().note == "fine"


def test_the_queue_lists_what_the_user_may_decide(client, people, case, full):
    small = propose(case, people["carl"], full - 10_000)
    big = propose(case, people["carl"], full - full // 4)
    login(client, "tom")
    page = client.get(reverse("plans:awaiting"))
    assert [p.pk for p in page.context["plans"]] == [small.pk]
    assert "待审批还款计划" in page.content.decode()
    client.logout()
    login(client, "mia")
    page = client.get(reverse("plans:awaiting"))
    assert [p.pk for p in page.context["plans"]] == [small.pk, big.pk]
    # Deciding from the queue comes back to the queue.
    response = client.post(
        reverse("plans:decide", args=[big.pk]), {"approve": "0", "next": "/plans/awaiting/"}
    )
    assert response["Location"] == "/plans/awaiting/"
    big.refresh_from_db()
    assert big.status == "rejected"


def test_collectors_have_no_queue_and_no_nav_item(client, people):
    login(client, "carl")
    assert client.get(reverse("plans:awaiting")).status_code == 403
    assert "plans_awaiting" not in [link.key for link in nav_for(people["carl"], "/")]
    assert "plans_awaiting" in [link.key for link in nav_for(people["tom"], "/")]


def test_accepting_from_the_panel(client, people, case, full):
    plan = propose(case, people["carl"], full)
    login(client, "carl")
    response = client.post(
        reverse("plans:accept", args=[plan.pk]), {"accepted_on": local_today().isoformat()}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.accepted_on) == ("active", local_today())
    # A second acceptance is refused with a message, not an error page.
    response = client.post(
        reverse("plans:accept", args=[plan.pk]),
        {"accepted_on": local_today().isoformat()},
        follow=True,
    )
    assert "无法登记同意" in response.content.decode()


def test_a_bad_acceptance_date_is_a_message(client, people, case, full):
    plan = propose(case, people["carl"], full)
    login(client, "carl")
    response = client.post(
        reverse("plans:accept", args=[plan.pk]), {"accepted_on": "2026-02-30"}, follow=True
    )
    assert "借款人同意日期" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_cancel_and_escalate_buttons(client, people, case, full):
    plan = propose(case, people["carl"], full - 10_000)
    login(client, "tom")
    client.post(reverse("plans:escalate", args=[plan.pk]), {"note": "big"})
    plan.refresh_from_db()
    assert plan.awaiting_role == "manager"
    client.logout()
    login(client, "carl")
    client.post(reverse("plans:cancel", args=[plan.pk]), {"note": "declined"})
    plan.refresh_from_db()
    assert plan.status == "cancelled"


def test_another_teams_plan_is_404(client, people, case, full):
    plan = propose(case, people["carl"], full - 10_000)
    login(client, "tina")
    assert client.post(reverse("plans:decide", args=[plan.pk]), {"approve": "1"}).status_code == 404


def test_an_admin_edits_the_authority_table(client, people):
    login(client, "alice")
    page = client.get(reverse("plans:authority"))
    assert page.status_code == 200
    response = client.post(
        reverse("plans:authority"),
        {"role": "team_lead", "max_discount": "12.5", "max_term_months": "18"},
    )
    assert response.status_code == 302
    auth = PlanAuthority.objects.get(role="team_lead")
    assert (auth.max_discount_bp, auth.max_term_months) == (1250, 18)
    assert AuditEntry.objects.get(event="plan.authority").before == {
        "max_discount_bp": 1000,
        "max_term_months": 12,
    }
    bad = client.post(
        reverse("plans:authority"),
        {"role": "team_lead", "max_discount": "150", "max_term_months": ""},
    )
    assert bad.status_code == 400
    client.logout()
    login(client, "tom")
    assert client.get(reverse("plans:authority")).status_code == 200
    assert (
        client.post(
            reverse("plans:authority"), {"role": "team_lead", "max_discount": "50"}
        ).status_code
        == 403
    )


def test_the_seeded_authority_table():
    rows = {a.role: (a.max_discount_bp, a.max_term_months) for a in PlanAuthority.objects.all()}
    assert rows == {
        "collector": (0, 6),
        "field_agent": (0, 6),
        "legal": (0, 6),
        "team_lead": (1000, 12),
        "manager": (3000, 24),
        "admin": (None, None),
    }
