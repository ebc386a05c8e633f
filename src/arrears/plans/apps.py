"""Repayment plans and settlements (协商还款), with approval limits by role."""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "arrears.plans"
    label = "plans"
