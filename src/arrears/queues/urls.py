from django.urls import path

from arrears.queues import views

app_name = "queues"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("next/", views.next_case, name="next"),
    path("excluded/", views.exclusion_list, name="exclusions"),
    path("coverage/", views.coverage, name="coverage"),
    path("probabilities/", views.probabilities, name="probabilities"),
    path("probabilities/refit/", views.probabilities_refit, name="refit"),
    path("cases/<int:case_id>/colour/", views.case_colour, name="case_colour"),
]
