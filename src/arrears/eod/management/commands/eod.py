"""`arrears eod [--as-of YYYY-MM-DD]`: run end-of-day and print a one-screen summary.

Each run is recorded as a job (the jobs page); `--queue` hands it to the Celery workers.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.money import format_yuan
from arrears.eod.models import EodRun
from arrears.jobs.services import broker_configured, job_create, job_execute, job_submit


class Command(BaseCommand):
    help = "Recompute delinquency, penalty, classification and limitation for every loan."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="business date (default: today in ARREARS_TIME_ZONE)")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar even on a terminal"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="recompute every loan (default: only loans that can have changed since the"
            " previous day's run; see docs/eod.md)",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="send the run to the Celery workers (ARREARS_BROKER_URL) and return at once",
        )

    def handle(self, *args, **opts):
        try:
            as_of = parse_date(opts["as_of"]) if opts["as_of"] else local_today()
        except DateError as exc:
            raise CommandError(str(exc)) from exc
        if opts["queue"] and not broker_configured():
            raise CommandError("--queue needs a broker: set ARREARS_BROKER_URL (docs/jobs.md)")
        # A progress bar on this terminal (the job runs in this process unless --queue).
        progress = not opts["no_progress"] and not opts["queue"] and sys.stderr.isatty()
        params = {"as_of": as_of.isoformat(), "full": opts["full"], "progress": progress}
        job = job_create(kind="eod", actor=None, params=params, source="cli")
        if opts["queue"]:
            job_submit(job)
            self.stdout.write(f"End of day {as_of} queued as job #{job.pk}\n")
            return
        job = job_execute(job_id=job.pk)
        if job.status != job.Status.SUCCEEDED:
            raise CommandError(f"end of day {as_of} failed (job #{job.pk}): {job.error}")
        self.stdout.write(render_summary(EodRun.objects.get(pk=job.result["eod_run"])))


def render_summary(run) -> str:
    s = run.summary
    if run.mode == "incremental":
        detail = run.mode_detail
        mode = (
            f"incremental: {run.recomputed:,} loans recomputed, {run.carried:,} carried from"
            f" {detail.get('previous_as_of')}"
        )
    else:
        reason = run.mode_detail.get("reason")
        mode = f"full: {run.recomputed:,} loans" + (f" ({reason})" if reason else "")
    lines = [
        f"End of day {run.as_of}  ·  run #{run.pk}  ·  {run.seconds:.1f} s",
        mode,
        f"loans {s['loans']:,}   delinquent {s['delinquent']:,}   "
        f"newly delinquent {s['newly_delinquent']:,}   cured {s['cured']:,}",
        f"cases opened {run.cases_opened:,}   closed {run.cases_closed:,}   "
        f"pre-due (next days) {s['pre_due']:,}   time-barred {s['time_barred']:,}",
        "",
        f"{'bucket':<7}{'loans':>12}{'principal':>20}{'total due':>20}",
    ]
    # The book's figures: written-off loans are left out (their line follows; docs/writeoff.md).
    book = s.get("book") or s
    for label, b in book["by_bucket"].items():
        lines.append(
            f"{label:<7}{b['loans']:>12,}{format_yuan(b['principal']):>20}"
            f"{format_yuan(b['total_due']):>20}"
        )
    wo = s.get("written_off")
    if wo and wo["loans"]:
        # Written off (核销): not in the book's figures below the line (docs/writeoff.md).
        principal = sum(b["principal"] for b in wo["by_bucket"].values())
        total = sum(b["total_due"] for b in wo["by_bucket"].values())
        lines.append(
            f"written off {wo['loans']:,} loans, off the book (which holds {book['loans']:,}):"
            f" principal {format_yuan(principal)}, total due {format_yuan(total)}"
        )
    lines.append("")
    lines.append(
        "class   " + "   ".join(f"{k} {v:,}" for k, v in sorted(book.get("by_class", {}).items()))
    )
    lines.append("time    " + "   ".join(f"{k} {v:.2f}s" for k, v in run.timings.items()))
    return "\n".join(lines) + "\n"
