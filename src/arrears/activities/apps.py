"""Activities (contact attempts and actions on a case) and promises to pay."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "arrears.activities"
    label = "activities"
