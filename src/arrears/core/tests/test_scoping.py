"""The scoping function: who sees which loans and borrowers."""

import pytest

from arrears.core.models import Agency, Team
from arrears.core.scoping import borrowers_for, loans_for, show_id_number, show_phone
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(people):
    team_a = Team.objects.get(name="Team A")
    team_b = Team.objects.get(name="Team B")
    agency = Agency.objects.get(name="Agency One")
    return {
        "carls": make_loan(external_id="L-CARL", collector=people["carl"], team=team_a),
        "coras": make_loan(external_id="L-CORA", collector=people["cora"], team=team_a),
        "teamb": make_loan(external_id="L-TEAMB", team=team_b),
        "field": make_loan(external_id="L-FIELD", field_agent=people["fay"], team=team_a),
        "legal": make_loan(external_id="L-LEGAL", legal_officer=people["lee"]),
        "agency": make_loan(external_id="L-AGENCY", agency=agency),
        "nobody": make_loan(external_id="L-NOBODY"),
    }


EXPECTED = {
    "alice": {"L-CARL", "L-CORA", "L-TEAMB", "L-FIELD", "L-LEGAL", "L-AGENCY", "L-NOBODY"},
    "mia": {"L-CARL", "L-CORA", "L-TEAMB", "L-FIELD", "L-LEGAL", "L-AGENCY", "L-NOBODY"},
    "aud": {"L-CARL", "L-CORA", "L-TEAMB", "L-FIELD", "L-LEGAL", "L-AGENCY", "L-NOBODY"},
    "tom": {"L-CARL", "L-CORA", "L-FIELD"},
    "tina": {"L-TEAMB"},
    "carl": {"L-CARL"},
    "cora": {"L-CORA"},
    "fay": {"L-FIELD"},
    "lee": {"L-LEGAL"},
    "ada": {"L-AGENCY"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_sees_exactly_its_loans(people, book, name):
    seen = set(loans_for(people[name]).values_list("external_id", flat=True))
    assert seen == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_borrowers_follow_the_loans(people, book, name):
    seen = set(borrowers_for(people[name]).values_list("loans__external_id", flat=True))
    assert seen == EXPECTED[name]


def test_inactive_users_see_nothing(people, book):
    mia = people["mia"]
    mia.is_active = False
    assert not loans_for(mia).exists()


def test_a_borrower_with_two_loans_shows_only_the_visible_loan(people):
    b = make_borrower()
    make_loan(external_id="MINE", borrower=b, collector=people["carl"])
    make_loan(external_id="THEIRS", borrower=b, collector=people["cora"])
    assert list(borrowers_for(people["carl"])) == [b]
    assert set(loans_for(people["carl"]).values_list("external_id", flat=True)) == {"MINE"}


def test_personal_numbers_are_shown_masked_and_revealed_only_by_roles_that_may(people):
    from arrears.core.scoping import may_reveal

    idn, phone = "11010519491231002X", "13800138000"
    # Shown masked to everyone; revealing one is a separate, audited act (book.pii).
    for user in people.values():
        assert show_id_number(user, idn) == "1101**********002X"
        assert show_phone(user, phone) == "138****8000"
    assert may_reveal(people["mia"], "id_number") and may_reveal(people["lee"], "id_number")
    assert not may_reveal(people["carl"], "id_number")
    assert may_reveal(people["carl"], "phone") and may_reveal(people["ada"], "phone")
    assert not may_reveal(people["aud"], "phone") and not may_reveal(people["aud"], "id_number")


def test_searching_by_phone_works_only_for_roles_that_see_phones(people):
    from arrears.book.selectors import borrower_list, loan_list

    b = make_borrower(phone="13912345678")
    make_loan(external_id="PHONE", borrower=b)
    assert [x.external_id for x in loan_list(user=people["mia"], q="5678")] == ["PHONE"]
    # Phones are encrypted: a whole number matches (normalised), a part of one does not.
    assert list(borrower_list(user=people["mia"], q="+86 139 1234 5678")) == [b]
    assert list(borrower_list(user=people["mia"], q="12345678")) == []
    # The auditor sees 139****5678; searching must not confirm the hidden digits.
    assert list(loan_list(user=people["aud"], q="13912345678")) == []
    assert list(borrower_list(user=people["aud"], q="13912345678")) == []
