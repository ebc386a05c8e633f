"""`arrears user add NAME --role ROLE …` adds a user; `arrears user unlock NAME` / `--ip ADDR`
lifts a sign-in lock; `arrears user locks` lists the locks in force."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from arrears.core.audit import audit_record
from arrears.core.models import Agency, Team, User
from arrears.core.roles import Role


class UserAddError(ValueError):
    """A user that cannot be added as asked (the message says why)."""


def user_add(
    *,
    username: str,
    role: str,
    team: str | None = None,
    agency: str | None = None,
    password: str | None = None,
    actor: User | None = None,
    source: str = "cli",
) -> tuple[User, str]:
    """Create a user with a role (team and agency created by name if missing).

    Returns the user and the password (generated when none is given). Audited.
    """
    username = (username or "").strip()
    if not username:
        raise UserAddError("a user name is required")
    if role not in Role.values:
        raise UserAddError(f"unknown role {role!r}; choose one of: {', '.join(Role.values)}")
    if role == Role.TEAM_LEAD and not team:
        raise UserAddError("a team lead needs --team (otherwise they would see no loans)")
    if role == Role.AGENCY and not agency:
        raise UserAddError("an agency user needs --agency (otherwise they would see no loans)")
    if agency and role != Role.AGENCY:
        raise UserAddError("--agency is only for users with the role agency")
    generated = not password
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise UserAddError(f"user {username!r} already exists")
        team_obj = Team.objects.get_or_create(name=team.strip())[0] if team else None
        agency_obj = Agency.objects.get_or_create(name=agency.strip())[0] if agency else None
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            team=team_obj,
            agency=agency_obj,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        audit_record(
            actor=actor,
            event="user.add",
            object_type="user",
            object_id=username,
            after={
                "role": role,
                "team": team_obj.name if team_obj else None,
                "agency": agency_obj.name if agency_obj else None,
                "password_generated": generated,
            },
            source=source,
        )
    return user, password


class Command(BaseCommand):
    help = "Manage users. `add NAME --role ROLE [--team T] [--agency A] [--password P]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a user with a role")
        add.add_argument("name", help="user name (login)")
        add.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        add.add_argument("--team", help="team name (created if missing)")
        add.add_argument("--agency", help="agency name (created if missing)")
        add.add_argument("--password", help="password (default: a generated one, printed once)")
        unlock = sub.add_parser("unlock", help="lift a sign-in lock (failed sign-ins)")
        unlock.add_argument("name", nargs="?", help="the user name that is locked")
        unlock.add_argument("--ip", help="the client address that is locked")
        sub.add_parser("locks", help="list the sign-in locks in force")

    def handle(self, *args, **options):
        if options["action"] == "unlock":
            return self._unlock(options)
        if options["action"] == "locks":
            return self._locks()
        try:
            user, password = user_add(
                username=options["name"],
                role=options["role"],
                team=options.get("team"),
                agency=options.get("agency"),
                password=options.get("password"),
            )
        except UserAddError as exc:
            raise CommandError(str(exc)) from exc
        where = ""
        if user.team_id:
            where = f", team {user.team.name}"
        if user.agency_id:
            where = f", agency {user.agency.name}"
        self.stdout.write(f"added user {user.username} ({user.get_role_display()}{where})")
        if not options.get("password"):
            self.stdout.write(f"password: {password}")
            self.stdout.write("(shown once: store it now)")

    def _unlock(self, options):
        from arrears.core.logins import UnlockError, login_unlock

        try:
            lifted = login_unlock(username=options.get("name"), ip=options.get("ip"), actor=None)
        except UnlockError as exc:
            raise CommandError(str(exc)) from exc
        what = " and ".join(
            f"{'user' if kind == 'username' else 'address'} {key}"
            for kind, key in (("username", options.get("name")), ("ip", options.get("ip")))
            if key
        )
        if lifted:
            self.stdout.write(f"unlocked {what}: sign-in works again")
        else:
            self.stdout.write(f"{what} was not locked; its failed attempts are cleared")

    def _locks(self):
        from django.utils import timezone

        from arrears.core.logins import locks_in_force

        rows = list(locks_in_force())
        if not rows:
            self.stdout.write("no sign-in locks in force")
        for row in rows:
            until = timezone.localtime(row.locked_until).strftime("%Y-%m-%d %H:%M")
            kind = "user" if row.kind == "username" else "address"
            self.stdout.write(
                f"{kind} {row.key}: locked until {until}, {row.refused} attempts refused"
            )
