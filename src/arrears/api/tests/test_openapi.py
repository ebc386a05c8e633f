"""The OpenAPI document and the docs page: complete, offline, and money never a float."""

from __future__ import annotations

from django.test import Client

from arrears.api.tests.conftest import BASE

ENDPOINTS = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/loans"),
    ("get", "/api/v1/loans/{loan_id}"),
    ("get", "/api/v1/loans/{loan_id}/schedule"),
    ("get", "/api/v1/loans/{loan_id}/payments"),
    ("post", "/api/v1/loans/{loan_id}/payments"),
    ("get", "/api/v1/loans/{loan_id}/charges"),
    ("get", "/api/v1/borrowers"),
    ("get", "/api/v1/borrowers/{borrower_id}"),
    ("get", "/api/v1/borrowers/{borrower_id}/loans"),
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
