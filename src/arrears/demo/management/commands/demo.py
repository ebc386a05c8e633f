"""`arrears demo [--loans N] [--seed S] [--reset] [--as-of DATE]`: build the demo portfolio,
then three weeks of daily cycles with case work on a few dozen cases (demo/casework.py)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.money import format_yuan
from arrears.demo.assign import demo_assign
from arrears.demo.casework import demo_casework
from arrears.demo.generator import DemoError, demo_eod, demo_generate
from arrears.demo.writeoff import demo_writeoff


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic microloan book (default 5,000 loans), then run "
        "the daily cycle. --reset deletes the existing book first (demo databases only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loans", type=int, default=5000, help="number of loans (5000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing loan book first"
        )
        parser.add_argument("--as-of", default=None, help="business date (default: today)")
        parser.add_argument(
            "--no-eod", action="store_true", help="do not run the daily cycle afterwards"
        )
        parser.add_argument(
            "--no-casework",
            action="store_true",
            help="run the daily cycle once, without the demo's case work",
        )

    def handle(self, *args, **options):
        from django.test.utils import override_settings

        # The strategies' champion/challenger draws follow the demo's seed (a rebuilt demo
        # gives the same paths and the same work); a real book draws at random.
        with override_settings(ARREARS_STRATEGY_DRAW_SEED=options["seed"]):
            self._handle(*args, **options)

    def _handle(self, *args, **options):
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else local_today()
        except DateError as exc:
            raise CommandError(f"--as-of: {exc}") from exc
        loans = options["loans"]
        if options["reset"]:
            from arrears.demo.guard import demo_guard

            try:
                demo_guard("arrears demo --reset")
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
        bar = None
        if sys.stderr.isatty() and options["verbosity"] > 0:
            from tqdm import tqdm

            bar = tqdm(total=loans, desc="demo", unit="loan", leave=False, file=sys.stderr)
        try:
            summary = demo_generate(
                loans=loans,
                seed=options["seed"],
                as_of=as_of,
                reset=options["reset"],
                progress=bar.update if bar is not None else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        from arrears.demo.allocation import demo_allocation_staff

        demo_allocation_staff(reset=options["reset"])
        out = self.stdout.write
        out(f"Demo portfolio as of {as_of} (seed {options['seed']}):")
        out(
            f"  {summary.loans:,} loans, {summary.borrowers:,} borrowers, "
            f"{summary.contacts:,} contacts, {summary.guarantors:,} guarantors, "
            f"{summary.collateral:,} collateral"
        )
        out(
            f"  {summary.installments:,} installments, {summary.payments:,} payments, "
            f"{summary.allocations:,} allocations, {summary.charges:,} failed-deduction fees"
        )
        out(f"  total principal {format_yuan(summary.principal_fen)} yuan")
        out("  by repayment method: " + _counts(summary.by_method))
        out("  by town: " + _counts(summary.by_town))
        out("  by bucket (as of the date): " + _counts(summary.by_bucket, sort_keys=True))
        rate = summary.loans / summary.seconds if summary.seconds else 0
        out(f"  generated in {summary.seconds:.1f}s ({rate:,.0f} loans/s)")
        if options["no_eod"]:
            out("daily cycle skipped (--no-eod)")
        elif options["no_casework"]:
            out(demo_eod(as_of=as_of))
        else:
            work = demo_casework(as_of=as_of, seed=options["seed"])
            out(f"daily cycle on {len(work.eod_runs)} days: " + "; ".join(work.eod_runs))
            out(
                f"case work on {work.cases} cases: {work.activities} activities, "
                f"{work.payments} payments ({work.seconds:.1f}s with the daily cycles)"
            )
            for skipped in sorted(set(work.skipped)):
                out(f"  no suitable case for {skipped} (a bigger --loans gives more)")
            for error in work.errors:
                self.stderr.write(f"  case work refused: {error}")
            # Back-dated runs at the last month-ends, for roll rates (demo/reports.py).
            from arrears.demo.reports import demo_month_ends

            out(demo_month_ends(as_of=as_of))
        if not options["no_eod"]:
            # The first morning's allocation: every open case has a team and a collector.
            out(demo_assign().line())
            from arrears.demo.field import demo_field

            for line in demo_field(as_of=as_of).lines():
                out(line)
            from arrears.demo.strategy import demo_strategy

            out(demo_strategy().line())
            if not options["no_casework"]:
                # Write-offs (核销) with recoveries after: case work too, and it reruns the day.
                out(demo_writeoff(as_of=as_of).line())
            from arrears.demo.agencies import demo_agencies

            out(demo_agencies(as_of=as_of))
            from arrears.demo.allocation import demo_allocation

            out(demo_allocation().line())
            from arrears.demo.queues import demo_queues

            out(demo_queues())
            from arrears.jobs.demo import demo_jobs

            for line in demo_jobs():
                out(f"  {line}")
            from arrears.demo.targets import demo_targets

            out(demo_targets(as_of=as_of))
        out("Next: `arrears demo_users` prints the demo users and their passwords.")


def _counts(counter, sort_keys: bool = False) -> str:
    """'a 3, b 2' from a Counter."""
    items = sorted(counter.items()) if sort_keys else counter.most_common()
    return ", ".join(f"{k} {v:,}" for k, v in items)
