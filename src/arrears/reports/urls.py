from django.urls import path

from arrears.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:name>/", views.report_detail, name="detail"),
]
