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
        _register_h8_reports()


# --- collections, promises, performance, limitation, credit hold (issue 17, part two) ------
def _register_h8_reports() -> None:
    from arrears.credithold.report import credit_hold_build, credit_hold_tables
    from arrears.reports.collections import collections_build, collections_tables
    from arrears.reports.limitation import limitation_build, limitation_tables
    from arrears.reports.performance import performance_build, performance_tables
    from arrears.reports.promises import promises_build, promises_tables
    from arrears.reports.registry import Report, report_register

    report_register(
        Report(
            name="collections",
            label=_("Collections"),
            description=_(
                "Money received in the period, split as the ledger allocated it, by channel "
                "and by collector, team and agency."
            ),
            build=collections_build,
            tables=collections_tables,
            period=True,
            order=20,
        )
    )
    report_register(
        Report(
            name="promises",
            label=_("Promises to pay"),
            description=_(
                "Promises made in the period: kept, partly kept, broken and still pending, "
                "by collector and by debtor type."
            ),
            build=promises_build,
            tables=promises_tables,
            period=True,
            order=50,
        )
    )
    report_register(
        Report(
            name="performance",
            label=_("Collector performance"),
            description=_(
                "Per collector, team and agency: attempts, right-party contacts, promises, "
                "amount collected and time to first contact."
            ),
            build=performance_build,
            tables=performance_tables,
            period=True,
            order=60,
        )
    )
    report_register(
        Report(
            name="limitation",
            label=_("Limitation deadlines"),
            description=_(
                "Debts whose limitation period ends in the next 30, 90 and 180 days, and "
                "time-barred balances."
            ),
            build=limitation_build,
            tables=limitation_tables,
            order=70,
        )
    )
    report_register(
        Report(
            name="credit-hold",
            label=_("Credit hold list"),
            description=_(
                "Borrowers to refuse new credit: an open delinquency, a broken repayment plan "
                "or a written-off loan."
            ),
            build=credit_hold_build,
            tables=credit_hold_tables,
            background=True,
            order=80,
        )
    )


# --- end of issue 17, part two --------------------------------------------------------------
