"""Daily work queues and the collector's workbench (每日作业队列与工作台)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "arrears.queues"
    label = "queues"

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.core.audit_labels import register_event_labels, register_object_labels
        from arrears.eod.phases import register_eod_phase
        from arrears.ingest.exports import register as export_register
        from arrears.queues.engine import queues_eod_phase
        from arrears.queues.exports import QUEUE_EXPORTER
        from arrears.queues.views import colour_panel_context, queue_panel_context
        from arrears.web.navigation import NavItem, nav_register

        # After promises, plans and escalations (10–50) have judged the day.
        register_eod_phase("queues", queues_eod_phase, order=70)
        register_event_labels({"queue.coverage_export": _("Queue coverage exported")})
        register_object_labels({"queues.QueueEntry": _("Daily work queues")})
        export_register(QUEUE_EXPORTER)
        # On the case page: where the case stands in today's queue ("next case"), and its
        # colour flag (案件标色).
        register_case_panel(
            CasePanel("queue", "queues/_case_queue.html", queue_panel_context, order=1)
        )
        register_case_panel(
            CasePanel("colour", "queues/_case_colour.html", colour_panel_context, order=2)
        )
        nav_register(
            NavItem(
                "workbench",
                _("Workbench"),
                "queues:workbench",
                order=5,
                roles=frozenset({"collector", "field_agent"}),
                prefix="/queues/",
            )
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
