"""Web pages of the agencies app (included from arrears/urls.py at /agencies/)."""

from django.urls import path

from arrears.agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/statement/<str:month>/", views.statement, name="statement"),
    path("place/", views.place, name="place"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/<int:pk>/decide/", views.decide, name="decide"),
    path("performance/", views.performance, name="performance"),
    path("case/<int:case_pk>/report/", views.report, name="report"),
]
