from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "arrears.dashboard"
    label = "dashboard"
    verbose_name = _("Morning dashboard")
