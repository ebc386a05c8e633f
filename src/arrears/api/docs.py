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
