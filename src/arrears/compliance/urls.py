"""Web pages of the compliance app (included from arrears/urls.py at /compliance/)."""

from django.urls import path

from arrears.compliance import views

app_name = "compliance"
urlpatterns = [
    path("packs/", views.packs, name="packs"),
    path("packs/<slug:code>/", views.pack_detail, name="pack"),
    path("packs/<slug:code>/rules/<str:rule_id>/", views.rule_edit, name="rule_edit"),
    path("packs/product/<int:pk>/", views.product_pack, name="product_pack"),
    path("lpr/", views.lpr, name="lpr"),
    path("calendar/", views.calendar, name="calendar"),
    path("overrides/", views.overrides, name="overrides"),
    path("overrides/export.<str:fmt>", views.overrides_export, name="overrides_export"),
]
