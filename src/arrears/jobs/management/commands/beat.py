"""`arrears beat`: the schedule (end-of-day at ARREARS_EOD_AT local time, upload expiry)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Start Celery beat: sends end-of-day at ARREARS_EOD_AT (local time, TIME_ZONE) and the "
        "hourly expiry of uncommitted uploads to the workers. Run exactly one. See docs/jobs.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, **opts):
        if not settings.ARREARS_BROKER_URL:
            raise CommandError(
                "no broker: set ARREARS_BROKER_URL. Without one, run `arrears eod` from cron "
                "at the end of each business day (docs/jobs.md)."
            )
        from arrears.jobs.celery import app

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(
            f"end-of-day every day at {settings.ARREARS_EOD_AT} ({settings.TIME_ZONE})"
        )
        app.start(
            [
                "beat",
                f"--loglevel={opts['loglevel']}",
                f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
            ]
        )
