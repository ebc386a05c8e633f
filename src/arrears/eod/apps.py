from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "arrears.eod"
    label = "eod"
