"""Collection notices (催款通知书): templates, numbering, PDF, service and signature."""

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "arrears.notices"
    label = "notices"
