"""Reading borrowers: contacts, and ID and phone numbers masked by role."""

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


# (user, ID number shown, phone shown) — the ID in full only where the job needs it
# (pii.id_number: admin, manager, legal); phones for everyone who works cases, not the auditor.
MASKING = [
    ("alice", FULL_ID, FULL_PHONE),
    ("mia", FULL_ID, FULL_PHONE),
    ("tom", MASKED_ID, FULL_PHONE),
    ("carl", MASKED_ID, FULL_PHONE),
    ("fay", MASKED_ID, FULL_PHONE),
    ("aud", MASKED_ID, MASKED_PHONE),
]


@pytest.mark.parametrize(("username", "id_number", "phone"), MASKING)
def test_numbers_are_masked_by_role(borrower, api_as, username, id_number, phone):
    api = api_as(username)
    body = api.get("/borrowers/B-CARL").json()
    assert (body["id_number"], body["phone"]) == (id_number, phone)
    contact_phone = "13900001111" if phone == FULL_PHONE else "139****1111"
    assert body["contacts"][0]["phone"] == contact_phone
    listed = api.get("/borrowers", q="B-CARL").json()["items"][0]
    assert listed["phone"] == phone


@pytest.mark.parametrize(("username", "id_number"), [("lee", FULL_ID), ("ada", MASKED_ID)])
def test_legal_sees_the_id_number_and_the_agency_does_not(book, api_as, username, id_number):
    borrower = book["placed"].borrower
    borrower.id_number = FULL_ID
    borrower.save()
    assert api_as(username).get("/borrowers/B-PLACED").json()["id_number"] == id_number


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
            "name": "王妻",
            "relation": "spouse",
            "phone": "13900001111",
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
