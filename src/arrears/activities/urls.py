"""Web pages of the activities app (included from arrears/urls.py at /activities/)."""

from django.urls import path

from arrears.activities import views

app_name = "activities"
urlpatterns = [
    path("case/<int:case_id>/", views.case_activities, name="case"),
    path("case/<int:case_id>/log/", views.log_outcome, name="log"),
    path("case/<int:case_id>/note/", views.add_note, name="note"),
    path("<int:activity_id>/correct/", views.correct, name="correct"),
    path("case/<int:case_id>/facts/", views.fact_add, name="fact_add"),
    path("facts/<int:fact_id>/withdraw/", views.fact_withdraw_view, name="fact_withdraw"),
]
