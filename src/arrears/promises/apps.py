"""Promises to pay (PTP): recorded on a case, judged at end-of-day from the payments."""

from django.apps import AppConfig

# A promise is the debtor agreeing to perform (Civil Code art. 195): the limitation period
# restarts on the day it is made, whether it is later kept or broken. Only the borrower's own
# promise counts (recorded with no activity, or with one whose target is the borrower): a
# guarantor's promise binds the guarantor, a separate limitation question.
RESTART_SQL = (
    "SELECT loan_id, MAX(created_on) AS event_date FROM promises_promise"
    " WHERE created_on <= {as_of}"
    " AND (activity_id IS NULL OR activity_id IN"
    " (SELECT id FROM activities_activity WHERE target_kind = 'borrower')){subset}"
    " GROUP BY loan_id"
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
