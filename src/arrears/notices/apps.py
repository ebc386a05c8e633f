"""Collection notices (催款通知书): templates, numbering, PDF, service and signature."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A demand restarts the limitation period once it reaches the debtor: delivered (in person,
# by post or courier, or a public notice when the debtor cannot be found) or signed for
# (Civil Code art. 195). The latest such day per loan.
RESTART_SQL = (
    "SELECT loan_id, MAX(COALESCE(signed_on, delivered_on)) AS event_date FROM notices_notice"
    " WHERE COALESCE(signed_on, delivered_on) <= {as_of} GROUP BY loan_id"
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
