"""`arrears notices issue --case ID [--template CODE] [--as-of DATE] [--pay-by DATE]
[--user NAME] [--output FILE]`: issue a collection notice from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.models import User
from arrears.core.money import format_yuan
from arrears.core.scoping import cases_for
from arrears.notices.errors import NoticeInvalid
from arrears.notices.selectors import templates_active

PAY_BY_DAYS = 14


def _day(value: str, option: str) -> dt.date:
    try:
        return parse_date(value)
    except DateError as exc:
        raise CommandError(f"{option}: {exc}") from exc


class Command(BaseCommand):
    help = "Collection notices (催款通知书). `issue --case ID` issues one and prints its number."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a notice on a case")
        issue.add_argument("--case", type=int, required=True, help="the case id")
        issue.add_argument("--template", default="cn_default", help="template code")
        issue.add_argument("--as-of", default="", help="amounts as of (default today)")
        issue.add_argument("--pay-by", default="", help=f"default today + {PAY_BY_DAYS} days")
        issue.add_argument("--user", default="", help="issue as this user (scope and audit)")
        issue.add_argument("--output", default="", help="also write the PDF here")

    def handle(self, *args, **options):
        from arrears.documents.services import document_root
        from arrears.documents.storage import document_path
        from arrears.notices.services import notice_issue

        today = local_today()
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user named {options['user']!r}")
            case = cases_for(user).filter(pk=options["case"]).first()
        else:
            from arrears.cases.models import Case

            case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(f"no case {options['case']}")
        template = templates_active().filter(code=options["template"]).first()
        if template is None:
            raise CommandError(f"no active template {options['template']!r}")
        as_of = _day(options["as_of"], "--as-of") if options["as_of"] else today
        pay_by = (
            _day(options["pay_by"], "--pay-by")
            if options["pay_by"]
            else today + dt.timedelta(days=PAY_BY_DAYS)
        )
        try:
            notice = notice_issue(
                case=case, template=template, as_of=as_of, pay_by=pay_by, actor=user, source="cli"
            )
        except (NoticeInvalid, PermissionDenied) as exc:
            field = getattr(exc, "field", None)
            raise CommandError(f"{field + ': ' if field else ''}{exc}") from exc
        self.stdout.write(f"{notice.number}: {format_yuan(notice.total_due_fen)} due by {pay_by}")
        if options["output"]:
            out = Path(options["output"])
            out.write_bytes(document_path(document_root(), notice.document.sha256).read_bytes())
            self.stdout.write(f"wrote {out}")
