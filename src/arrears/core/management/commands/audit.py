"""`arrears audit verify`: check the audit trail's hash chain from the first entry to the last."""

from django.core.management.base import BaseCommand, CommandError

from arrears.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks the hash chain and names the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry {report.first_bad_id}: {report.problem} "
                f"({report.checked} entries before it are intact)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} entries verified")
