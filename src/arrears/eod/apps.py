"""The end-of-day engine: delinquency, penalty, classification, limitation, snapshots."""

from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "arrears.eod"
    label = "eod"

    def ready(self) -> None:
        from arrears.eod.exports import register_snapshot_export

        register_snapshot_export()
