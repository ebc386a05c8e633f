"""`arrears import loans|schedule|payments|deductions FILE`: check a file, report, import.

Thin: reading, checking and writing live in arrears.ingest.services.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from arrears.core.models import User
from arrears.ingest.errors import ImportFileError
from arrears.ingest.services import IMPORTERS


class Command(BaseCommand):
    help = (
        "Import a loan tape, schedules, payments, auto-debit attempts (deductions), call records "
        "(activities) or case assignments (assignments) from CSV "
        "(UTF-8, UTF-8 with BOM, GBK) or "
        "XLSX, with English or Chinese headers. Every problem is reported as "
        "'row N, column C: reason (value)'; nothing is written if any row is wrong, unless "
        "--skip-invalid. See docs/imports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report; write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows; write the rejected ones, with reasons, to an error file",
        )
        parser.add_argument(
            "--error-file", help="where rejected rows go (default: FILE's name + .errors.csv)"
        )
        parser.add_argument("--user", help="the user the audit trail records (default: system)")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar even on a terminal"
        )

    def handle(self, *args, **opts):
        actor = None
        importer = IMPORTERS[opts["kind"]]
        # An importer may name the capability it needs (assignments: case.assign).
        capability = getattr(importer, "capability", "book.import")
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"no such user: {opts['user']}")
            if not actor.can(capability):
                raise CommandError(f"user {actor.username} may not import ({actor.role})")
        try:
            report = importer(
                path=opts["file"],
                dry_run=opts["dry_run"],
                skip_invalid=opts["skip_invalid"],
                error_file=opts["error_file"],
                actor=actor,
                source="cli",
                progress=not opts["no_progress"] and sys.stderr.isatty(),
            )
        except ImportFileError as exc:
            raise CommandError(f"{opts['file']}: {exc}") from exc
        except IntegrityError as exc:
            # Checked against the book before writing; only a concurrent writer gets here.
            raise CommandError(
                f"{opts['file']}: the book changed while importing (another import of the same "
                f"loans or payments?); nothing was imported, run it again ({exc})"
            ) from exc
        limit = settings.ARREARS_IMPORT_MAX_ERRORS
        for err in report.errors[:limit]:
            self.stderr.write(str(err))
        if len(report.errors) > limit:
            self.stderr.write(f"… and {len(report.errors) - limit:,} more errors")
        self.stdout.write(report.summary())
        if report.errors:
            if report.dry_run:
                tail = "; dry run: nothing was written"
            elif report.written:
                tail = "; the valid rows were imported"
            else:
                tail = "; nothing was imported (fix the file, or use --skip-invalid)"
            raise CommandError(f"{len(report.errors):,} error(s) in {opts['file']}{tail}")
