"""`arrears demo_users`: (re)set the demo users' passwords, issue an admin API token, print them."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from arrears.core.audit import audit_record
from arrears.core.models import ApiToken
from arrears.core.scoping import loans_for
from arrears.demo.casework import showcase
from arrears.demo.users import DEMO_USERS, demo_users_ensure

TOKEN_LABEL = "demo"


def demo_users_reset() -> tuple[list[tuple], str]:
    """Create or reset every demo user; replace the admin's demo API token.

    Returns the rows to print (username, role, team or agency, password, loans visible)
    and the raw token.
    """
    with transaction.atomic():
        users = demo_users_ensure(set_passwords=True)
        admin = users["admin"]
        # One live demo token at a time: earlier ones are revoked, not deleted (audit).
        ApiToken.objects.filter(user=admin, name=TOKEN_LABEL, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token, raw = ApiToken.issue(admin, name=TOKEN_LABEL)
        audit_record(
            actor=None,
            event="demo.users",
            object_type="user",
            object_id=",".join(users),
            after={"users": list(users), "token_prefix": token.prefix},
            source="cli",
        )
    rows = []
    for spec in DEMO_USERS:
        user = users[spec.username]
        unit = user.team.name if user.team_id else (user.agency.name if user.agency_id else "")
        rows.append((spec.username, spec.role, unit, spec.password, loans_for(user).count()))
    return rows, raw


class Command(BaseCommand):
    help = "Create or reset one demo user per role, print their passwords and an admin API token."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="",
            help="where the app is served (host:port); default: $HOST as `make serve` uses "
            "it, else 127.0.0.1:8000",
        )

    def handle(self, *args, **options):
        from django.core.management.base import CommandError

        from arrears.demo.generator import DemoError
        from arrears.demo.guard import demo_guard

        try:
            demo_guard("arrears demo_users")
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        base = served_url(options.get("address") or "")
        rows, raw = demo_users_reset()
        out = self.stdout.write
        header = ("username", "role", "team / agency", "password", "loans visible")
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        out("")
        out("Demo users — FOR THE DEMO ONLY: these passwords are printed and public.")
        out("  ".join(_pad(str(h), w) for h, w in zip(header, widths, strict=True)))
        out("  ".join("-" * w for w in widths))
        for row in rows:
            out("  ".join(_pad(str(v), w) for v, w in zip(row, widths, strict=True)))
        from arrears.demo.agencies import demo_agency_lines

        for line in demo_agency_lines():
            out(line)
        out("")
        rows = showcase()
        if rows:
            out("Case work to look at (admin, manager and auditor see every case):")
            width = max(_width(r.label) for r in rows)
            for r in rows:
                seen = ", ".join(r.seen_by) if r.seen_by else "manager"
                out(f"  {_pad(r.label, width)}  {r.url}  ({seen})")
            out("")
        out("Field work (外访): field1 records visits at /field/visit/ (works offline); the week's")
        out("  trip report for 卧水镇 is under /reports/ (trip), as lead1 or manager.")
        out(
            f"Morning dashboard: {base} as manager or lead1; reports (charts, files) at {base}reports/"
        )
        out(f"Strategy and champion/challenger results (manager edits): {base}strategy/default/")
        out(f"Write-offs (核销): {base}writeoff/ (manager proposes, admin approves)")
        out(
            "Allocation (分案, 轮换, 留案, 停催): /cases/allocation/ as lead1 or manager; "
            "collector3 and collector4 (password demo-<username>-2026) share the teams' cases."
        )
        out(
            f"Queue coverage per person (who has how much left today): {base}queues/coverage/ "
            "as lead1 or manager; the holiday calendar (2027 to enter): "
            f"{base}compliance/calendar/ as admin."
        )
        out(f"API token for admin (shown once): {raw}")
        out(f'  curl -H "Authorization: Bearer {raw}" {base}api/v1/loans')
        out(f"Log in at {base} with any user above.")
        out("  collector1 and collector2 open their workbench: today's queue, next case.")


DEFAULT_ADDRESS = "127.0.0.1:8000"


def served_url(address: str = "") -> str:
    """The address to open, from --address, else $HOST (the Makefile's `HOST=` that `make
    serve` runs the server on), else 127.0.0.1:8000. A server bound to every interface
    (0.0.0.0, [::]) is opened on this machine as 127.0.0.1."""
    import os

    env = os.environ.get("HOST", "").strip()
    # Some shells put the machine's name in HOST: only an address with a port is ours.
    if not (":" in env or env.isdigit()):
        env = ""
    address = (address or env or DEFAULT_ADDRESS).strip()
    address = address.removeprefix("http://").removeprefix("https://").rstrip("/")
    if address.isdigit():  # a bare port, as runserver takes it
        address = f"127.0.0.1:{address}"
    host, _, port = address.rpartition(":")
    if not host:
        host, port = address, ""
    if host in ("0.0.0.0", "[::]", "::", ""):
        host = "127.0.0.1"
    return f"http://{host}:{port}/" if port else f"http://{host}/"


def _width(text: str) -> int:
    """Terminal columns a text takes."""
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Pad to `width` terminal columns."""
    return text + " " * (width - _width(text))
