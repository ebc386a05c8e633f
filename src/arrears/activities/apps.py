"""Activities (contact attempts and actions on a case) and promises to pay."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "arrears.activities"
    label = "activities"

    def ready(self) -> None:
        from arrears.activities.imports import register
        from arrears.activities.views import panel_context
        from arrears.cases.panels import CasePanel, register_case_panel

        # The timeline and the "log an outcome" form, near the top of the case page.
        register_case_panel(
            CasePanel("activities", "activities/_case_panel.html", panel_context, order=10)
        )
        # `arrears import activities FILE` (the import command reads ingest's registries).
        register()
