from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "arrears.ingest"
    label = "ingest"
