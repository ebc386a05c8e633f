"""File imports (loan tapes, schedules, payments) and spreadsheet exports."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "arrears.ingest"
    label = "ingest"
