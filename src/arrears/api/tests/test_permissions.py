"""Scope of the loan book: what each user's lists show, and guessing loan and borrower IDs.

The target is L-CARL (team A, collector carl, field agent fay) and its borrower B-CARL; see
conftest.py for the rest of the book. Reads answer 404 outside the user's scope, exactly as
for an ID that does not exist. Posting a payment needs `payment.post`: roles without it get
403 before any lookup (so the answer says nothing about the loan), and a role with it that
cannot see the loan gets 404.
"""

from __future__ import annotations

import pytest

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")

PAYMENT = {"payment_id": "P-MATRIX", "paid_on": "2026-02-10", "amount": "888.49"}

# The matrix of every operation × every user (loans and borrowers included) is in
# test_permission_matrix_casework.py, with a guard that every operation has a row.


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
