"""Template context shared by every page: the navigation and the signed-in user's role."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from arrears.web.navigation import nav_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "arrears_role": user.role if signed_in else "",
        "arrears_role_label": user.get_role_display() if signed_in else "",
        "arrears_nav": nav_for(user, request.path) if signed_in else [],
        "arrears_languages": settings.LANGUAGES,
    }
