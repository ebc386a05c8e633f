"""Field collection (外访): regions, trips, visits, cash receipts and the weekly trip report."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "arrears.field"
    label = "field"

    def ready(self) -> None:
        from arrears.field import imports, reports
        from arrears.web.navigation import NavItem, nav_register

        imports.register()
        reports.register()
        nav_register(
            NavItem(
                "field",
                _("Field visits"),
                "field:home",
                order=45,
                capability="case.work",
                prefix="/field/",
            )
        )
