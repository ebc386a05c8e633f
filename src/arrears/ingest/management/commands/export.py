"""`arrears export loans|schedule|borrowers --format csv|xlsx [--output PATH] [--user NAME]
[--unmasked]`: spreadsheets of the book (personal numbers masked unless --unmasked).

Thin: the exports themselves (columns, queries, writers) are in arrears.ingest.exports.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from arrears.core.models import User
from arrears.ingest.exports import EXPORTERS, FORMATS, ExportError, export_run


class Command(BaseCommand):
    help = "Export the loan book for spreadsheet users: " + "; ".join(
        f"{e.name}: {e.help}" for e in EXPORTERS.values()
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(EXPORTERS))
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="file to write (CSV goes to stdout without it)")
        parser.add_argument("--user", help="export only what this user may see, as this user")
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="personal numbers in full (default: masked); needs --user with pii.export; audited",
        )
        seen: set[str] = set()
        for exporter in EXPORTERS.values():
            for flags, kwargs in exporter.arguments:
                if flags[0] not in seen:
                    seen.add(flags[0])
                    parser.add_argument(*flags, **kwargs)

    def handle(self, *args, **opts):
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {opts['user']}")
            if not user.can("book.export"):
                raise CommandError(f"user {user.username} may not export ({user.role})")
        extra = {
            kwargs.get("dest", flags[0].lstrip("-").replace("-", "_"))
            for e in EXPORTERS.values()
            for flags, kwargs in e.arguments
        }
        options = {k: opts.get(k) for k in extra}
        try:
            count = export_run(
                name=opts["what"],
                fmt=opts["format"],
                output=opts["output"],
                stream=self.stdout,
                actor=user,
                user=user,
                source="cli",
                unmasked=opts["unmasked"],
                **options,
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if opts["output"]:
            self.stderr.write(f"{count:,} rows written to {opts['output']}")
