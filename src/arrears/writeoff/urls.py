"""Web pages of the writeoff app (included from arrears/urls.py at /writeoff/)."""

from django.urls import path

from arrears.writeoff import views

app_name = "writeoff"
urlpatterns = [
    path("", views.proposals, name="proposals"),
    path("new/", views.propose, name="new"),
    path("ledger/", views.ledger, name="ledger"),
    path("authority/", views.authority, name="authority"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
