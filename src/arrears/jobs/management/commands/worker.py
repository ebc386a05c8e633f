"""`arrears worker`: a Celery worker that runs the jobs (needs ARREARS_BROKER_URL)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Start a Celery worker that runs imports, exports and end-of-day jobs from the broker "
        "in ARREARS_BROKER_URL (redis://… or amqp://…). See docs/jobs.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=2, help="jobs run at once (default 2)"
        )
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--pool", default="prefork", help="prefork (default), threads or solo (one at a time)"
        )

    def handle(self, *args, **opts):
        if not settings.ARREARS_BROKER_URL:
            raise CommandError(
                "no broker: set ARREARS_BROKER_URL (e.g. redis://127.0.0.1:6379/0 or "
                "amqp://guest:guest@127.0.0.1:5672//). Without one, jobs run inside the web "
                "process and the command line (docs/jobs.md)."
            )
        from arrears.jobs.celery import app

        app.worker_main(
            [
                "worker",
                f"--loglevel={opts['loglevel']}",
                f"--concurrency={opts['concurrency']}",
                f"--pool={opts['pool']}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
