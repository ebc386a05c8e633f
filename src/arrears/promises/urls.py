"""Web pages of the promises app (included from arrears/urls.py at /promises/)."""

from django.urls import path

from arrears.promises import views

app_name = "promises"
urlpatterns = [
    path("case/<int:case_pk>/new/", views.record, name="record"),
]
