"""Agencies (委外): contracts, placements in batches, the agency portal's scope, the payments
agencies report and their reconciliation, commission statements and performance."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "arrears.agencies"
    label = "agencies"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from arrears.agencies import imports
        from arrears.agencies.services import agency_recall_phase, signin_refusal
        from arrears.agencies.views import case_panel_context
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.core.audit_labels import register_event_labels, register_object_labels
        from arrears.core.logins import register_signin_check
        from arrears.eod.phases import register_eod_phase
        from arrears.web.navigation import NavItem, nav_register

        imports.register()
        from arrears.core.uploads import upload_limit_register

        # The reconciliation page takes an import file: the import limit, not a document's.
        upload_limit_register("/agencies/reconciliation/", "ARREARS_IMPORT_MAX_BYTES")
        # After promises (10), plans and case closing (30): a case paid or disputed today
        # leaves its agency tonight.
        register_eod_phase("agency_recall", agency_recall_phase, order=58)
        register_signin_check(signin_refusal)
        register_case_panel(
            CasePanel("agency", "agencies/_case_panel.html", case_panel_context, order=85)
        )
        nav_register(
            NavItem(
                "agencies",
                _("Agencies"),
                "agencies:list",
                order=70,
                capability="agency.read",
                prefix="/agencies/",
            )
        )
        # An agency's own users upload and follow the payments they report.
        nav_register(
            NavItem(
                "agency_payments",
                _("Reported payments"),
                "agencies:reconciliation",
                order=71,
                roles=frozenset({"agency"}),
                prefix="/agencies/reconciliation/",
            )
        )
        register_event_labels(
            {
                "agency.contract_save": _("Agency contract saved"),
                "agency.review": _("Agency review recorded"),
                "agency.ip_ranges": _("Agency sign-in addresses set"),
                "placement.create": _("Case placed with an agency"),
                "placement.recall": _("Case recalled from an agency"),
                "placement_batch.create": _("Placement batch created"),
                "agency_payment.report": _("Agency payment reported"),
                "agency_payment.decide": _("Agency payment decided"),
                "import.agency_payments": _("Agency payments imported"),
                "user.signin_refused": _("Sign-in refused from an address"),
            }
        )
        register_object_labels(
            {
                "agency": _("Agency"),
                "agency_contract": _("Agency contract"),
                "placement_batch": _("Placement batch"),
                "agency_payment": _("Agency payment"),
            }
        )
