"""POST /borrowers/{id}/reveal: one masked number in full, for the roles that may, audited.

The matrix covers every role × each kind of number on B-CARL (team A, collector carl, field
agent fay; see conftest.py): 200 with the number, 403 for a role that may not reveal that
kind (before any lookup), 404 for one that may but cannot see the borrower.
"""

from __future__ import annotations

import pytest

from arrears.book.models import Contact, Guarantor
from arrears.core.models import AuditEntry

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")
FULL_ID = "510100198501010015"
PHONE = "13812345678"

# pii.phone: everyone but the auditor; pii.id_number: admin, manager, legal.
PHONE_STATUS = {
    "alice": 200,
    "mia": 200,
    "tom": 200,
    "tina": 404,  # may reveal phones, but B-CARL is team A's
    "carl": 200,
    "cora": 404,
    "fay": 200,
    "lee": 404,
    "ada": 404,
    "aud": 403,  # reads masked figures only
}
ID_STATUS = {
    "alice": 200,
    "mia": 200,
    "tom": 403,
    "tina": 403,
    "carl": 403,
    "cora": 403,
    "fay": 403,
    "lee": 404,  # may reveal ID numbers, not on a loan of another legal officer's
    "ada": 403,
    "aud": 403,
}


@pytest.fixture
def carl_borrower(book):
    borrower = book["carl"].borrower
    borrower.id_number = FULL_ID
    borrower.save()
    return borrower


@pytest.mark.parametrize(
    ("field", "username", "status"),
    [("phone", u, PHONE_STATUS[u]) for u in USERS]
    + [("id_number", u, ID_STATUS[u]) for u in USERS],
)
def test_reveal_matrix(carl_borrower, api_as, field, username, status):
    response = api_as(username).post("/borrowers/B-CARL/reveal", {"field": field})
    assert response.status_code == status, response.content
    entries = AuditEntry.objects.filter(event="pii.reveal")
    if status == 200:
        assert response.json() == {
            "field": field,
            "value": FULL_ID if field == "id_number" else PHONE,
        }
        entry = entries.get()
        assert entry.actor.username == username
        assert entry.source == "api"
        assert entry.object_type == "book.Borrower"
        assert entry.object_id == str(carl_borrower.pk)
        assert entry.after["field"] == field and entry.after["borrower"] == "B-CARL"
        # The audit trail names the number; it never holds it.
        assert FULL_ID not in str(entry.after) and PHONE not in str(entry.after)
    else:
        assert response.json()["errors"][0]["code"] == (
            "forbidden" if status == 403 else "not_found"
        )
        assert not entries.exists()


def test_out_of_scope_looks_like_missing(carl_borrower, api_as):
    cora = api_as("cora")
    outside = cora.post("/borrowers/B-CARL/reveal", {"field": "phone"})
    missing = cora.post("/borrowers/B-NOSUCH/reveal", {"field": "phone"})
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_a_contacts_and_a_guarantors_numbers(carl_borrower, api_as, book):
    contact = Contact.objects.create(
        borrower=carl_borrower, name="王妻", relation="spouse", phone="13900001111"
    )
    guarantor = Guarantor.objects.create(
        loan=book["carl"], name="赵担保", phone="13600002222", id_number="510100198001010011"
    )
    carl = api_as("carl")
    body = carl.get("/borrowers/B-CARL").json()
    assert body["contacts"][0]["id"] == contact.pk
    assert body["contacts"][0]["phone"] == "139****1111"

    def reveal(api, **body):
        return api.post("/borrowers/B-CARL/reveal", body)

    assert reveal(carl, field="phone", contact_id=contact.pk).json()["value"] == "13900001111"
    assert reveal(carl, field="phone", guarantor_id=guarantor.pk).json()["value"] == "13600002222"
    # A collector may not reveal the guarantor's ID number; the manager may.
    assert reveal(carl, field="id_number", guarantor_id=guarantor.pk).status_code == 403
    mia = api_as("mia")
    assert (
        reveal(mia, field="id_number", guarantor_id=guarantor.pk).json()["value"]
        == "510100198001010011"
    )
    events = AuditEntry.objects.filter(event="pii.reveal").order_by("id")
    assert [(e.object_type, e.after["field"]) for e in events] == [
        ("book.Contact", "phone"),
        ("book.Guarantor", "phone"),
        ("book.Guarantor", "id_number"),
    ]
    # Another borrower's contact through this borrower's URL: not found.
    other = Contact.objects.create(
        borrower=book["cora"].borrower, name="X", relation="spouse", phone="13900009999"
    )
    assert reveal(mia, field="phone", contact_id=other.pk).status_code == 404


def test_bad_requests_name_the_field(carl_borrower, api_as):
    mia = api_as("mia")
    response = mia.post("/borrowers/B-CARL/reveal", {"field": "address"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "field"
    contact = Contact.objects.create(borrower=carl_borrower, name="王妻", relation="spouse")
    response = mia.post(
        "/borrowers/B-CARL/reveal", {"field": "id_number", "contact_id": contact.pk}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["code"], error["field"]) == ("pii_field_unknown", "field")
    assert not AuditEntry.objects.filter(event="pii.reveal").exists()


def test_search_by_whole_numbers_for_roles_that_may_reveal_them(carl_borrower, api_as):
    def found(username, q):
        return [b["borrower_id"] for b in api_as(username).get("/borrowers", q=q).json()["items"]]

    assert found("carl", "138 1234 5678") == ["B-CARL"]
    assert found("carl", "5678") == ["B-CARL"]  # the tail the mask shows
    assert found("carl", FULL_ID) == []  # a collector may not reveal ID numbers
    assert found("mia", FULL_ID.lower()[:-1] + FULL_ID[-1]) == ["B-CARL"]
    assert found("aud", PHONE) == [] and found("aud", FULL_ID) == []
