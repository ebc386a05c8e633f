"""What the calling user may do: capability checks shared by every router."""

from __future__ import annotations

from django.http import HttpRequest

from arrears.api.errors import ApiError
from arrears.core.models import User


def require(request: HttpRequest, capability: str, doing: str) -> User:
    """The requesting user, if their role holds `capability`; otherwise 403.

    Checked before any object is looked up, so a refusal says nothing about whether the
    object exists. The auditor reads everything and changes nothing, whatever the table says.
    """
    user: User = request.user
    if user.is_read_only or not user.can(capability):
        raise ApiError(403, "forbidden", f"your role ({user.role}) may not {doing}")
    return user
