"""Demo users: one per role, each sees a sensible slice of the generated book."""

from io import StringIO

import pytest
from django.core.management import call_command

from arrears.book.models import Loan
from arrears.core.models import ApiToken, AuditEntry, User
from arrears.core.scoping import loans_for
from arrears.demo.users import AGENCY_NAME, DEMO_USERS, FIELD_TOWNS, TEAM_NAMES

pytestmark = pytest.mark.django_db


def _seen(username: str) -> set[str]:
    return set(loans_for(User.objects.get(username=username)).values_list("external_id", flat=True))


@pytest.mark.parametrize("username", [u.username for u in DEMO_USERS])
def test_every_demo_user_sees_some_loans(demo_book, username):
    assert _seen(username)


def test_collectors_agency_and_teams_split_the_work(demo_book):
    c1, c2, agency = _seen("collector1"), _seen("collector2"), _seen("agency1")
    assert not c1 & c2
    assert not (c1 | c2) & agency
    lead = _seen("lead1")
    assert c1 <= lead and not c2 & lead
    assert lead == set(
        Loan.objects.filter(team__name=TEAM_NAMES[0]).values_list("external_id", flat=True)
    )
    assert _seen("admin") == _seen("manager") == _seen("auditor1")
    assert len(_seen("admin")) == Loan.objects.count()


def test_field_agent_works_his_towns_and_legal_the_oldest(demo_book):
    field = Loan.objects.filter(field_agent__username="field1")
    assert set(field.values_list("borrower__town", flat=True)) <= FIELD_TOWNS
    legal = Loan.objects.filter(legal_officer__username="legal1")
    assert legal.exists()
    assert not legal.filter(agency__isnull=False).exists()


def test_only_overdue_loans_are_assigned(demo_book):
    assigned = Loan.objects.filter(team__isnull=False)
    assert assigned.exists()
    assert not assigned.filter(status=Loan.Status.PAID_OFF).exists()
    assert Loan.objects.filter(team__isnull=True).exists()


def test_demo_users_prints_passwords_and_a_working_token(demo_book):
    out = StringIO()
    call_command("demo_users", stdout=out)
    text = out.getvalue()
    assert "FOR THE DEMO ONLY" in text
    for spec in DEMO_USERS:
        assert spec.username in text and spec.password in text
        assert User.objects.get(username=spec.username).check_password(spec.password)
    raw = text.split("API token for admin (shown once): ")[1].split()[0]
    token = ApiToken.objects.authenticate(raw)
    assert token is not None and token.user.username == "admin"
    assert User.objects.get(username="agency1").agency.name == AGENCY_NAME
    assert AuditEntry.objects.filter(event="demo.users").exists()


def test_running_demo_users_again_leaves_one_live_token(demo_book):
    call_command("demo_users", stdout=StringIO())
    call_command("demo_users", stdout=StringIO())
    live = ApiToken.objects.filter(user__username="admin", name="demo", revoked_at__isnull=True)
    assert live.count() == 1


def test_demo_users_works_before_any_demo_book(db):
    call_command("demo_users", stdout=StringIO())
    assert User.objects.filter(username__in=[u.username for u in DEMO_USERS]).count() == len(
        DEMO_USERS
    )


# --- refusing to run anywhere real (issue 12) ------------------------------------------------


def test_demo_users_and_reset_refuse_in_production_settings(db, settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    for command in (["demo_users"], ["demo", "--loans", "5", "--reset", "--no-eod"]):
        with pytest.raises(CommandError, match="refuses to run with production settings"):
            call_command(*command, stdout=StringIO())
    assert not User.objects.exists()


def test_demo_users_and_reset_refuse_a_database_with_real_users(db):
    from django.core.management.base import CommandError

    from arrears.core.management.commands.user import user_add

    user_add(username="wang.li", role="manager", password="a long and rare passphrase 17")
    with pytest.raises(CommandError, match=r"1 user\(s\) the demo did not create \(wang.li\)"):
        call_command("demo_users", stdout=StringIO())
    with pytest.raises(CommandError, match="arrears demo --reset refuses to run"):
        call_command("demo", "--loans", "5", "--reset", "--no-eod", stdout=StringIO())
    assert not User.objects.filter(username="admin").exists()


def test_a_real_admin_named_like_the_demos_is_not_given_a_public_password(db):
    from django.core.management.base import CommandError

    from arrears.core.management.commands.user import user_add

    user_add(username="admin", role="admin", password="a long and rare passphrase 17")
    with pytest.raises(CommandError, match="user admin added by a person"):
        call_command("demo_users", stdout=StringIO())
    assert User.objects.get(username="admin").check_password("a long and rare passphrase 17")


def test_reset_refuses_a_book_that_was_imported(db, tmp_path):
    from django.core.management.base import CommandError

    from arrears.ingest.services import import_loans
    from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv

    import_loans(path=write_csv(tmp_path / "l.csv", LOAN_HEADERS, [loan_row(1)]))
    with pytest.raises(CommandError, match=r"imported data \(import.loans on"):
        call_command("demo", "--loans", "5", "--reset", "--no-eod", stdout=StringIO())
    assert Loan.objects.count() == 1
