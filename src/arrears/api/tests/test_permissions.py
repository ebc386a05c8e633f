"""The permission and scope matrix: every endpoint × every role, with the designed status.

The target is L-CARL (team A, collector carl, field agent fay) and its borrower B-CARL; see
conftest.py for the rest of the book. Reads answer 404 outside the user's scope, exactly as
for an ID that does not exist. Posting a payment needs `payment.post`: roles without it get
403 before any lookup (so the answer says nothing about the loan), and a role with it that
cannot see the loan gets 404.
"""

from __future__ import annotations

import pytest

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")

# Who can see L-CARL and B-CARL.
SEES_CARL = {"alice", "mia", "tom", "carl", "fay", "aud"}
READ_CARL = {u: 200 if u in SEES_CARL else 404 for u in USERS}
EVERYONE = dict.fromkeys(USERS, 200)
POST_CARL = {
    "alice": 201,
    "mia": 201,
    "tom": 201,
    "tina": 404,  # may post payments, but not on team A's loans
    "carl": 403,
    "cora": 403,
    "fay": 403,
    "lee": 403,
    "ada": 403,
    "aud": 403,
}

PAYMENT = {"payment_id": "P-MATRIX", "paid_on": "2026-02-10", "amount": "888.49"}

MATRIX = [
    ("GET", "/me", EVERYONE),
    ("GET", "/loans", EVERYONE),
    ("GET", "/loans/L-CARL", READ_CARL),
    ("GET", "/loans/L-CARL?as_of=2026-03-20", READ_CARL),
    ("GET", "/loans/L-CARL/schedule", READ_CARL),
    ("GET", "/loans/L-CARL/payments", READ_CARL),
    ("GET", "/loans/L-CARL/charges", READ_CARL),
    ("POST", "/loans/L-CARL/payments", POST_CARL),
    ("GET", "/borrowers", EVERYONE),
    ("GET", "/borrowers/B-CARL", READ_CARL),
    ("GET", "/borrowers/B-CARL/loans", READ_CARL),
]

CASES = [
    pytest.param(method, path, user, expected[user], id=f"{method} {path} {user}")
    for method, path, expected in MATRIX
    for user in USERS
]


@pytest.mark.parametrize(("method", "path", "username", "status"), CASES)
def test_permission_matrix(book, api_as, method, path, username, status):
    api = api_as(username)
    if method == "GET":
        path, _, query = path.partition("?")
        params = dict(p.split("=") for p in query.split("&")) if query else {}
        response = api.get(path, **params)
    else:
        response = api.post(path, PAYMENT)
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["errors"][0]["code"] in {"forbidden", "not_found"}


# Which loans and borrowers each user's lists show.
VISIBLE = {
    "alice": {"L-CARL", "L-CORA", "L-PLACED"},
    "mia": {"L-CARL", "L-CORA", "L-PLACED"},
    "aud": {"L-CARL", "L-CORA", "L-PLACED"},
    "tom": {"L-CARL", "L-CORA"},
    "tina": {"L-PLACED"},
    "carl": {"L-CARL"},
    "cora": {"L-CORA"},
    "fay": {"L-CARL"},
    "lee": {"L-PLACED"},
    "ada": {"L-PLACED"},
}


@pytest.mark.parametrize("username", USERS)
def test_lists_show_only_the_users_scope(book, api_as, username):
    api = api_as(username)
    loans = api.get("/loans").json()
    assert {row["loan_id"] for row in loans["items"]} == VISIBLE[username]
    assert loans["count"] == len(VISIBLE[username])
    borrowers = api.get("/borrowers").json()
    assert {row["borrower_id"] for row in borrowers["items"]} == {
        "B" + loan_id[1:] for loan_id in VISIBLE[username]
    }


def test_a_collector_cannot_read_another_collectors_loan_by_guessing(book, api_as):
    carl = api_as("carl")
    for path in (
        "/loans/L-CORA",
        "/loans/L-CORA/schedule",
        "/loans/L-CORA/payments",
        "/loans/L-CORA/charges",
        "/borrowers/B-CORA",
        "/borrowers/B-CORA/loans",
    ):
        outside = carl.get(path)
        missing = carl.get(path.replace("CORA", "NOSUCH"))
        # Outside the scope looks exactly like an ID that does not exist.
        assert outside.status_code == missing.status_code == 404, path
        assert outside.json() == missing.json()


def test_a_borrower_shows_only_the_loans_in_scope(people, book, api_as):
    from arrears.testing import make_loan

    # A second loan of carl's borrower, worked by cora: carl must not see it listed.
    make_loan(external_id="L-CARL-2", borrower=book["carl"].borrower, collector=people["cora"])
    rows = api_as("carl").get("/borrowers/B-CARL/loans").json()
    assert [row["loan_id"] for row in rows] == ["L-CARL"]
    rows = api_as("mia").get("/borrowers/B-CARL/loans").json()
    assert sorted(row["loan_id"] for row in rows) == ["L-CARL", "L-CARL-2"]


def test_the_auditor_changes_nothing(book, api_as):
    response = api_as("aud").post("/loans/L-CARL/payments", PAYMENT)
    assert response.status_code == 403
    assert "auditor" in response.json()["errors"][0]["message"]
    assert api_as("mia").get("/loans/L-CARL/payments").json() == []
