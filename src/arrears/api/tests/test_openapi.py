"""The OpenAPI document and the docs page: complete, offline, and money never a float."""

from __future__ import annotations

import pytest
from django.test import Client

from arrears.api.tests.conftest import BASE

ENDPOINTS = {
    ("get", "/api/v1/strategies"),
    ("post", "/api/v1/strategies/validate"),
    ("get", "/api/v1/strategies/handovers"),
    ("post", "/api/v1/strategies/handovers/{handover_id}/take"),
    ("post", "/api/v1/strategies/handovers/{handover_id}/close"),
    ("get", "/api/v1/strategies/{strategy_code}"),
    ("get", "/api/v1/strategies/{strategy_code}/versions"),
    ("post", "/api/v1/strategies/{strategy_code}/versions"),
    ("get", "/api/v1/strategies/{strategy_code}/versions/{number}"),
    ("get", "/api/v1/cases/{case_id}/treatment"),
    ("get", "/api/v1/agencies"),
    ("get", "/api/v1/agencies/{agency_id}"),
    ("post", "/api/v1/agencies/{agency_id}/contracts"),
    ("post", "/api/v1/agencies/{agency_id}/review"),
    ("post", "/api/v1/agencies/{agency_id}/ip-ranges"),
    ("get", "/api/v1/agencies/{agency_id}/statements/{month}"),
    ("get", "/api/v1/agencies/performance"),
    ("get", "/api/v1/agencies/batches"),
    ("get", "/api/v1/agencies/batches/{batch_id}"),
    ("post", "/api/v1/agencies/batches"),
    ("post", "/api/v1/agencies/batches/{batch_id}/recall"),
    ("get", "/api/v1/agencies/placements"),
    ("get", "/api/v1/agencies/payments"),
    ("post", "/api/v1/agencies/payments"),
    ("post", "/api/v1/agencies/payments/{report_id}/decide"),
    ("post", "/api/v1/imports/{kind}"),
    ("post", "/api/v1/exports/{name}"),
    ("get", "/api/v1/jobs"),
    ("get", "/api/v1/jobs/{job_id}"),
    ("get", "/api/v1/jobs/{job_id}/files/{which}"),
    ("post", "/api/v1/jobs/{job_id}/commit"),
    ("get", "/api/v1/predue"),
    ("get", "/api/v1/reports"),
    ("get", "/api/v1/reports/{name}"),
    ("post", "/api/v1/credit-hold/check"),
    ("get", "/api/v1/queues"),
    ("get", "/api/v1/queues/exclusions"),
    ("post", "/api/v1/cases/{case_id}/colour"),
    ("get", "/api/v1/activities"),
    ("post", "/api/v1/activities"),
    ("get", "/api/v1/activities/{activity_id}"),
    ("get", "/api/v1/activities/facts"),
    ("post", "/api/v1/activities/facts"),
    ("post", "/api/v1/activities/facts/{fact_id}/withdraw"),
    ("get", "/api/v1/activities/guarantees"),
    ("get", "/api/v1/allocation/rules"),
    ("post", "/api/v1/allocation/rules"),
    ("post", "/api/v1/allocation/rules/{rule_id}"),
    ("get", "/api/v1/allocation/preview"),
    ("post", "/api/v1/allocation/run"),
    ("get", "/api/v1/allocation/absences"),
    ("post", "/api/v1/allocation/absences"),
    ("post", "/api/v1/allocation/absences/{absence_id}"),
    ("post", "/api/v1/allocation/absences/{absence_id}/cancel"),
    ("post", "/api/v1/allocation/rules/{rule_id}/delete"),
    ("get", "/api/v1/allocation/skills/{username}"),
    ("post", "/api/v1/allocation/skills/{username}"),
    ("post", "/api/v1/allocation/teams/{team_id}"),
    ("get", "/api/v1/cases/{case_id}/suspensions"),
    ("post", "/api/v1/cases/{case_id}/suspend"),
    ("post", "/api/v1/cases/suspensions/{suspension_id}/lift"),
    ("post", "/api/v1/cases/{case_id}/retain"),
    ("post", "/api/v1/cases/retentions/{retention_id}/end"),
    ("post", "/api/v1/cases/{case_id}/rotate"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/audit/export"),
    ("get", "/api/v1/audit/verify"),
    ("get", "/api/v1/borrowers"),
    ("get", "/api/v1/borrowers/{borrower_id}"),
    ("get", "/api/v1/borrowers/{borrower_id}/loans"),
    ("post", "/api/v1/borrowers/{borrower_id}/reveal"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases/assign"),
    ("post", "/api/v1/cases/{case_id}/assign"),
    ("get", "/api/v1/cases/{case_id}/assignments"),
    ("post", "/api/v1/cases/assignments/{assignment_id}/undo"),
    ("get", "/api/v1/cases/{case_id}/assists"),
    ("post", "/api/v1/cases/{case_id}/assists"),
    ("post", "/api/v1/cases/assists/{assist_id}/decide"),
    ("post", "/api/v1/cases/assists/{assist_id}/end"),
    ("post", "/api/v1/cases/complaints/{complaint_id}/assign"),
    ("post", "/api/v1/cases/complaints/{complaint_id}/resolve"),
    ("post", "/api/v1/cases/death-reports/{report_id}/checklist"),
    ("post", "/api/v1/cases/death-reports/{report_id}/decide"),
    ("get", "/api/v1/cases/debtor-types"),
    ("post", "/api/v1/cases/debtor-types"),
    ("post", "/api/v1/cases/debtor-types/{code}"),
    ("get", "/api/v1/cases/{case_id}"),
    ("get", "/api/v1/cases/{case_id}/complaints"),
    ("post", "/api/v1/cases/{case_id}/complaints"),
    ("get", "/api/v1/cases/{case_id}/death-reports"),
    ("post", "/api/v1/cases/{case_id}/death-reports"),
    ("post", "/api/v1/cases/{case_id}/debtor-type"),
    ("post", "/api/v1/cases/{case_id}/escalate"),
    ("post", "/api/v1/cases/{case_id}/estate"),
    ("get", "/api/v1/cases/{case_id}/whereabouts"),
    ("post", "/api/v1/cases/{case_id}/whereabouts"),
    ("get", "/api/v1/documents"),
    ("post", "/api/v1/documents"),
    ("get", "/api/v1/documents/categories"),
    ("get", "/api/v1/documents/{document_id}"),
    ("get", "/api/v1/documents/{document_id}/content"),
    ("post", "/api/v1/documents/{document_id}/delete"),
    ("get", "/api/v1/loans"),
    ("get", "/api/v1/loans/{loan_id}"),
    ("get", "/api/v1/loans/{loan_id}/charges"),
    ("get", "/api/v1/loans/{loan_id}/payments"),
    ("post", "/api/v1/loans/{loan_id}/payments"),
    ("get", "/api/v1/loans/{loan_id}/schedule"),
    ("get", "/api/v1/loans/{loan_id}/payoff"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/notices"),
    ("post", "/api/v1/notices"),
    ("get", "/api/v1/notices/templates"),
    ("get", "/api/v1/notices/{notice_id}"),
    ("post", "/api/v1/notices/{notice_id}/deliver"),
    ("get", "/api/v1/notices/{notice_id}/pdf"),
    ("post", "/api/v1/notices/{notice_id}/serve"),
    ("post", "/api/v1/notices/{notice_id}/sign"),
    ("get", "/api/v1/plans"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans/{plan_id}"),
    ("post", "/api/v1/plans/{plan_id}/accept"),
    ("post", "/api/v1/plans/{plan_id}/cancel"),
    ("post", "/api/v1/plans/{plan_id}/decision"),
    ("post", "/api/v1/plans/{plan_id}/escalate"),
    ("get", "/api/v1/writeoff/authority"),
    ("post", "/api/v1/writeoff/authority/{role}"),
    ("get", "/api/v1/writeoff/ledger"),
    ("get", "/api/v1/writeoff/proposals"),
    ("post", "/api/v1/writeoff/proposals"),
    ("get", "/api/v1/writeoff/proposals/{proposal_id}"),
    ("post", "/api/v1/writeoff/proposals/{proposal_id}/cancel"),
    ("post", "/api/v1/writeoff/proposals/{proposal_id}/decision"),
    ("get", "/api/v1/writeoff/totals"),
    ("get", "/api/v1/promises"),
    ("post", "/api/v1/promises"),
    ("get", "/api/v1/promises/{promise_id}"),
    ("get", "/api/v1/visits"),
    ("post", "/api/v1/visits"),
    ("get", "/api/v1/visits/{visit_id}"),
    ("post", "/api/v1/visits/{visit_id}/photos"),
}


def openapi() -> dict:
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_lists_every_endpoint(db):
    paths = openapi()["paths"]
    listed = {(method, path) for path, ops in paths.items() for method in ops}
    assert listed == ENDPOINTS


def test_every_endpoint_needs_a_token_or_a_session(db):
    doc = openapi()
    assert doc["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for ops in doc["paths"].values():
        for op in ops.values():
            assert {"TokenAuth": []} in op["security"]
            assert "401" in op["responses"]


def test_no_number_in_the_schema_is_a_float(db):
    # Money and rates are strings; the only JSON numbers are integers (days, counts, pages).
    def walk(node):
        if isinstance(node, dict):
            assert node.get("type") != "number", node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(openapi())


def test_the_docs_page_loads_nothing_from_another_site(db):
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert f"{BASE}/docs/assets/swagger-ui-bundle.js" in html
    assert f"{BASE}/openapi.json" in html


def test_the_docs_assets_are_served_from_the_installed_package(db):
    client = Client()
    js = client.get(f"{BASE}/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert js["Content-Type"].startswith("text/javascript")
    css = client.get(f"{BASE}/docs/assets/swagger-ui.css")
    assert css["Content-Type"].startswith("text/css")
    assert client.get(f"{BASE}/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get(f"{BASE}/docs/assets/redoc.standalone.js").status_code == 404


def test_each_choice_list_has_its_own_component(db):
    # Loan.Status, Case.Status, Plan.Status … are all classes named "Status"; sharing one
    # component would let the last one overwrite the others and clients reject real values.
    from arrears.book.models import Loan
    from arrears.cases.models import Case
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    schemas = openapi()["components"]["schemas"]
    assert schemas["LoanStatus"]["enum"] == list(Loan.Status.values)
    assert schemas["CaseStatus"]["enum"] == list(Case.Status.values)
    assert schemas["PlanStatus"]["enum"] == list(Plan.Status.values)
    assert schemas["PromiseStatus"]["enum"] == list(Promise.Status.values)
    assert "Status" not in schemas and "Kind" not in schemas


@pytest.mark.django_db
def test_in_production_the_document_and_the_docs_need_sign_in(settings, people):
    from arrears.core.models import ApiToken

    settings.PRODUCTION = True
    client = Client()
    assert client.get(f"{BASE}/openapi.json").status_code == 401
    page = client.get(f"{BASE}/docs")
    assert page.status_code == 302 and "/login/" in page["Location"]
    raw = ApiToken.issue(people["carl"])[1]
    with_token = client.get(f"{BASE}/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert with_token.status_code == 200 and with_token.json()["info"]["title"] == "Arrears API"
    client.force_login(people["carl"])
    assert client.get(f"{BASE}/docs").status_code == 200


def test_no_two_schemas_share_a_name():
    """django-ninja names an OpenAPI component after its Schema class: two apps' classes of one
    name would both be documented as whichever came first (the reports list was once
    documented as an agency payment)."""
    import collections

    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    # Importing the router imports every app's API module.
    from arrears.api.router import api  # noqa: F401

    names = collections.defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith("arrears.") and ".tests" not in cls.__module__:
            names[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(mods) for name, mods in names.items() if len(mods) > 1}
    assert clashes == {}
