from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditholdConfig(AppConfig):
    name = "arrears.credithold"
    label = "credithold"
    verbose_name = _("Credit hold")
