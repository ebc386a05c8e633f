"""`arrears report NAME --as-of DATE [--from DATE --to DATE] [options]
--format json|csv|xlsx|pdf [--output PATH] [--user NAME]`: any report of the registry.

JSON and CSV go to standard output without --output; XLSX and PDF need --output. Without
--user the report covers the whole book (the operator's view); with it, that user's scope.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arrears.core.models import User
from arrears.reports.registry import FORMATS, REPORTS, ReportError, report_run
from arrears.reports.render import report_file


class Command(BaseCommand):
    help = "Write a report: " + "; ".join(sorted(REPORTS)) if REPORTS else "Write a report"

    def add_arguments(self, parser):
        parser.add_argument("name", help="the report (arrears report --list shows them)", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the reports and stop")
        parser.add_argument("--as-of", dest="as_of", help="business date YYYY-MM-DD (today)")
        parser.add_argument("--from", dest="from", help="period start YYYY-MM-DD")
        parser.add_argument("--to", dest="to", help="period end YYYY-MM-DD")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="file to write (JSON/CSV go to stdout without it)")
        parser.add_argument("--user", help="the report as this user sees it (their scope)")
        seen: set[str] = set()
        for report in REPORTS.values():
            for param in report.params:
                if param.flag not in seen:
                    seen.add(param.flag)
                    parser.add_argument(param.flag, dest=f"opt_{param.name}", help=str(param.label))

    def handle(self, *args, **opts):
        if opts["list"] or not opts["name"]:
            for r in sorted(REPORTS.values(), key=lambda r: (r.order, r.name)):
                flags = " ".join(f"{p.flag} …" for p in r.params)
                period = " --from … --to …" if r.period else ""
                self.stdout.write(f"{r.name:<14} {r.label}{period} {flags}".rstrip())
            if not opts["name"] and not opts["list"]:
                raise CommandError("name a report (see the list above)")
            return
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {opts['user']}")
        raw = {"as_of": opts["as_of"], "from": opts["from"], "to": opts["to"]}
        raw.update({k[4:]: v for k, v in opts.items() if k.startswith("opt_") and v is not None})
        fmt = opts["format"]
        if fmt in ("xlsx", "pdf") and not opts["output"]:
            raise CommandError(f"--format {fmt} needs --output PATH")
        try:
            report, request, data = report_run(opts["name"], user=user, raw=raw)
        except ReportError as exc:
            raise CommandError(exc.message) from exc
        body = report_file(report, request, data, fmt)
        if opts["output"]:
            Path(opts["output"]).write_bytes(body)
            self.stderr.write(f"{report.name} written to {opts['output']}")
        else:
            # Text to standard output (no byte-order mark: that is for files Excel opens).
            self.stdout.write(body.decode("utf-8-sig"), ending="")
