"""API tokens: `arrears token create NAME [--label L] [--expires-days N]` prints a new bearer
token once; `arrears token list [NAME]` shows tokens with last use and state;
`arrears token revoke ID|PREFIX` revokes one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from arrears.core import accounts
from arrears.core.accounts import AccountError
from arrears.core.models import ApiToken, User


def token_create(
    *, username: str, label: str = "", actor: User | None = None, source: str = "cli", **kw
) -> tuple[ApiToken, str]:
    """Issue a token for an active user by name (see core.accounts.token_create)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r} (add one with `arrears user add`)")
    try:
        return accounts.token_create(user=user, label=label, actor=actor, source=source, **kw)
    except AccountError as exc:
        raise CommandError(str(exc)) from exc


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "API tokens: create, list, revoke."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user")
        create.add_argument("name", help="user name")
        create.add_argument("--label", default="", help="what the token is for")
        create.add_argument("--expires-days", type=int, help="refused after this many days")
        show = sub.add_parser("list", help="tokens with last use and state")
        show.add_argument("name", nargs="?", help="only this user's tokens")
        revoke = sub.add_parser("revoke", help="revoke a token by its number or prefix")
        revoke.add_argument("token", help="the number (token list) or the prefix (arr_…)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            return self._list(options.get("name"))
        if action == "revoke":
            return self._revoke(options["token"])
        token, raw = token_create(
            username=options["name"],
            label=options["label"],
            expires_days=options.get("expires_days"),
        )
        self.stdout.write(f"token for {options['name']} (prefix {token.prefix}):")
        self.stdout.write(raw)
        if token.expires_at:
            self.stdout.write(f"expires {_when(token.expires_at)}")
        self.stdout.write("Shown once: only its hash is stored. Use: Authorization: Bearer <token>")

    def _list(self, name: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "id")
        if name:
            tokens = tokens.filter(user__username=name)
        rows = list(tokens)
        if not rows:
            self.stdout.write("no API tokens")
        for t in rows:
            self.stdout.write(
                f"#{t.pk}  {t.prefix}  {t.user.username}  {t.name or '-'}  "
                f"created {_when(t.created_at)}  last used {_when(t.last_used_at)}  "
                f"expires {_when(t.expires_at)}  {t.state}"
            )

    def _revoke(self, key: str) -> None:
        tokens = ApiToken.objects.select_related("user")
        found = (
            tokens.filter(pk=int(key.lstrip("#"))).first()
            if key.lstrip("#").isdigit()
            else tokens.filter(prefix=key).first()
        )
        if found is None:
            raise CommandError(f"no token {key!r} (see `arrears token list`)")
        if accounts.token_revoke(token=found, actor=None):
            self.stdout.write(
                f"revoked token #{found.pk} ({found.prefix}) of {found.user.username}"
            )
        else:
            self.stdout.write(f"token #{found.pk} was already revoked")
