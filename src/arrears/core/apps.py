from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "arrears.core"
    label = "core"
    verbose_name = "Core"
