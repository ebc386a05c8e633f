"""A method a path does not have answers 405 in the one error shape, naming what is allowed."""

from __future__ import annotations

import pytest
from django.test import Client

from arrears.api.tests.conftest import BASE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("post", "/me", "GET"), ("delete", "/loans", "GET"), ("put", "/audit", "GET")],
)
def test_a_wrong_method_answers_405_in_the_error_shape(method, path, allowed):
    response = getattr(Client(), method)(BASE + path)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == allowed
    (error,) = response.json()["errors"]
    assert error["code"] == "method_not_allowed" and error["field"] is None
    assert method.upper() in error["message"] and allowed in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/nothing-here", "/loans/L-1/nothing", "/audit/x/y", "/cases/death-reports/%0A-M/checklist"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_path_the_api_does_not_have_is_a_404_in_the_error_shape(method, path):
    response = getattr(Client(enforce_csrf_checks=True), method)(BASE + path)
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"code": "not_found", "field": None, "message": "not found"}]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/loans", "/cases", "/activities", "/promises", "/plans"])
def test_collections_are_named_without_a_trailing_slash(path):
    # The endpoint is there (it asks for a token); the same path with a slash is not.
    assert Client().get(BASE + path).status_code == 401
    assert Client().get(BASE + path + "/").status_code == 404


@pytest.mark.django_db
def test_operations_with_a_body_document_the_malformed_body_answer():
    doc = Client().get(BASE + "/openapi.json").json()
    post = doc["paths"][BASE + "/loans/{loan_id}/payments"]["post"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert "400" not in doc["paths"][BASE + "/loans"]["get"]["responses"]
