"""Template context shared by every page: the navigation and the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"arrears_role": getattr(user, "role", "") if user and user.is_authenticated else ""}
