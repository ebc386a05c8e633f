"""The API's one error shape, and the exception handlers that produce it.

Every 4xx the API returns has the same body, whatever raised it (ninja's request
validation, a refused change in the loan book, a bad amount or date, a missing object,
a missing right)::

    {"errors": [{"code": "duplicate_payment_id", "field": "payment_id",
                 "message": "payment ID P1 was already posted with ..."}]}

`field` names the input at fault (a body field, a query or path parameter; nested fields
are dotted, e.g. "contacts.0.phone") and is null when no one field is to blame (401, 403,
404). A client can show `message` to a person and branch on `code`.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
)
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, URLPattern, re_path, resolve
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from arrears.activities.errors import ActivityForbidden, ActivityInvalid, ContactRefused
from arrears.book.errors import BookError
from arrears.core.dates import DateError
from arrears.core.ids import IdNumberError
from arrears.core.money import MoneyError

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorItem(Schema):
    code: str
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """The body of every 4xx response."""

    errors: list[ErrorItem]


class ApiError(Exception):
    """Raise from an endpoint to answer with `status` and one error in the shared shape."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation documents: 401 and 422 always, plus `codes`."""
    return {code: ErrorOut for code in (401, 422, *codes)}


def not_found(what: str) -> ApiError:
    # The same answer whether the object does not exist or lies outside the user's scope,
    # so guessing IDs reveals nothing.
    return ApiError(404, "not_found", f"no such {what}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def error_body(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "errors": [
            {"code": i["code"], "field": i.get("field"), "message": i["message"]} for i in items
        ]
    }


# Status codes ninja raises HttpError with, and the code we give each.
_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def _field_from_loc(loc: tuple | list) -> str | None:
    """('body', 'payload', 'amount') -> 'amount'; ('query', 'as_of') -> 'as_of'."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        # The second element is the endpoint's parameter name, not something a client sends.
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        # Multipart fields and files come flattened: ('form', 'category'), ('file', 'file').
        parts = parts[1:]
    return ".".join(parts) or None


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "invalid value"))
    # Our own validators raise ValueError; pydantic prefixes their text.
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error.get("type") == "missing" and not _field_from_loc(error.get("loc", ())):
        return "a JSON request body is required"
    return msg


def validation_items(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "code": str(e.get("type", "invalid")),
            "field": _field_from_loc(e.get("loc", ())),
            "message": _message(e),
        }
        for e in exc.errors
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error the API raises answer in the one shape above."""

    def respond(request: HttpRequest, status: int, *items: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, error_body(*items), status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(
            request, exc.status, {"code": exc.code, "field": exc.field, "message": exc.message}
        )

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, *validation_items(exc))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            {
                "code": "not_authenticated",
                "message": "send a valid API token as 'Authorization: Bearer <token>'",
            },
        )
        response["WWW-Authenticate"] = 'Bearer realm="arrears"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            code, message = "malformed_body", "the request body is not valid JSON"
        return respond(request, exc.status_code, {"code": code, "message": message})

    def on_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # Django's parser refuses a multipart body it cannot split (no or a bad boundary);
        # unhandled, that was a 500 (or Django's HTML 400), not an answer a client can read.
        detail = str(exc)
        if "boundary" in detail.lower():
            message = (
                "the multipart/form-data body has no valid boundary: send "
                "'Content-Type: multipart/form-data; boundary=…' with the boundary the body uses"
            )
        else:
            message = f"the multipart/form-data body could not be read: {detail}"
        return respond(request, 400, {"code": "malformed_body", "message": message})

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, {"code": "not_found", "message": "not found"})

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(
            request,
            403,
            {"code": "forbidden", "message": str(exc) or "your role may not do this"},
        )

    def on_book_error(request: HttpRequest, exc: BookError) -> HttpResponse:
        return respond(request, 422, exc.as_dict())

    def on_value_error(code: str):
        def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
            return respond(request, 422, {"code": code, "message": str(exc)})

        return handler

    _json_method_not_allowed(api, respond)
    _document_malformed_body(api)

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(MultiPartParserError, on_multipart)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(BookError, on_book_error)
    # Activities (activities/errors.py): bad input 422, a rule-pack refusal 409 with one item
    # per blocking rule (code = the rule id), a role that may not log 403.
    api.add_exception_handler(
        ActivityInvalid, lambda request, exc: respond(request, 422, exc.as_dict())
    )
    api.add_exception_handler(
        ContactRefused, lambda request, exc: respond(request, 409, *exc.as_items())
    )
    api.add_exception_handler(
        ActivityForbidden,
        lambda request, exc: respond(request, 403, {"code": "forbidden", "message": exc.message}),
    )
    # Endpoints convert these with the field named; the handlers are the safety net.
    api.add_exception_handler(MoneyError, on_value_error("bad_amount"))
    api.add_exception_handler(DateError, on_value_error("bad_date"))
    api.add_exception_handler(IdNumberError, on_value_error("bad_id_number"))


def _json_method_not_allowed(api: NinjaAPI, respond) -> None:
    """Answer a method the path does not have (405), and a path the API does not have
    (404), in the one error shape too.

    Ninja returns a plain-text HttpResponseNotAllowed from its path view, not an exception
    a handler could catch, so each of the API's URL views is wrapped once, when the URLs
    are built.
    """
    build = api._get_urls

    def wrap(view):
        @functools.wraps(view)
        def view_with_json_405(request: HttpRequest, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                json_response = respond(
                    request,
                    405,
                    {
                        "code": "method_not_allowed",
                        "message": f"{request.method} is not allowed here; allowed: {allowed}",
                    },
                )
                json_response["Allow"] = allowed
                return json_response
            return response

        return view_with_json_405

    def unrouted(request: HttpRequest, rest: str = "") -> HttpResponse:
        # A path under /api/v1/ that no endpoint has (an ID that is not a number where
        # one is expected, a typo) is a 404 in the error shape, not Django's HTML page.
        if settings.APPEND_SLASH and not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and match.func is not unrouted:
                # What CommonMiddleware would have done had this route not caught the path.
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        return respond(request, 404, {"code": "not_found", "message": "not found"})

    # Like ninja's own views: a POST to a wrong path is a 404, not a CSRF failure page.
    unrouted.csrf_exempt = True

    def get_urls():
        patterns = build()
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and not inspect.iscoroutinefunction(
                pattern.callback
            ):
                pattern.callback = wrap(pattern.callback)
        # Last, after every endpoint: anything else under the API's prefix.
        # [\s\S], not ".": a path with an encoded newline (%0A) is still under the API.
        patterns.append(re_path(r"^(?P<rest>[\s\S]*)$", unrouted))
        return patterns

    api._get_urls = get_urls


def _document_malformed_body(api: NinjaAPI) -> None:
    """Every operation that takes a body may answer 400 `malformed_body`: say so in OpenAPI.

    The answer comes from the shared handler above, not from the endpoint, so no endpoint
    lists it itself; clients (and schemathesis) read the documented statuses.
    """
    build = api.get_openapi_schema

    def get_openapi_schema(*args, **kwargs):
        schema = build(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation["responses"].setdefault(
                        "400",
                        {
                            "description": "the request body could not be read (not valid "
                            "JSON, or a broken multipart form)",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorOut"}
                                }
                            },
                        },
                    )
        return schema

    api.get_openapi_schema = get_openapi_schema
