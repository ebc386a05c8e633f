"""`arrears strategy list|export NAME [--output PATH]|import FILE|validate FILE|activate NAME`.

`export` writes the latest version (or `--version N`) as YAML; `import` validates a YAML file
and saves it as the next version of the strategy its `code` names (all or nothing: every
problem is listed with its segment, path, step and field, and nothing is saved). Audited.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from arrears.core.models import User
from arrears.strategy import services
from arrears.strategy.errors import StrategyError
from arrears.strategy.models import Strategy


class Command(BaseCommand):
    help = "List, export, import, validate and activate collection strategies (YAML)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every strategy and its latest version")
        p = sub.add_parser("export", help="write a strategy as YAML")
        p.add_argument("name", help="the strategy's code")
        p.add_argument("--version", type=int, help="a saved version (default: the latest)")
        p.add_argument("--output", help="a file to write (default: stdout)")
        for name, text in (
            ("import", "validate a YAML file and save it as the next version"),
            ("validate", "check a YAML file and list its problems; save nothing"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("file", help="path, or - for stdin")
            p.add_argument("--user", help="the manager the audit trail records (default: system)")
        p = sub.add_parser("activate", help="make a strategy the one the next end-of-day runs")
        p.add_argument("name")
        p.add_argument("--user", help="the manager the audit trail records (default: system)")

    def handle(self, *args, **opts):
        with translation.override("en"):
            try:
                getattr(self, "do_" + opts["action"])(opts)
            except StrategyError as exc:
                lines = [f"{exc.code}: {exc.message}"]
                lines += [f"  {p}" for p in exc.problems]
                raise CommandError("\n".join(lines)) from exc

    def _user(self, opts) -> User | None:
        if not opts.get("user"):
            return None
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"no user {opts['user']!r}")
        return user

    def _read(self, opts) -> str:
        if opts["file"] == "-":
            return sys.stdin.read()
        try:
            return Path(opts["file"]).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from exc

    def do_list(self, opts):
        self.stdout.write(f"{'code':<20}{'version':>8}  {'active':<7}name")
        for s in Strategy.objects.order_by("code"):
            latest = s.latest()
            self.stdout.write(
                f"{s.code:<20}{latest.number if latest else 0:>8}  "
                f"{'yes' if s.is_active else 'no':<7}{s.name_en} / {s.name_zh}"
            )

    def do_export(self, opts):
        strategy = Strategy.objects.filter(code=opts["name"]).first()
        if strategy is None:
            raise CommandError(f"no strategy {opts['name']!r}")
        qs = strategy.versions.order_by("-number")
        version = qs.filter(number=opts["version"]).first() if opts.get("version") else qs.first()
        if version is None:
            raise CommandError("no such version")
        text = services.definition_to_yaml(version)
        if opts.get("output"):
            Path(opts["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {strategy.code} v{version.number} to {opts['output']}")
        else:
            self.stdout.write(text, ending="")

    def do_validate(self, opts):
        data = services.definition_from_yaml(self._read(opts))
        problems = services.definition_validate({"segments": data.get("segments")})
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems)
            )
        self.stdout.write("valid")

    def do_import(self, opts):
        version = services.strategy_import(
            text=self._read(opts), actor=self._user(opts), source="cli"
        )
        self.stdout.write(
            f"saved {version.strategy.code} v{version.number}; the next end-of-day uses it"
            + ("" if version.strategy.is_active else " once the strategy is made active")
        )

    def do_activate(self, opts):
        s = services.strategy_activate(code=opts["name"], actor=self._user(opts), source="cli")
        self.stdout.write(f"{s.code} is active from the next end-of-day")
