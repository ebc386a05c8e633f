"""Personal numbers on the pages: in full only for the roles whose work needs them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.core.ids import mask_id_number, mask_phone
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

# Who sees each role's own loan, and whether the role sees full ID numbers and phones.
CASES = [
    # person, a loan they see, full ID number, full phone
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


@pytest.mark.parametrize(("person", "loan_key", "full_id", "full_phone"), CASES)
def test_borrower_page_masks_numbers_by_role(
    client, people, book, person, loan_key, full_id, full_phone
):
    borrower = book[loan_key].borrower
    assert client.login(username=person, password=PASSWORD)
    html = client.get(reverse("web:borrower_detail", args=[borrower.external_id])).content.decode()

    assert (borrower.id_number in html) is full_id
    assert (mask_id_number(borrower.id_number) in html) is not full_id
    assert (borrower.phone in html) is full_phone
    assert (mask_phone(borrower.phone) in html) is not full_phone


@pytest.mark.parametrize(
    ("person", "full_id", "full_phone"),
    [
        ("mia", True, True),
        ("tom", False, True),
        ("aud", False, False),
    ],
)
def test_contacts_and_guarantors_are_masked_the_same_way(
    client, people, book, person, full_id, full_phone
):
    borrower = book["carl_loan"].borrower
    assert client.login(username=person, password=PASSWORD)
    borrower_html = client.get(
        reverse("web:borrower_detail", args=[borrower.external_id])
    ).content.decode()
    loan_html = client.get(reverse("web:loan_detail", args=["LA1"])).content.decode()

    # The spouse's phone, and the guarantor's phone and ID number, on both pages.
    assert ("13912345678" in borrower_html) is full_phone
    assert ("139****5678" in borrower_html) is not full_phone
    for html in (borrower_html, loan_html):
        assert ("13600002222" in html) is full_phone
        assert ("510100198001010011" in html) is full_id
        assert ("5101**********0011" in html) is not full_id


def test_contacts_show_relation_and_consent(client, people, book):
    assert client.login(username="carl", password=PASSWORD)
    response = client.get(reverse("web:borrower_detail", args=["BA1"]))
    contacts = response.context["contacts"]
    assert [(c["person"].name, c["consent_to_contact"], c["consent_to_sms"]) for c in contacts] == [
        ("王秀兰", True, False)
    ]
    assert "配偶" in response.content.decode()  # the relation, translated
