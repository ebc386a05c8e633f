"""The demo's teams, agency and one user per role; the generator assigns loans to them."""

from __future__ import annotations

from dataclasses import dataclass

from arrears.core.models import Agency, Team, User
from arrears.core.roles import Role

TEAM_NAMES = ("电催一组", "电催二组")
AGENCY_NAME = "四川安和催收服务有限公司"
# The field agent travels to the seed's towns (卧水镇 and the neighbouring 香坪镇).
FIELD_TOWNS = frozenset({"卧水镇", "香坪镇"})


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    team: int | None = None  # index into TEAM_NAMES
    agency: bool = False
    first_name: str = ""
    # An agency other than the demo's first (AGENCY_NAME); demo/agencies.py gives it a contract.
    agency_name: str = ""

    @property
    def password(self) -> str:
        # Fixed and readable on purpose: the demo prints them. Never use these anywhere real.
        return f"demo-{self.username}-2026"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, first_name="系统管理员"),
    DemoUser("manager", Role.MANAGER, first_name="催收主管"),
    DemoUser("lead1", Role.TEAM_LEAD, team=0, first_name="电催一组组长"),
    DemoUser("collector1", Role.COLLECTOR, team=0, first_name="电催员一"),
    DemoUser("collector2", Role.COLLECTOR, team=1, first_name="电催员二"),
    DemoUser("field1", Role.FIELD_AGENT, team=0, first_name="外访员"),
    DemoUser("legal1", Role.LEGAL, first_name="法务"),
    DemoUser("agency1", Role.AGENCY, agency=True, first_name="委外专员"),
    DemoUser(
        "agency2",
        Role.AGENCY,
        agency=True,
        first_name="委外专员二",
        agency_name="成都诚信资产管理有限公司",
    ),
    DemoUser("auditor1", Role.AUDITOR, first_name="审计"),
)


@dataclass(frozen=True)
class DemoStaff:
    """Ids the generator writes into loans' assignment columns."""

    teams: tuple[int, int]
    collectors: tuple[int, int]  # one per team, same order as `teams`
    field_agent: int
    legal_officer: int
    agency: int
    second_agency: int  # agency2's (demo/agencies.py: overdue for its review)


def demo_org() -> tuple[list[Team], Agency]:
    """The two phone teams and the agency (created if missing)."""
    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAM_NAMES]
    agency = Agency.objects.get_or_create(name=AGENCY_NAME)[0]
    return teams, agency


def demo_users_ensure(*, set_passwords: bool = False) -> dict[str, User]:
    """Create the demo users if missing (and with `set_passwords`, reset their passwords).

    Users created without `set_passwords` get an unusable password until `arrears demo_users`.
    Role, team and agency are put back to the demo's, so the slices stay sensible.
    """
    teams, agency = demo_org()
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            user = User(username=spec.username)
        user.role = spec.role
        user.first_name = spec.first_name
        user.team = teams[spec.team] if spec.team is not None else None
        if spec.agency_name:
            user.agency = Agency.objects.get_or_create(name=spec.agency_name)[0]
        else:
            user.agency = agency if spec.agency else None
        user.is_active = True
        user.is_staff = spec.role == Role.ADMIN
        user.is_superuser = spec.role == Role.ADMIN
        if set_passwords:
            user.set_password(spec.password)
        elif created:
            user.set_unusable_password()
        user.save()
        users[spec.username] = user
    return users


def demo_staff() -> DemoStaff:
    """Ensure the demo organisation and users exist and return the ids the generator needs."""
    users = demo_users_ensure()
    teams, agency = demo_org()
    return DemoStaff(
        teams=(teams[0].pk, teams[1].pk),
        collectors=(users["collector1"].pk, users["collector2"].pk),
        field_agent=users["field1"].pk,
        legal_officer=users["legal1"].pk,
        agency=agency.pk,
        second_agency=users["agency2"].agency_id,
    )
