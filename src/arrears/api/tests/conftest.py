"""Fixtures for the API tests: a small book assigned across the named people, and clients.

The book (see arrears.testing for the people):
- L-CARL: team A, collector carl, field agent fay
- L-CORA: team A, collector cora
- L-PLACED: team B, placed with Agency One (ada), legal officer lee
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from arrears.core.models import ApiToken, User
from arrears.testing import make_borrower, make_loan

BASE = "/api/v1"


class ApiClient:
    """A test client that sends one user's bearer token with every request."""

    def __init__(self, user: User | None, raw_token: str | None = None):
        self.user = user
        self.client = Client()
        if raw_token is None and user is not None:
            _, raw_token = ApiToken.issue(user, name="test")
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(
            BASE + path, data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def book(people):
    team_a = people["tom"].team
    team_b = people["tina"].team
    agency = people["ada"].agency
    return {
        "carl": make_loan(
            external_id="L-CARL",
            borrower=make_borrower(external_id="B-CARL", name="王小二", phone="13812345678"),
            collector=people["carl"],
            team=team_a,
            field_agent=people["fay"],
        ),
        "cora": make_loan(
            external_id="L-CORA",
            borrower=make_borrower(external_id="B-CORA", name="李四"),
            collector=people["cora"],
            team=team_a,
        ),
        "placed": make_loan(
            external_id="L-PLACED",
            borrower=make_borrower(external_id="B-PLACED", name="赵六"),
            team=team_b,
            agency=agency,
            legal_officer=people["lee"],
        ),
    }


@pytest.fixture
def api_as(people):
    """api_as("carl") -> an ApiClient with a fresh token of carl's."""

    def make(username: str) -> ApiClient:
        return ApiClient(people[username])

    return make
