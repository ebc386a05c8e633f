from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "arrears.compliance"
    label = "compliance"

    def ready(self) -> None:
        from arrears.book.terms import legal_caps_register
        from arrears.compliance.caps import legal_cap_periods
        from arrears.web.navigation import NavItem, nav_register

        # The law's interest caps reach the ledger and the engine through book.terms.
        legal_caps_register(legal_cap_periods)

        # Administrators choose each product's rule pack and keep the LPR table.
        nav_register(
            NavItem(
                "rulepacks",
                _("Rule packs"),
                "compliance:packs",
                order=95,
                capability="rulepack.read",
                prefix="/compliance/",
            )
        )
        # Managers and auditors read the report of overrides (who, which rule, why).
        nav_register(
            NavItem(
                "overrides",
                _("Overrides"),
                "compliance:overrides",
                order=96,
                capability="compliance.overrides.read",
                prefix="/compliance/overrides/",
            )
        )
