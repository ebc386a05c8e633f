"""`arrears rulepack list|show CODE|export CODE|import FILE|lpr|lpr-set`: rule packs from the shell.

`export` writes JSON to stdout (`arrears rulepack export cn_default > cn.json`); `import` saves
the file as the next version of its pack (never edits an old one).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from arrears.compliance.errors import ComplianceError
from arrears.compliance.models import LprRate, RulePack
from arrears.compliance.selectors import default_pack_code, pack_current, pack_export, packs_current
from arrears.compliance.services import lpr_set, rulepack_import
from arrears.core.dates import DateError, parse_date
from arrears.core.models import User
from arrears.core.money import MoneyError, parse_rate


class Command(BaseCommand):
    help = "List, show, export and import compliance rule packs; list and set the LPR table."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every pack's current version")
        for name in ("show", "export"):
            p = sub.add_parser(name, help=f"{name} a pack (current version unless --version)")
            p.add_argument("code")
            p.add_argument("--version", type=int)
        p = sub.add_parser("import", help="import a JSON file as the next version of its pack")
        p.add_argument("file", help="path, or - for stdin")
        p.add_argument("--user", help="the admin the audit trail records (default: system)")
        sub.add_parser("lpr", help="the one-year and five-year LPR table")
        p = sub.add_parser("lpr-set", help="enter the LPR announced for a month")
        p.add_argument("month", help="YYYY-MM")
        p.add_argument("one_year", help="e.g. 3.00%% or 0.03")
        p.add_argument("five_year", help="e.g. 3.50%% or 0.035")
        p.add_argument("--source", required=True, help="the announcement, e.g. 'NIFC 2026-01-20'")
        p.add_argument("--published-on", help="YYYY-MM-DD (default: the 20th, past weekends)")
        p.add_argument("--user", help="the admin the audit trail records (default: system)")

    def handle(self, *args, **opts):
        try:
            getattr(self, "do_" + opts["action"].replace("-", "_"))(opts)
        except ComplianceError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def _pack(self, opts) -> RulePack:
        if opts.get("version"):
            pack = RulePack.objects.filter(code=opts["code"], version=opts["version"]).first()
        else:
            pack = pack_current(opts["code"])
        if pack is None:
            raise CommandError(f"no rule pack {opts['code']!r}")
        return pack

    def _user(self, opts) -> User | None:
        if not opts.get("user"):
            return None
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"no user {opts['user']!r}")
        return user

    def do_list(self, opts):
        default = default_pack_code()
        self.stdout.write(f"{'code':<14}{'version':>8}  {'active':<7}{'rules':>6}  name")
        for pack in packs_current():
            mark = "yes" if pack.is_active else "no"
            star = " (default)" if pack.code == default else ""
            self.stdout.write(
                f"{pack.code:<14}{pack.version:>8}  {mark:<7}{pack.rules.count():>6}  "
                f"{pack.name}{star}"
            )

    def do_show(self, opts):
        pack = self._pack(opts)
        self.stdout.write(f"{pack.code} v{pack.version} — {pack.name}")
        self.stdout.write(
            f"active: {'yes' if pack.is_active else 'no'}   created {pack.created_at:%Y-%m-%d %H:%M} by {pack.created_by or 'system'}"
        )
        for rule in pack.rules.order_by("rule_id"):
            override = (
                f"override: {', '.join(rule.override_roles)}" if rule.overridable else "no override"
            )
            # Long linter lists are summarised; `export` prints them in full.
            params = {
                k: (
                    f"[{len(v)} entries]"
                    if isinstance(v, list) and len(v) > 5
                    else sorted(v)
                    if isinstance(v, dict) and k == "categories"
                    else v
                )
                for k, v in rule.parameters.items()
            }
            self.stdout.write(f"\n{rule.rule_id}  [{rule.mode}, {override}]  ({rule.kind})")
            self.stdout.write(f"  {rule.description_en}")
            self.stdout.write(f"  {rule.description_zh}")
            self.stdout.write(f"  parameters: {json.dumps(params, ensure_ascii=False)}")
            self.stdout.write(f"  source: {rule.source}")

    def do_export(self, opts):
        data = pack_export(self._pack(opts))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))

    def do_import(self, opts):
        try:
            if opts["file"] == "-":
                data = json.load(sys.stdin)
            else:
                with open(opts["file"], encoding="utf-8-sig") as fh:
                    data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("the file must hold one pack object")
        pack = rulepack_import(data=data, actor=self._user(opts), source="cli")
        self.stdout.write(
            f"imported {pack.code} as version {pack.version} ({pack.rules.count()} rules)"
        )

    def do_lpr(self, opts):
        self.stdout.write(f"{'month':<9}{'published':<12}{'1-year':>8}{'5-year':>8}  source")
        for row in LprRate.objects.order_by("month"):
            flag = "  (carried forward)" if row.carried_forward else ""
            self.stdout.write(
                f"{row.month:%Y-%m}  {row.published_on}  {row.one_year_rate:>7.2%} "
                f"{row.five_year_rate:>7.2%}  {row.source}{flag}"
            )

    def do_lpr_set(self, opts):
        try:
            month = parse_date(opts["month"] + "-01")
            published = parse_date(opts["published_on"]) if opts.get("published_on") else None
            one, five = parse_rate(opts["one_year"]), parse_rate(opts["five_year"])
        except (DateError, MoneyError, InvalidOperation) as exc:
            raise CommandError(str(exc)) from exc
        row = lpr_set(
            month=month,
            one_year_rate=Decimal(one),
            five_year_rate=Decimal(five),
            source=opts["source"],
            published_on=published,
            actor=self._user(opts),
        )
        self.stdout.write(
            f"LPR {row.month:%Y-%m}: 1-year {row.one_year_rate:.2%}, 5-year {row.five_year_rate:.2%}"
        )
