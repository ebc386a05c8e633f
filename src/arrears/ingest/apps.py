"""File imports (loan tapes, schedules, payments, auto-debit attempts) and spreadsheet exports."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "arrears.ingest"
    label = "ingest"

    def ready(self) -> None:
        from arrears.ingest.deductions import register

        register()
