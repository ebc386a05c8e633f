"""Reading borrowers: contacts, and ID and phone numbers masked for every role."""

from __future__ import annotations

import pytest

from arrears.book.models import Contact

FULL_ID = "510100198501010015"
MASKED_ID = "5101**********0015"
FULL_PHONE = "13812345678"
MASKED_PHONE = "138****5678"


@pytest.fixture
def borrower(book):
    borrower = book["carl"].borrower
    borrower.id_number = FULL_ID
    borrower.phone = FULL_PHONE
    borrower.save()
    Contact.objects.create(borrower=borrower, name="王妻", relation="spouse", phone="13900001111")
    return borrower


USERS = ("alice", "mia", "tom", "carl", "fay", "aud")


@pytest.mark.parametrize("username", USERS)
def test_numbers_are_masked_for_every_role(borrower, api_as, username):
    # Shown masked to everyone; a role that may see a number reveals it (test_reveal.py).
    api = api_as(username)
    body = api.get("/borrowers/B-CARL").json()
    assert (body["id_number"], body["phone"]) == (MASKED_ID, MASKED_PHONE)
    assert body["contacts"][0]["phone"] == "139****1111"
    listed = api.get("/borrowers", q="B-CARL").json()["items"][0]
    assert listed["phone"] == MASKED_PHONE


@pytest.mark.parametrize(("username", "status"), [("lee", 200), ("ada", 403)])
def test_legal_may_reveal_the_id_number_and_the_agency_may_not(book, api_as, username, status):
    borrower = book["placed"].borrower
    borrower.id_number = FULL_ID
    borrower.save()
    api = api_as(username)
    assert api.get("/borrowers/B-PLACED").json()["id_number"] == MASKED_ID
    response = api.post("/borrowers/B-PLACED/reveal", {"field": "id_number"})
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"field": "id_number", "value": FULL_ID}


def test_the_detail_shows_region_and_contacts(borrower, api_as):
    body = api_as("carl").get("/borrowers/B-CARL").json()
    assert body["region"] == {
        "province": "四川省",
        "county": "某县",
        "town": "卧水镇",
        "village": "马头冲村",
        "path": "四川省/某县/卧水镇/马头冲村",
    }
    assert body["contacts"] == [
        {
            "id": borrower.contacts.get().pk,
            "name": "王妻",
            "relation": "spouse",
            "phone": "139****1111",
            "address": "",
            "consent_to_contact": False,
            "consent_to_sms": False,
            "note": "",
        }
    ]


def test_borrowers_can_be_searched(book, api_as):
    mia = api_as("mia")
    assert [b["borrower_id"] for b in mia.get("/borrowers", q="李").json()["items"]] == ["B-CORA"]
    assert mia.get("/borrowers", q="nobody").json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "page_size": 50,
    }
