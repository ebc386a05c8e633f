"""Numbers for dialling: offered masked by reference, resolved on the server, within scope."""

from __future__ import annotations

import pytest
from django.http import Http404

from arrears.book.errors import BookError
from arrears.book.models import Contact, Guarantor
from arrears.book.pii import RevealRefused, dial_number, dial_targets
from arrears.core.models import AuditEntry
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def carl_book(people):
    b = make_borrower(name="王一", phone="13912345678", phone2="")
    loan = make_loan(borrower=b, collector=people["carl"])
    c = Contact.objects.create(borrower=b, name="王妻", relation="spouse", phone="13900001111")
    g = Guarantor.objects.create(loan=loan, name="赵担保", phone="13600002222")
    return b, c, g


def test_targets_are_masked_and_refs_resolve_to_the_number(people, carl_book):
    b, c, g = carl_book
    carl = people["carl"]
    targets = dial_targets(carl, b)
    assert [(t.ref, t.label) for t in targets] == [
        ("borrower:phone", "王一 · 139****5678"),
        (f"contact:{c.pk}", "王妻 · 139****1111"),
        (f"guarantor:{g.pk}", "赵担保 · 136****2222"),
    ]
    assert dial_number(carl, b, "borrower:phone") == ("13912345678", None, None)
    assert dial_number(carl, b, f"contact:{c.pk}") == ("13900001111", c, None)
    assert dial_number(carl, b, f"guarantor:{g.pk}") == ("13600002222", None, g)
    assert not AuditEntry.objects.filter(event="pii.reveal").exists()  # nothing was shown


def test_refs_outside_the_scope_or_malformed_are_refused(people, carl_book):
    b, c, g = carl_book
    with pytest.raises(Http404):
        dial_number(people["cora"], b, "borrower:phone")
    other = Contact.objects.create(borrower=make_borrower(), name="X", relation="spouse")
    with pytest.raises(Http404):
        dial_number(people["carl"], b, f"contact:{other.pk}")
    with pytest.raises(BookError):
        dial_number(people["carl"], b, "borrower:id_number")
    with pytest.raises(RevealRefused):
        dial_number(people["aud"], b, "borrower:phone")
