"""The Celery application: broker from ARREARS_BROKER_URL, the end-of-day schedule.

`arrears worker` and `arrears beat` start it (jobs/management/commands). Without a broker
nothing here runs: jobs run in-process (jobs.services.job_submit).
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

app = Celery("arrears")
app.config_from_object("django.conf:settings", namespace="CELERY")


def beat_schedule() -> dict:
    """End-of-day at ARREARS_EOD_AT (local time, TIME_ZONE); stale uploads hourly."""
    hour, minute = (int(x) for x in settings.ARREARS_EOD_AT.split(":"))
    return {
        "end-of-day": {
            "task": "arrears.jobs.eod_scheduled",
            "schedule": crontab(hour=hour, minute=minute),
        },
        "expire-uploads": {
            "task": "arrears.jobs.uploads_expire",
            "schedule": crontab(minute=17),
        },
    }


app.conf.beat_schedule = beat_schedule()
