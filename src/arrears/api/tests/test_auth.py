"""Who may call the API at all: bearer tokens and browser sessions."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from arrears.api.tests.conftest import BASE, ApiClient
from arrears.core.models import ApiToken

PAYMENT = {"payment_id": "P-AUTH-1", "paid_on": "2026-02-10", "amount": "888.49"}


def assert_401(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    [error] = response.json()["errors"]
    assert error["code"] == "not_authenticated"
    assert error["field"] is None


def test_it_refuses_a_request_without_credentials(people):
    assert_401(ApiClient(None).get("/me"))


def test_it_refuses_an_unknown_token(people):
    assert_401(ApiClient(None, raw_token="arr_not-a-real-token").get("/me"))


def test_it_refuses_an_empty_bearer_token(people):
    response = Client().get(f"{BASE}/me", headers={"Authorization": "Bearer "})
    assert_401(response)


def test_it_refuses_another_auth_scheme(people):
    response = Client().get(f"{BASE}/me", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert_401(response)


def test_it_refuses_a_revoked_token(people):
    token, raw = ApiToken.issue(people["carl"])
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert_401(ApiClient(None, raw_token=raw).get("/me"))


def test_it_refuses_the_token_of_a_deactivated_user(people):
    _, raw = ApiToken.issue(people["carl"])
    people["carl"].is_active = False
    people["carl"].save()
    assert_401(ApiClient(None, raw_token=raw).get("/me"))


def test_a_good_token_identifies_its_user(people):
    token, raw = ApiToken.issue(people["carl"])
    response = ApiClient(None, raw_token=raw).get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "carl"
    assert body["role"] == "collector"
    assert body["team"] == "Team A"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_lists_the_roles_capabilities(people, api_as):
    assert api_as("tom").get("/me").json()["capabilities"] == [
        "book.export",
        "case.assign",
        "case.colour",
        "case.legal_track",
        "case.work",
        "complaint.resolve",
        "death.decide",
        "document.file",
        "notice.issue",
        "notice.serve",
        "payment.post",
        "pii.phone",
        "plan.approve",
        "plan.propose",
        "predue.read",
        "queue.oversee",
        "report.read",
        "strategy.read",
    ]
    aud = api_as("aud").get("/me").json()
    assert aud["read_only"] is True
    assert "payment.post" not in aud["capabilities"]
    assert api_as("ada").get("/me").json()["agency"] == "Agency One"


def test_a_signed_in_session_may_read(people):
    client = Client()
    client.force_login(people["carl"])
    response = client.get(f"{BASE}/me")
    assert response.status_code == 200
    assert response.json()["username"] == "carl"


def test_a_session_must_send_the_csrf_token_to_post(people, book):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["tom"])
    url = f"{BASE}/loans/L-CARL/payments"
    response = client.post(url, PAYMENT, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "csrf_failed"

    # A page's script sends the csrftoken cookie's value back as a header.
    token = "a" * 32
    client.cookies["csrftoken"] = token
    response = client.post(
        url, PAYMENT, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_a_token_needs_no_csrf_token(people, book):
    api = ApiClient(people["tom"])
    api.client = Client(enforce_csrf_checks=True)
    assert api.post("/loans/L-CARL/payments", PAYMENT).status_code == 201


def test_a_bad_token_is_not_rescued_by_a_session_cookie(people):
    client = Client()
    client.force_login(people["carl"])
    response = client.get(f"{BASE}/me", headers={"Authorization": "Bearer arr_wrong"})
    assert_401(response)
