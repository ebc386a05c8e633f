"""Strategies (催收策略): segments, treatment paths, champion/challenger and hand-overs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "arrears.strategy"
    label = "strategy"
    verbose_name = _("Strategies")

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.core.audit_labels import register_event_labels, register_object_labels
        from arrears.eod.phases import register_eod_phase
        from arrears.strategy.engine import strategy_eod_phase
        from arrears.strategy.views import case_panel_context
        from arrears.web.navigation import NavItem, nav_register

        register_event_labels(
            {
                "strategy.save": _("Strategy version saved"),
                "strategy.activate": _("Strategy made active"),
                "handover.take": _("Hand-over taken"),
                "handover.close": _("Hand-over closed"),
            }
        )
        register_object_labels({"strategy": _("Strategy"), "handover": _("Hand-over")})
        # After promises, plans and escalations (10–50) have judged the day.
        register_eod_phase("strategy", strategy_eod_phase, order=60)
        register_case_panel(
            CasePanel("strategy", "strategy/_case_treatment.html", case_panel_context, order=35)
        )
        nav_register(
            NavItem(
                "strategies",
                _("Strategies"),
                "strategy:list",
                order=70,
                capability="strategy.read",
                prefix="/strategy/",
            )
        )
        # Those who pick hand-overs up (field, legal, agencies) see their list in the bar.
        nav_register(
            NavItem(
                "handovers",
                _("Hand-overs"),
                "strategy:handovers",
                order=71,
                roles=frozenset({"field_agent", "legal", "agency"}),
                prefix="/strategy/handovers/",
            )
        )
