"""Web pages of the plans app (included from arrears/urls.py at /plans/)."""

from django.urls import path

from arrears.plans import views

app_name = "plans"
urlpatterns = [
    path("awaiting/", views.awaiting, name="awaiting"),
    path("authority/", views.authority, name="authority"),
    path("case/<int:case_pk>/new/", views.propose, name="propose"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
