"""Daily work queues and the collector's workbench (每日作业队列与工作台)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "arrears.queues"
    label = "queues"

    def ready(self) -> None:
        from arrears.eod.phases import register_eod_phase
        from arrears.ingest.exports import register as export_register
        from arrears.queues.engine import queues_eod_phase
        from arrears.queues.exports import QUEUE_EXPORTER
        from arrears.web.navigation import NavItem, nav_register

        # After promises, plans and escalations (10–50) have judged the day.
        register_eod_phase("queues", queues_eod_phase, order=70)
        export_register(QUEUE_EXPORTER)
        nav_register(
            NavItem("workbench", _("Workbench"), "queues:workbench", order=5, prefix="/queues/")
        )
        nav_register(
            NavItem(
                "queue_exclusions",
                _("Left out of queues"),
                "queues:exclusions",
                order=28,
                capability="queue.oversee",
                prefix="/queues/excluded/",
            )
        )
        nav_register(
            NavItem(
                "queue_probabilities",
                _("Payment probabilities"),
                "queues:probabilities",
                order=88,
                capability="queue.tables",
                prefix="/queues/probabilities/",
            )
        )
