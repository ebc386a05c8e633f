"""Personal numbers on the pages: masked for everyone; the roles whose work needs a number
reveal it with a button, and every reveal is an audit entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.book.models import Contact, Guarantor
from arrears.core.ids import mask_id_number, mask_phone
from arrears.core.models import AuditEntry
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

# Each role on a borrower it sees, and whether it may reveal ID numbers and phones.
CASES = [
    # person, a loan they see, may reveal the ID number, may reveal the phone
    ("alice", "carl_loan", True, True),
    ("mia", "carl_loan", True, True),
    ("lee", "legal_loan", True, True),
    ("tom", "carl_loan", False, True),
    ("tina", "team_b_loan", False, True),
    ("carl", "carl_loan", False, True),
    ("fay", "carl_loan", False, True),
    ("ada", "agency_loan", False, True),
    ("aud", "carl_loan", False, False),
]


def _button(field: str) -> str:
    return f'name="field" value="{field}"'


@pytest.mark.parametrize(("person", "loan_key", "may_id", "may_phone"), CASES)
def test_borrower_page_masks_numbers_for_everyone(
    client, people, book, person, loan_key, may_id, may_phone
):
    borrower = book[loan_key].borrower
    assert client.login(username=person, password=PASSWORD)
    html = client.get(reverse("web:borrower_detail", args=[borrower.external_id])).content.decode()

    assert borrower.id_number not in html and borrower.phone not in html
    assert mask_id_number(borrower.id_number) in html
    assert mask_phone(borrower.phone) in html
    # A reveal button beside each number the role may reveal, none beside the others.
    assert (_button("id_number") in html) is may_id
    assert (_button("phone") in html) is may_phone
    assert (">显示</button>" in html) is (may_id or may_phone)  # the button, in Chinese


@pytest.mark.parametrize(("person", "loan_key", "may_id", "may_phone"), CASES)
@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_revealing_a_number_shows_it_and_is_audited(
    client, people, book, person, loan_key, may_id, may_phone, field
):
    borrower = book[loan_key].borrower
    allowed = may_id if field == "id_number" else may_phone
    assert client.login(username=person, password=PASSWORD)
    page = reverse("web:borrower_detail", args=[borrower.external_id])
    buttons = client.get(page).content.decode().count(_button(field))
    url = reverse("web:borrower_reveal", args=[borrower.external_id])
    response = client.post(url, {"field": field}, REMOTE_ADDR="203.0.113.9")

    entries = AuditEntry.objects.filter(event="pii.reveal")
    if not allowed:
        assert response.status_code == 403
        assert not entries.exists()
        return
    assert response.status_code == 200
    html = response.content.decode()
    full = getattr(borrower, field)
    assert full in html
    assert html.count(_button(field)) == buttons - 1  # no button beside the one revealed
    entry = entries.get()
    assert (entry.actor_id, entry.source, entry.ip) == (people[person].pk, "web", "203.0.113.9")
    assert entry.after["field"] == field
    assert entry.after["borrower"] == borrower.external_id
    assert full not in str(entry.after)


def test_reveal_outside_the_scope_is_not_found_and_needs_a_post(client, people, book):
    assert client.login(username="cora", password=PASSWORD)
    url = reverse("web:borrower_reveal", args=["BA1"])  # carl's borrower
    assert client.post(url, {"field": "phone"}).status_code == 404
    assert client.get(url).status_code == 405
    assert client.post(url.replace("BA1", "NOSUCH"), {"field": "phone"}).status_code == 404
    assert not AuditEntry.objects.filter(event="pii.reveal").exists()


@pytest.mark.parametrize("person", ["mia", "tom", "aud"])
def test_contacts_and_guarantors_are_masked_the_same_way(client, people, book, person):
    borrower = book["carl_loan"].borrower
    assert client.login(username=person, password=PASSWORD)
    borrower_html = client.get(
        reverse("web:borrower_detail", args=[borrower.external_id])
    ).content.decode()
    loan_html = client.get(reverse("web:loan_detail", args=["LA1"])).content.decode()

    # The spouse's phone, and the guarantor's phone and ID number, on both pages.
    assert "13912345678" not in borrower_html and "139****5678" in borrower_html
    # Reveal buttons beside the contact's and the guarantor's numbers, for roles that may.
    contact = Contact.objects.get(borrower=borrower)
    guarantor = Guarantor.objects.get(loan=book["carl_loan"])
    may_id, may_phone = person == "mia", person != "aud"
    assert (f'name="contact" value="{contact.pk}"' in borrower_html) is may_phone
    assert (f'name="guarantor" value="{guarantor.pk}"' in borrower_html) is may_phone
    assert borrower_html.count(f'name="guarantor" value="{guarantor.pk}"') == may_id + may_phone
    for html in (borrower_html, loan_html):
        assert "13600002222" not in html and "136****2222" in html
        assert "510100198001010011" not in html and "5101**********0011" in html


def test_a_contacts_phone_and_a_guarantors_id_number_are_revealed_one_at_a_time(
    client, people, book
):
    borrower = book["carl_loan"].borrower
    contact = Contact.objects.get(borrower=borrower)
    guarantor = Guarantor.objects.get(loan=book["carl_loan"])
    url = reverse("web:borrower_reveal", args=[borrower.external_id])

    assert client.login(username="tom", password=PASSWORD)
    html = client.post(url, {"field": "phone", "contact": contact.pk}).content.decode()
    assert "13912345678" in html
    assert "13600002222" not in html  # only the one asked for
    assert client.post(url, {"field": "id_number", "guarantor": guarantor.pk}).status_code == 403

    assert client.login(username="mia", password=PASSWORD)
    html = client.post(url, {"field": "id_number", "guarantor": guarantor.pk}).content.decode()
    assert "510100198001010011" in html and "13912345678" not in html
    assert [
        (e.actor.username, e.object_type, e.after["field"])
        for e in AuditEntry.objects.filter(event="pii.reveal").order_by("id")
    ] == [("tom", "book.Contact", "phone"), ("mia", "book.Guarantor", "id_number")]


def test_an_unknown_field_is_a_bad_request(client, people, book):
    assert client.login(username="mia", password=PASSWORD)
    url = reverse("web:borrower_reveal", args=["BA1"])
    assert client.post(url, {"field": "address"}).status_code == 400


def test_contacts_show_relation_and_consent(client, people, book):
    assert client.login(username="carl", password=PASSWORD)
    response = client.get(reverse("web:borrower_detail", args=["BA1"]))
    contacts = response.context["contacts"]
    assert [(c["person"].name, c["consent_to_contact"], c["consent_to_sms"]) for c in contacts] == [
        ("王秀兰", True, False)
    ]
    assert "配偶" in response.content.decode()  # the relation, translated
