"""Top-level routes: the web pages and the REST API under /api/v1/."""

from django.urls import include, path
from django.views.i18n import set_language

from arrears.api.router import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("", include("arrears.web.urls")),
]
