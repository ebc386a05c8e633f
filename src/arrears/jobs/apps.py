"""Background jobs (Celery with a broker, in-process without one), their rows and pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "arrears.jobs"
    label = "jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        from arrears.core.roles import Role
        from arrears.core.uploads import upload_limit_register
        from arrears.jobs import kinds, tasks  # noqa: F401  (kinds and Celery tasks register)
        from arrears.web.navigation import NavItem, nav_register

        # The browser's import upload takes a file as large as the command line does.
        upload_limit_register("/jobs/imports/", "ARREARS_IMPORT_MAX_BYTES")
        nav_register(
            NavItem(
                "imports",
                _("Uploads"),
                "jobs:import_upload",
                order=80,
                capability="book.import",
                prefix="/jobs/imports/",
            )
        )
        # Everyone may open /jobs/ (their own jobs); the link is for those who run the work.
        nav_register(
            NavItem(
                "jobs",
                _("Jobs"),
                "jobs:list",
                order=81,
                roles=frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR}),
                prefix="/jobs/",
            )
        )
