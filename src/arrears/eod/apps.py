"""The end-of-day engine: delinquency, penalty, classification, limitation, snapshots."""

from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "arrears.eod"
    label = "eod"

    def ready(self) -> None:
        from arrears.eod.exports import register_snapshot_export

        register_snapshot_export()

        from arrears.eod.phases import register_eod_phase
        from arrears.eod.retention import retention_phase

        # Last: keep daily snapshots for a window and month-ends for good (eod/retention.py).
        register_eod_phase("snapshot_retention", retention_phase, order=900)

        from django.utils.translation import gettext_lazy as _

        from arrears.web.navigation import NavItem, nav_register

        nav_register(
            NavItem(
                "predue",
                _("Falling due"),
                "eod:predue",
                order=40,
                capability="predue.read",
                prefix="/predue/",
            )
        )
