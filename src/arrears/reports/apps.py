from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "arrears.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from arrears.reports import jobs  # noqa: F401  (registers the `report` job kind)

        # --- the book reports (issue 17, H7): aging, portfolio, NPL summary, roll rates ---
        from arrears.reports.aging import AGING
        from arrears.reports.npl import NPL_SUMMARY
        from arrears.reports.portfolio import PORTFOLIO
        from arrears.reports.registry import report_register
        from arrears.reports.rollrates import ROLL_RATES

        for report in (PORTFOLIO, AGING, NPL_SUMMARY, ROLL_RATES):
            report_register(report)
        # --- end of the book reports ---
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
