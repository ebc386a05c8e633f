"""Web pages of the field app (included from arrears/urls.py at /field/)."""

from django.urls import path

from arrears.field import views

app_name = "field"
urlpatterns = [
    path("", views.home, name="home"),
    path("visit/", views.visit_form, name="visit"),
    path("sw.js", views.service_worker, name="sw"),
    path("visits/<str:visit_id>/", views.visit_detail, name="visit_detail"),
    path("regions/", views.regions, name="regions"),
    path("regions/<int:pk>/", views.region_edit, name="region_edit"),
    path("trips/new/", views.trip_new, name="trip_new"),
    path("trips/<int:pk>/", views.trip_detail, name="trip"),
    path("trips/<int:pk>/pdf/", views.trip_route_pdf, name="trip_pdf"),
]
