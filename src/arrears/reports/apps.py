from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "arrears.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from arrears.reports import jobs  # noqa: F401  (registers the `report` job kind)
        from arrears.web.navigation import NavItem, nav_register

        nav_register(
            NavItem(
                "reports",
                _("Reports"),
                "reports:list",
                order=80,
                capability="report.read",
                prefix="/reports/",
            )
        )
