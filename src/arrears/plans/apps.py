"""Repayment plans and settlements (协商还款), with approval limits by role."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A plan accepted by the borrower is the debtor agreeing to perform (Civil Code art. 195):
# the limitation period restarts from the acceptance date, whatever became of the plan; after
# expiry it revives the debt (SPC limitation provisions art. 19).
RESTART_SQL = (
    "SELECT loan_id, accepted_on AS event_date, 'debtor' AS actor,"
    " CAST(NULL AS DATE) AS reached_on, CAST(id AS VARCHAR(20)) AS ref FROM plans_plan"
    " WHERE accepted_on IS NOT NULL AND accepted_on <= {as_of}"
)


class PlansConfig(AppConfig):
    name = "arrears.plans"
    label = "plans"

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.eod.limitation import register_restart_source
        from arrears.eod.phases import register_eod_phase
        from arrears.plans.eod import plans_case_closed_phase, plans_eod_phase
        from arrears.plans.views import case_panel_context
        from arrears.web.navigation import NavItem, nav_register

        register_eod_phase("plans", plans_eod_phase, order=20)
        register_eod_phase("plans_case_closed", plans_case_closed_phase, order=30)
        register_restart_source("plan", RESTART_SQL)
        register_case_panel(
            CasePanel("plans", "plans/_case_plans.html", case_panel_context, order=40)
        )
        nav_register(
            NavItem(
                "plans_awaiting",
                _("Plans to approve"),
                "plans:awaiting",
                order=60,
                capability="plan.approve",
                prefix="/plans/",
            )
        )
