"""Promises to pay (PTP): recorded on a case, judged at end-of-day from the payments."""

from django.apps import AppConfig

# A promise is the debtor agreeing to perform (Civil Code art. 195): the limitation period
# restarts on the day it is made, whether it is later kept or broken; after expiry a promise
# revives the debt (SPC limitation provisions art. 19). The borrower's own promise (recorded
# with no activity, or with one whose target is the borrower) is the debtor's act; a
# guarantor's promise binds the guarantor and is kept as a guarantor's event.
RESTART_SQL = (
    "SELECT p.loan_id AS loan_id, p.created_on AS event_date,"
    " CASE WHEN a.target_kind = 'guarantor' THEN 'guarantor' ELSE 'debtor' END AS actor,"
    " CAST(NULL AS DATE) AS reached_on, CAST(p.id AS VARCHAR(20)) AS ref"
    " FROM promises_promise p LEFT JOIN activities_activity a ON a.id = p.activity_id"
    " WHERE p.created_on <= {as_of}"
    " AND (a.id IS NULL OR a.target_kind IN ('borrower', 'guarantor'))"
)


class PromisesConfig(AppConfig):
    name = "arrears.promises"
    label = "promises"

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.eod.limitation import register_restart_source
        from arrears.eod.phases import register_eod_phase
        from arrears.promises.eod import promises_case_closed_phase, promises_eod_phase
        from arrears.promises.views import case_panel_context

        register_eod_phase("promises", promises_eod_phase, order=10)
        # After the day's judging and plan monitoring: what a closed case still has pending.
        register_eod_phase("promises_case_closed", promises_case_closed_phase, order=30)
        register_restart_source("promise", RESTART_SQL)
        register_case_panel(
            CasePanel("promises", "promises/_case_promises.html", case_panel_context, order=30)
        )
