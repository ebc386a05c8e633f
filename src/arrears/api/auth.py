"""Who is calling: a bearer token (scripts, other systems) or a signed-in browser session.

Tokens are checked against their stored SHA-256 (core.models.ApiToken); a revoked token or
one whose user is deactivated is refused. A session is accepted so the web pages can call
the API, and because a browser sends its cookie to any site's request, unsafe methods
(POST, PUT, PATCH, DELETE) on a session must carry the CSRF token (`X-CSRFToken` header).
Token requests need no CSRF token: a browser never adds an Authorization header by itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from arrears.api.errors import ApiError
from arrears.core.models import ApiToken, User
from arrears.core.roles import API_ONLY_ROLES


class TokenAuth(HttpBearer):
    """`Authorization: Bearer arr_…` — sets request.user to the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        allowed = API_ONLY_ROLES.get(found.user.role)
        if allowed is not None and request.path not in allowed:
            # A single-purpose account (the origination system's credit check) reaches its
            # own operation and nothing else, whatever the operation's own checks would say.
            raise ApiError(
                403, "forbidden", f"your role ({found.user.role}) may use only its own operation"
            )
        from arrears.core.audit import request_ip
        from arrears.core.logins import signin_refusal, signin_refused

        ip = request_ip(request)
        refusal = signin_refusal(found.user, ip)
        if refusal:
            signin_refused(user=found.user, ip=ip, source="api", reason=refusal)
            raise ApiError(403, "address_refused", refusal)
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The Django session of a signed-in user, with CSRF enforced on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # `csrf` is what ninja's docs page reads to send the CSRF header from Swagger UI.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # A request that brings its own Authorization header chose token auth: a bad token
        # must answer 401, not fall back to a cookie the client may not know it sent.
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken",
            )
        return request.COOKIES.get(self.param_name, "")

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = request.user
        return user if user.is_authenticated and user.is_active else None


# Tokens first: a script that sends one is never judged by a stray session cookie.
API_AUTH = [TokenAuth(), SessionAuth()]
