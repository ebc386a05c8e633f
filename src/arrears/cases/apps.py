"""Collection cases: the case page and list, debtor types and playbooks, complaints, reported
deaths, whereabouts and escalation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "arrears.cases"
    label = "cases"

    def ready(self) -> None:
        from arrears.cases import assignment_views, imports, selectors
        from arrears.cases.holds import (
            register_hold_expression,
            register_hold_source,
            register_status_source,
        )
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.cases.services import escalations_eod_phase
        from arrears.eod.phases import register_eod_phase
        from arrears.web.navigation import NavItem, nav_register

        # The compliance pack pauses collection contact under these holds (purpose
        # "complaint" stays allowed under a dispute) and reads the debtor statuses.
        imports.register()  # `arrears import assignments FILE`
        register_hold_source("dispute", selectors.has_open_complaint)
        register_hold_source("death_verification", selectors.has_unverified_death_report)
        # 停催 shows on the case page with the other holds; the rule that refuses contact
        # (compliance ALL.HOLD_SUSPENSION) reads the suspensions themselves, with their dates.
        register_hold_source("suspended", selectors.has_suspension_in_force)
        register_status_source("deceased", selectors.is_deceased)
        register_status_source("unreachable", selectors.is_unreachable)
        # The same two holds for a whole list at once (the case list marks them per row).
        register_hold_expression("dispute", selectors.open_complaint_exists)
        register_hold_expression("death_verification", selectors.unverified_death_report_exists)
        # 停催 on the case list: a badge and the hold filter (docs/allocation.md).
        register_hold_expression("suspended", selectors.suspension_in_force_exists)
        # After promises and plans (orders 10, 20) have judged the day.
        register_eod_phase("escalations", escalations_eod_phase, order=50)
        # Allocation, rotation and assist expiry (docs/allocation.md), after escalations.
        from arrears.cases.allocation import allocation_eod_phase
        from arrears.cases.assignment import assists_eod_phase
        from arrears.cases.rotation import rotation_eod_phase

        register_eod_phase("allocation", allocation_eod_phase, order=62)
        register_eod_phase("rotation", rotation_eod_phase, order=64)
        register_eod_phase("assists", assists_eod_phase, order=66)
        nav_register(NavItem("cases", _("Cases"), "cases:list", order=25, prefix="/cases/"))
        nav_register(
            NavItem(
                "team_load",
                _("Team load"),
                "cases:team_load",
                order=27,
                capability="case.assign",
                prefix="/cases/load/",
            )
        )
        from arrears.cases import allocation_views

        register_case_panel(
            CasePanel(
                "suspension",
                "cases/_case_suspension.html",
                allocation_views.panel_context,
                order=88,
            )
        )
        nav_register(
            NavItem(
                "allocation",
                _("Allocation"),
                "cases:allocation_run",
                order=28,
                capability="case.assign",
                prefix="/cases/allocation/",
            )
        )
        register_case_panel(
            CasePanel(
                "assignment",
                "cases/_case_assignment.html",
                assignment_views.panel_context,
                order=90,
            )
        )
        nav_register(
            NavItem(
                "debtor_types",
                _("Debtor types"),
                "cases:debtor_types",
                order=89,
                capability="playbook.edit",
                prefix="/cases/debtor-types/",
            )
        )
