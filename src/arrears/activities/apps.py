"""Activities (contact attempts and actions on a case) and promises to pay."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "arrears.activities"
    label = "activities"

    def ready(self) -> None:
        from arrears.activities.imports import register
        from arrears.activities.recorded import ACKNOWLEDGEMENT_SQL
        from arrears.activities.views import facts_panel_context, panel_context
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.eod.limitation import register_restart_source

        # The timeline and the "log an outcome" form, near the top of the case page.
        register_case_panel(
            CasePanel("activities", "activities/_case_panel.html", panel_context, order=10)
        )
        # `arrears import activities FILE` (the import command reads ingest's registries).
        register()
        # A written acknowledgement is the debtor agreeing to perform (Civil Code art. 195);
        # after expiry it revives the debt (SPC limitation provisions art. 19).
        register_restart_source("acknowledgement", ACKNOWLEDGEMENT_SQL)
        register_case_panel(
            CasePanel("facts", "activities/_case_facts.html", facts_panel_context, order=15)
        )
