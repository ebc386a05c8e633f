"""Top-level routes: the web pages and the REST API under /api/v1/."""

from django.urls import include, path
from django.views.i18n import set_language

from arrears.api.router import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("cases/", include("arrears.cases.urls")),
    path("activities/", include("arrears.activities.urls")),
    path("promises/", include("arrears.promises.urls")),
    path("plans/", include("arrears.plans.urls")),
    path("writeoff/", include("arrears.writeoff.urls")),
    path("documents/", include("arrears.documents.urls")),
    path("notices/", include("arrears.notices.urls")),
    path("field/", include("arrears.field.urls")),
    path("compliance/", include("arrears.compliance.urls")),
    path("audit/", include("arrears.core.urls")),
    path("", include("arrears.core.account_urls")),
    path("jobs/", include("arrears.jobs.urls")),
    path("strategy/", include("arrears.strategy.urls")),
    path("predue/", include("arrears.eod.urls")),
    path("reports/", include("arrears.reports.urls")),
    path("dashboard/", include("arrears.dashboard.urls")),
    path("agencies/", include("arrears.agencies.urls")),
    path("queues/", include("arrears.queues.urls")),
    path("", include("arrears.web.urls")),
]
