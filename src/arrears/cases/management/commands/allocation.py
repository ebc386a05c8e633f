"""`arrears allocation …`: allocation (分案), absences and rotation from the command line,
through the same services as the pages and the API (docs/allocation.md).

arrears allocation plan [--day DATE] [--team NAME] [--format table|json]    (dry run)
arrears allocation run [--day DATE] [--team NAME] [--as USER] [--format table|json]
arrears allocation rules [--format table|json]
arrears allocation absences [--user U] [--all] [--format table|json]
arrears allocation absence add USER --from DATE --until DATE --reason R [--note TEXT] [--as U]
arrears allocation absence cancel ID [--reason TEXT] [--as USER]
arrears allocation absence change ID --until DATE [--from DATE] [--as USER]
arrears allocation rotation [--day DATE] [--team NAME] [--format table|json]   (dry run)

Without `--as` the audit trail records the system; with it, the user's role and team apply
(a team lead plans, runs and manages absences for their own team only). Dates are
YYYY-MM-DD. Errors go to stderr with exit code 1; nothing is changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from arrears.cases import allocation
from arrears.cases.errors import CaseError
from arrears.cases.models import Absence, AllocationRule, Case
from arrears.core.dates import local_today
from arrears.core.models import Team, User
from arrears.core.money import format_yuan
from arrears.core.roles import Role

# The services name the model's fields; the command's options are called otherwise.
OPTION = {"starts_on": "--from", "ends_on": "--until", "reason": "--reason", "note": "--note"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _team_name(team_id: int | None, teams: dict) -> str:
    return teams[team_id].name if team_id in teams else "-"


class Command(BaseCommand):
    help = "Allocation (分案): plan, run, rules, absences and the rotation due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        def common(p, *, day=True, team=True, actor=False, fmt=True):
            if day:
                p.add_argument("--day", type=_date, help="the as-of day (default: today)")
            if team:
                p.add_argument("--team", help="only this team's cases and people (its name)")
            if actor:
                p.add_argument(
                    "--as", dest="as_user", help="who does it (default: the system, audited)"
                )
            if fmt:
                p.add_argument("--format", choices=["table", "json"], default="table")

        common(sub.add_parser("plan", help="what allocation would do now; changes nothing"))
        common(
            sub.add_parser("run", help="cover absences, route and place cases (as end-of-day)"),
            actor=True,
        )
        common(
            sub.add_parser("rules", help="the allocation rules, in order"), day=False, team=False
        )
        p = sub.add_parser("absences", help="absences now and to come")
        p.add_argument("--user", help="only this person's (username)")
        p.add_argument("--all", action="store_true", help="also past and cancelled ones")
        common(p, day=False, team=False)
        common(
            sub.add_parser("rotation", help="which cases would rotate; changes nothing"),
        )

        absence = sub.add_parser("absence", help="record, cancel or change an absence")
        what = absence.add_subparsers(dest="absence_action", required=True)
        p = what.add_parser("add", help="record an absence; teammates cover the cases")
        p.add_argument("user", help="the person who is away (username)")
        p.add_argument("--from", dest="starts_on", type=_date, required=True)
        p.add_argument("--until", dest="ends_on", type=_date, required=True)
        p.add_argument("--reason", required=True, help=", ".join(Absence.Reason.values))
        p.add_argument("--note", default="")
        common(p, day=False, team=False, actor=True, fmt=False)
        p = what.add_parser("cancel", help="cancel an absence; covered cases go back at EOD")
        p.add_argument("id", type=int)
        p.add_argument("--reason", default="", help="why (kept in the audit trail)")
        common(p, day=False, team=False, actor=True, fmt=False)
        p = what.add_parser("change", help="move an absence's end (before it starts: its start)")
        p.add_argument("id", type=int)
        p.add_argument("--until", dest="ends_on", type=_date)
        p.add_argument("--from", dest="starts_on", type=_date)
        common(p, day=False, team=False, actor=True, fmt=False)

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "absence":
            action = f"absence_{opts['absence_action']}"
        with translation.override("en"):
            try:
                getattr(self, f"do_{action}")(opts)
            except CaseError as exc:
                where = OPTION.get(exc.field or "", exc.field)
                raise CommandError(f"{where + ': ' if where else ''}{exc.message}") from exc

    # --- helpers -----------------------------------------------------------------------------

    def _actor(self, opts) -> User | None:
        name = opts.get("as_user")
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user named {name!r}")
        return user

    def _team_ids(self, opts, actor: User | None) -> list[int] | None:
        """The teams a run or plan covers: --team, and a team lead's own team at most."""
        team = None
        if opts.get("team"):
            team = Team.objects.filter(name=opts["team"]).first()
            if team is None:
                raise CommandError(f"--team: no team named {opts['team']!r}")
        if actor is not None and actor.role == Role.TEAM_LEAD:
            if team is not None and team.pk != actor.team_id:
                raise CommandError(f"--team: {actor.username} leads another team")
            if actor.team_id is None:
                raise CommandError(f"--as: {actor.username} leads no team")
            return [actor.team_id]
        return [team.pk] if team is not None else None

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))

    def _report(self, report, opts, *, dry_run: bool) -> None:
        users = User.objects.select_related("team").in_bulk(list(report.placed))
        teams = Team.objects.in_bulk(list(report.routed))
        rows = sorted(
            (
                users[u].username,
                users[u].team.name if users[u].team_id else "-",
                n,
                report.placed_amount.get(u, 0),
            )
            for u, n in report.placed.items()
        )
        counts = report.counts()
        if opts["format"] == "json":
            self._json(
                {
                    "day": report.day,
                    "dry_run": dry_run,
                    **counts,
                    "routed_by_team": {teams[t].name: n for t, n in report.routed.items()},
                    "by_collector": [
                        {"user": u, "team": t, "cases": n, "amount_fen": a} for u, t, n, a in rows
                    ],
                }
            )
            return
        self.stdout.write(
            f"{report.day}{' (dry run: nothing changed)' if dry_run else ''}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        for t, n in sorted(report.routed.items(), key=lambda r: teams[r[0]].name):
            self.stdout.write(f"routed to {teams[t].name}: {n}")
        if rows:
            self.stdout.write(f"{'collector':<20}{'team':<20}{'cases':>6}{'amount (yuan)':>18}")
            for u, t, n, a in rows:
                self.stdout.write(f"{u:<20}{t:<20}{n:>6}{format_yuan(a):>18}")
            total = sum(a for *_x, a in rows)
            self.stdout.write(
                f"{'total':<40}{sum(n for _u, _t, n, _a in rows):>6}{format_yuan(total):>18}"
            )

    def _absence(self, pk: int) -> Absence:
        row = Absence.objects.select_related("user").filter(pk=pk).first()
        if row is None:
            raise CommandError(f"no absence {pk}")
        return row

    def _absence_line(self, a: Absence, today: dt.date) -> str:
        if a.cancelled_on is not None:
            state = f"cancelled {a.cancelled_on}"
        elif a.ends_on < today:
            state = "over"
        elif a.starts_on <= today:
            state = "now"
        else:
            state = "to come"
        return (
            f"{a.pk:>6}  {a.user.username:<20}{a.starts_on}  {a.ends_on}  "
            f"{a.reason:<9}{state:<22}{a.note}"
        ).rstrip()

    # --- the subcommands ---------------------------------------------------------------------

    def do_plan(self, opts):
        day = opts.get("day") or local_today()
        team_ids = self._team_ids(opts, None)
        report, _routing, _moves = allocation.allocation_plan(day=day, team_ids=team_ids)
        report.covered, report.returned = self._cover_due(day, team_ids)
        self._report(report, opts, dry_run=True)

    def _cover_due(self, day: dt.date, team_ids) -> tuple[int, int]:
        """For a dry run: the open cases of collectors away tomorrow (to cover), and the
        covered cases whose owner is back (to return) — at most; a run leaves out suspended
        cases and those moved elsewhere meanwhile."""
        from arrears.cases.models import CaseCover

        away = allocation.absent_ids(day + dt.timedelta(days=1))
        to_cover = Case.objects.filter(
            status=Case.Status.OPEN,
            collector_id__in=away,
            collector__role=Role.COLLECTOR,
            team__isnull=False,
        )
        to_return = CaseCover.objects.filter(returned_on__isnull=True).exclude(owner_id__in=away)
        if team_ids is not None:
            to_cover = to_cover.filter(team_id__in=team_ids)
            to_return = to_return.filter(case__team_id__in=team_ids)
        return to_cover.count(), to_return.count()

    def do_run(self, opts):
        from arrears.core.audit import audit_record

        actor = self._actor(opts)
        if actor is not None and (actor.is_read_only or not actor.can("case.assign")):
            raise CommandError(f"{actor.username} ({actor.role}) may not allocate cases")
        day = opts.get("day") or local_today()
        if day > local_today():
            raise CommandError(
                f"--day: {day} has not come yet; allocation runs for today or before"
            )
        report = allocation.allocation_run(
            day=day, actor=actor, source="cli", team_ids=self._team_ids(opts, actor)
        )
        audit_record(
            actor=actor,
            event="allocation.run",
            object_type="allocation",
            after={"day": day, **report.counts()},
            source="cli",
        )
        self._report(report, opts, dry_run=False)

    def do_rules(self, opts):
        rules = [
            allocation.rule_content(r)
            for r in AllocationRule.objects.select_related("team", "product", "debtor_type")
        ]
        if opts["format"] == "json":
            self._json(rules)
            return
        self.stdout.write(
            f"{'id':>5}  {'order':>5}  {'active':<7}{'team':<20}{'name':<24}conditions"
        )
        for r in rules:
            conditions = [
                f"{label} {r[key]}"
                for key, label in (
                    ("region_prefix", "region"),
                    ("product", "product"),
                    ("borrower_kind", "kind"),
                    ("debtor_type", "debtor type"),
                )
                if r[key]
            ]
            if r["dpd_min"] is not None or r["dpd_max"] is not None:
                conditions.append(f"DPD {r['dpd_min'] or 0}-{r['dpd_max'] or '∞'}")
            self.stdout.write(
                f"{r['id']:>5}  {r['position']:>5}  {'yes' if r['active'] else 'no':<7}"
                f"{r['team']:<20}{r['name']:<24}{'; '.join(conditions) or 'everything'}"
            )
        if not rules:
            self.stdout.write("no rules: new cases keep the team their loan gives them")

    def do_absences(self, opts):
        today = local_today()
        qs = Absence.objects.select_related("user").order_by("starts_on", "pk")
        if not opts["all"]:
            qs = qs.filter(cancelled_on__isnull=True, ends_on__gte=today)
        if opts.get("user"):
            if not User.objects.filter(username=opts["user"]).exists():
                raise CommandError(f"--user: no user named {opts['user']!r}")
            qs = qs.filter(user__username=opts["user"])
        rows = list(qs)
        if opts["format"] == "json":
            self._json([allocation.absence_row(a) for a in rows])
            return
        self.stdout.write(
            f"{'id':>6}  {'user':<20}{'from':<12}{'until':<12}{'reason':<9}{'state':<22}note"
        )
        for a in rows:
            self.stdout.write(self._absence_line(a, today))
        if not rows:
            self.stdout.write("no absences")

    def do_absence_add(self, opts):
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"no user named {opts['user']!r}")
        row = allocation.absence_record(
            user=user,
            starts_on=opts["starts_on"],
            ends_on=opts["ends_on"],
            reason=opts["reason"],
            note=opts["note"],
            actor=self._actor(opts),
            source="cli",
        )
        self.stdout.write(
            f"absence {row.pk}: {user.username} away {row.starts_on} to {row.ends_on} "
            f"({row.reason}); teammates cover the cases from the end-of-day before"
        )

    def do_absence_cancel(self, opts):
        row = allocation.absence_cancel(
            absence=self._absence(opts["id"]),
            reason=opts["reason"],
            actor=self._actor(opts),
            source="cli",
        )
        covered = row.covers.filter(returned_on__isnull=True).count()
        self.stdout.write(
            f"absence {row.pk} of {row.user.username} cancelled; "
            f"{covered} covered case(s) go back at the next end-of-day"
        )

    def do_absence_change(self, opts):
        if opts.get("ends_on") is None and opts.get("starts_on") is None:
            raise CommandError("give --until DATE (or, before the absence starts, --from DATE)")
        row = allocation.absence_change(
            absence=self._absence(opts["id"]),
            ends_on=opts.get("ends_on"),
            starts_on=opts.get("starts_on"),
            actor=self._actor(opts),
            source="cli",
        )
        self.stdout.write(
            f"absence {row.pk} of {row.user.username}: {row.starts_on} to {row.ends_on}"
        )

    def do_rotation(self, opts):
        from arrears.cases.rotation import due_for_rotation

        day = opts.get("day") or local_today()
        team_ids = self._team_ids(opts, None)
        scope = None
        if team_ids is not None:
            scope = Case.objects.filter(team_id__in=team_ids)
        due = due_for_rotation(day=day, case_qs=scope)
        # Read over the open cases with a collector (a subquery, not a list of ids: SQLite's
        # limit of bound parameters), keep those due, longest held first.
        held = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
        if scope is not None:
            held = held.filter(pk__in=scope.values("pk"))
        rows = sorted(
            (
                r
                for r in held.values_list(
                    "pk", "loan__external_id", "collector__username", "team_id"
                ).iterator()
                if r[0] in due
            ),
            key=lambda r: (-due[r[0]], r[0]),
        )
        teams = Team.objects.in_bulk()
        if opts["format"] == "json":
            self._json(
                {
                    "day": day,
                    "dry_run": True,
                    "due": len(rows),
                    "cases": [
                        {
                            "case_id": pk,
                            "loan_id": loan,
                            "collector": who,
                            "team": _team_name(team, teams),
                            "days_held": due[pk],
                        }
                        for pk, loan, who, team in rows
                    ],
                }
            )
            return
        self.stdout.write(f"{day} (dry run: nothing changed): {len(rows)} case(s) due for rotation")
        if rows:
            self.stdout.write(f"{'case':>8}  {'loan':<16}{'collector':<20}{'team':<20}{'held':>5}")
            for pk, loan, who, team in rows:
                self.stdout.write(
                    f"{pk:>8}  {loan:<16}{who:<20}{_team_name(team, teams):<20}{due[pk]:>5}"
                )
