"""The case page's contacts: a guarantor once, and a revealed number a tap-to-call link on the
case page itself (issue 13, "Phone-sized pages" and "Smaller things")."""

from __future__ import annotations

import pytest

from arrears.book.models import Contact, Guarantor
from arrears.cases.tests.conftest import client_for
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarantor(case):
    # Entered twice by the loan tape: as a contact with relation 担保人 and as the guarantor.
    Contact.objects.create(
        borrower=case.borrower, name="赵担保", relation="guarantor", phone="13600002222"
    )
    Contact.objects.create(
        borrower=case.borrower, name="王秀兰", relation="spouse", phone="13912345678"
    )
    return Guarantor.objects.create(loan=case.loan, name="赵担保", phone="13600002222")


def _borrower_section(html: str) -> str:
    return html.split('id="borrower"', 1)[1].split("</section>", 1)[0]


def test_a_guarantor_is_listed_once(people, case, guarantor):
    html = client_for(people["carl"]).get(f"/cases/{case.pk}/").content.decode()
    assert _borrower_section(html).count("赵担保") == 1
    assert "王秀兰" in _borrower_section(html)


def test_a_revealed_phone_is_a_tap_to_call_link_on_the_case_page(people, case, guarantor):
    client = client_for(people["carl"])
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "138****5678" in html and 'href="tel:' not in html
    assert f'action="/cases/{case.pk}/reveal/#borrower"' in html

    page = client.post(f"/cases/{case.pk}/reveal/", {"field": "phone"})
    assert page.status_code == 200
    assert '<a href="tel:13812345678" class="tel">☎ 13812345678</a>' in page.content.decode()
    assert AuditEntry.objects.filter(event="pii.reveal").count() == 1

    page = client.post(f"/cases/{case.pk}/reveal/", {"field": "phone", "guarantor": guarantor.pk})
    assert 'href="tel:13600002222"' in page.content.decode()


def test_an_auditor_may_not_reveal_on_the_case_page(people, case, guarantor):
    client = client_for(people["aud"])
    assert "/reveal/" not in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.post(f"/cases/{case.pk}/reveal/", {"field": "phone"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/reveal/", {"field": "id_number"}).status_code == 400
