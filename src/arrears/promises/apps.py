"""Promises to pay (PTP): recorded on a case, judged at end-of-day from the payments."""

from django.apps import AppConfig


class PromisesConfig(AppConfig):
    name = "arrears.promises"
    label = "promises"
