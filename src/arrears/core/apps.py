from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "arrears.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from arrears.core import logins
        from arrears.web.navigation import NavItem, nav_register

        # Every sign-in, failed sign-in and sign-out is an audit entry (core/logins.py).
        user_login_failed.connect(logins.on_login_failed, dispatch_uid="arrears.login_failed")
        user_logged_in.connect(logins.on_logged_in, dispatch_uid="arrears.logged_in")
        user_logged_out.connect(logins.on_logged_out, dispatch_uid="arrears.logged_out")
        nav_register(
            NavItem(
                "audit",
                _("Audit trail"),
                "audit:list",
                order=900,
                capability="audit.read",
                prefix="/audit/",
            )
        )
        nav_register(
            NavItem(
                "users",
                _("Users"),
                "accounts:users",
                order=950,
                capability="user.read",
                prefix="/users/",
            )
        )
