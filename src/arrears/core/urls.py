from django.urls import path

from arrears.core import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.<str:fmt>", views.audit_export_view, name="export"),
    path("verify/", views.audit_verify_view, name="verify"),
    path("locks/", views.lock_list, name="locks"),
    path("locks/unlock/", views.lock_unlock, name="unlock"),
]
