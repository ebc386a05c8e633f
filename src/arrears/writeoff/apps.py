"""Write-off (核销) with collection going on (账销案存): proposals, approval, the ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WriteOffConfig(AppConfig):
    name = "arrears.writeoff"
    label = "writeoff"
    verbose_name = _("Write-off")

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.web.navigation import NavItem, nav_register
        from arrears.writeoff.exports import register_ledger_export
        from arrears.writeoff.views import case_panel_context

        register_ledger_export()

        register_case_panel(
            CasePanel("writeoff", "writeoff/_case_panel.html", case_panel_context, order=15)
        )
        nav_register(
            NavItem(
                "writeoff",
                _("Write-off"),
                "writeoff:proposals",
                order=70,
                capability="writeoff.read",
                prefix="/writeoff/",
            )
        )
