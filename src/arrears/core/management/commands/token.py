"""`arrears token create NAME [--label L]`: issue an API bearer token for a user."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from arrears.core.audit import audit_record
from arrears.core.models import ApiToken, User


def token_create(
    *, username: str, label: str = "", actor: User | None = None, source: str = "cli"
) -> tuple[ApiToken, str]:
    """Issue a token for an active user; returns (token, raw value). Audited without the value."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r} (add one with `arrears user add`)")
    if not user.is_active:
        raise CommandError(f"user {username!r} is inactive; an inactive user's token never works")
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name=label)
        audit_record(
            actor=actor,
            event="token.create",
            object_type="api_token",
            object_id=token.pk,
            after={"user": user.username, "label": label, "prefix": token.prefix},
            source=source,
        )
    return token, raw


class Command(BaseCommand):
    help = "API tokens. `create NAME [--label L]` prints a new bearer token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user")
        create.add_argument("name", help="user name")
        create.add_argument("--label", default="", help="what the token is for")

    def handle(self, *args, **options):
        token, raw = token_create(username=options["name"], label=options["label"])
        self.stdout.write(f"token for {options['name']} (prefix {token.prefix}):")
        self.stdout.write(raw)
        self.stdout.write("Shown once: only its hash is stored. Use: Authorization: Bearer <token>")
