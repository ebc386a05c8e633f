"""The interactive API docs page (Swagger UI), served without a CDN.

django-ninja ships Swagger UI's files in its wheel, but uses them only when "ninja" is in
INSTALLED_APPS; otherwise its page loads them from cdn.jsdelivr.net. We render our own
page and serve the files from the installed package, so /api/v1/docs works offline and
loads nothing from another site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import Router
from ninja.openapi.docs import Swagger

from arrears.api.errors import not_found

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}

router = Router()


def docs_access(view):
    """In production settings the OpenAPI document and the docs page need a signed-in user
    or a valid bearer token (the document maps every endpoint and field for a stranger);
    the demo keeps them open."""
    from functools import wraps

    from django.conf import settings
    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse

    from arrears.api.auth import TokenAuth

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if settings.PRODUCTION:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated and user.is_active
            header = request.headers.get("Authorization", "")
            if not signed_in and header.lower().startswith("bearer "):
                signed_in = TokenAuth().authenticate(request, header[7:]) is not None
            if not signed_in:
                if request.path.endswith(".json"):
                    return JsonResponse(
                        {
                            "errors": [
                                {
                                    "code": "unauthorized",
                                    "field": None,
                                    "message": "sign in or send a bearer token to read the "
                                    "API document",
                                }
                            ]
                        },
                        status=401,
                    )
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@router.get("/assets/{name}", auth=None, include_in_schema=False, url_name="docs-asset")
def docs_asset(request: HttpRequest, name: str):
    if name not in ASSETS:
        raise not_found("file")
    response = FileResponse(open(ASSET_DIR / name, "rb"), content_type=ASSETS[name])  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineSwagger(Swagger):
    """Swagger UI from the installed django-ninja package, never from a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}

        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": name})

        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "swagger_settings": json.dumps(settings),
                "css_url": asset("swagger-ui.css"),
                "bundle_url": asset("swagger-ui-bundle.js"),
                "init_url": asset("swagger-ui-init.js"),
                "favicon_url": asset("favicon.png"),
            },
        )
