"""Field collection (外访): regions, trips, visits, cash receipts and the weekly trip report."""

from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "arrears.field"
    label = "field"

    def ready(self) -> None:
        from arrears.field import imports

        imports.register()
