"""Every bad input gets a 4xx in the one error shape, naming the field; never a 500."""

from __future__ import annotations

import pytest

URL = "/loans/L-CARL/payments"


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    for error in body["errors"]:
        assert set(error) == {"code", "field", "message"}
        assert error["code"] and error["message"]
    return body["errors"]


@pytest.fixture
def tom(book, api_as):
    return api_as("tom")


@pytest.mark.parametrize("raw", ["{bad", '{"amount": ', "\xff\xfe", "nul\x00l"])
def test_a_malformed_json_body_is_a_400(tom, raw):
    [error] = assert_error_shape(tom.post(URL, raw=raw), 400)
    assert error["code"] == "malformed_body"


@pytest.mark.parametrize("body", [[1, 2], "text", 42, None])
def test_a_body_that_is_not_an_object_is_a_422(tom, body):
    assert_error_shape(tom.post(URL, body), 422)


def test_an_empty_body_is_a_422(tom):
    [error] = assert_error_shape(tom.post(URL, raw=""), 422)
    assert error["field"] is None


def test_wrong_types_name_their_fields(tom):
    body = {"payment_id": 5, "paid_on": 20260210, "amount": {"yuan": 1}, "channel": 3}
    errors = assert_error_shape(tom.post(URL, body), 422)
    assert {e["field"] for e in errors} == {"payment_id", "paid_on", "amount", "channel"}


@pytest.mark.parametrize("path", ["/loans/L%00X", "/borrowers/B%0A1", "/loans/" + "x" * 65])
def test_unsafe_ids_in_the_path_are_refused(tom, path):
    [error] = assert_error_shape(tom.get(path), 422)
    assert error["field"] in {"loan_id", "borrower_id"}


def test_not_found_and_forbidden_share_the_shape(book, api_as):
    [error] = assert_error_shape(api_as("carl").get("/loans/NOSUCH"), 404)
    assert (error["code"], error["field"]) == ("not_found", None)
    response = api_as("carl").post(URL, {"payment_id": "P", "paid_on": "2026-02-10", "amount": 1})
    [error] = assert_error_shape(response, 403)
    assert error["code"] == "forbidden"


def test_a_wrong_method_is_a_405(tom):
    response = tom.client.delete("/api/v1/loans/L-CARL", headers=tom.headers)
    assert response.status_code == 405


def test_text_that_is_not_valid_unicode_is_refused(tom):
    # JSON may escape a lone surrogate; it cannot be stored (PostgreSQL refuses it).
    raw = '{"payment_id": "P\\ud800", "paid_on": "2026-02-10", "amount": "1.00"}'
    [error] = assert_error_shape(tom.post(URL, raw=raw), 422)
    assert error["field"] == "payment_id"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/documents", "multipart/form-data"),
        ("/notices/1/sign", "multipart/form-data"),
        ("/documents", "multipart/form-data; boundary="),
        ("/notices/1/sign", "multipart/form-data; charset=utf-8"),
    ],
)
def test_a_multipart_body_without_a_boundary_is_a_400_naming_it(people, path, content_type):
    # Issue 11: Django's multipart parser raised, and the API answered 500.
    from arrears.api.tests.conftest import BASE
    from arrears.api.tests.conftest import ApiClient as _Client

    mia = _Client(people["mia"])
    response = mia.client.post(
        BASE + path, b"--x\r\n\r\n", content_type=content_type, headers=mia.headers
    )
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()["errors"]
    assert error["code"] == "malformed_body"
    assert "boundary" in error["message"]
