"""Collection notices (催款通知书): templates, numbering, PDF, service and signature."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A notice is the creditor's demand: it interrupts the period on the day it reached the
# debtor (Civil Code art. 195; SPC limitation provisions art. 8) — delivered (in person, by
# post or courier, by public notice when the debtor cannot be found; a proven refusal is
# recorded as delivered), or at the latest when signed for. A demand after expiry does nothing.
RESTART_SQL = (
    "SELECT loan_id, served_on AS event_date, 'creditor' AS actor,"
    " COALESCE(delivered_on, signed_on) AS reached_on, number AS ref FROM notices_notice"
    " WHERE served_on IS NOT NULL AND served_on <= {as_of}"
)
# The debtor's signature on a collection notice matters after expiry: it waives the defence
# and starts a new period (SPC limitation provisions art. 19). Before expiry the notice already
# interrupted when it reached the debtor, so the signature is registered revive_only.
SIGNED_SQL = (
    "SELECT loan_id, signed_on AS event_date, 'debtor' AS actor,"
    " CAST(NULL AS DATE) AS reached_on, number AS ref FROM notices_notice"
    " WHERE signed_on IS NOT NULL AND signed_on <= {as_of}"
)


class NoticesConfig(AppConfig):
    name = "arrears.notices"
    label = "notices"

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.eod.limitation import register_restart_source
        from arrears.notices.views import panel_context
        from arrears.web.navigation import NavItem, nav_register

        register_restart_source("notice_served", RESTART_SQL)
        register_restart_source("notice_signed", SIGNED_SQL, revive_only=True)
        register_case_panel(
            CasePanel("notices", "notices/_case_panel.html", panel_context, order=62)
        )
        nav_register(
            NavItem(
                "notice_templates",
                _("Notice templates"),
                "notices:templates",
                order=91,
                capability="notice.templates",
                prefix="/notices/templates/",
            )
        )
