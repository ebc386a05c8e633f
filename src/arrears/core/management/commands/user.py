"""`arrears user add NAME --role ROLE …` adds a user; `arrears user deactivate NAME` stops
one at once (sessions and tokens); `arrears user activate NAME`; `arrears user password NAME`
sets or generates a password; `arrears user list`; `arrears user unlock NAME` / `--ip ADDR`
lifts a sign-in lock; `arrears user locks` lists the locks in force."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, no_translations

from arrears.core import accounts
from arrears.core.accounts import AccountError
from arrears.core.models import User
from arrears.core.roles import Role

# The services live in core.accounts; these names stay for callers written before it.
UserAddError = AccountError


def user_add(**kwargs) -> tuple[User, str]:
    """Create a user with a role (see core.accounts.user_add)."""
    return accounts.user_add(**kwargs)


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
        add.add_argument("--capacity", type=int, help="open cases this collector should carry")
        add.add_argument("--name", dest="first_name", default="", help="the person's name")
        for action, text in (
            ("deactivate", "stop a user signing in, now (sessions and API tokens too)"),
            ("activate", "let a deactivated user sign in again"),
        ):
            sub.add_parser(action, help=text).add_argument("name", help="user name")
        password = sub.add_parser("password", help="set (or generate) a user's password")
        password.add_argument("name", help="user name")
        password.add_argument(
            "--password", help="the new password (default: generated, shown once)"
        )
        sub.add_parser("list", help="list the users with role, team and state")
        unlock = sub.add_parser("unlock", help="lift a sign-in lock (failed sign-ins)")
        unlock.add_argument("name", nargs="?", help="the user name that is locked")
        unlock.add_argument("--ip", help="the client address that is locked")
        sub.add_parser("locks", help="list the sign-in locks in force")

    @no_translations  # the command speaks English throughout (password rules included)
    def handle(self, *args, **options):
        action = options["action"]
        if action == "unlock":
            return self._unlock(options)
        if action == "locks":
            return self._locks()
        if action == "list":
            return self._list()
        try:
            if action in ("deactivate", "activate", "password"):
                return getattr(self, f"_{action}")(self._user(options["name"]), options)
            user, password = accounts.user_add(
                username=options["name"],
                role=options["role"],
                team=options.get("team"),
                agency=options.get("agency"),
                password=options.get("password"),
                case_capacity=options.get("capacity"),
                first_name=options.get("first_name") or "",
            )
        except AccountError as exc:
            hint = f": give --{exc.field}" if exc.field in ("team", "agency", "password") else ""
            raise CommandError(f"{exc}{hint}") from exc
        where = ""
        if user.team_id:
            where = f", team {user.team.name}"
        if user.agency_id:
            where = f", agency {user.agency.name}"
        self.stdout.write(f"added user {user.username} ({user.get_role_display()}{where})")
        if not options.get("password"):
            self.stdout.write(f"password: {password}")
            self.stdout.write("(shown once: store it now)")

    @staticmethod
    def _user(name: str) -> User:
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no user named {name!r}")
        return user

    def _deactivate(self, user: User, options) -> None:
        revoked = accounts.user_deactivate(user=user, actor=None)
        self.stdout.write(
            f"deactivated {user.username}: signed out everywhere, {revoked} API token(s) revoked"
        )

    def _activate(self, user: User, options) -> None:
        accounts.user_activate(user=user, actor=None)
        self.stdout.write(f"{user.username} may sign in again (old API tokens stay revoked)")

    def _password(self, user: User, options) -> None:
        password = accounts.user_password_set(
            user=user, actor=None, password=options.get("password")
        )
        self.stdout.write(f"password of {user.username} set")
        if not options.get("password"):
            self.stdout.write(f"password: {password}")
            self.stdout.write("(shown once: store it now)")

    def _list(self) -> None:
        for user in User.objects.select_related("team", "agency").order_by("username"):
            unit = user.team.name if user.team_id else (user.agency.name if user.agency_id else "")
            state = "active" if user.is_active else "inactive"
            capacity = "" if user.case_capacity is None else f", capacity {user.case_capacity}"
            self.stdout.write(f"{user.username}  {user.role}  {unit}  {state}{capacity}")

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
