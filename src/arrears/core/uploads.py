"""How big a request body may be, refused before it is read (issue 12: a 300 MB document
upload was spooled to disk before the 20 MB refusal, even without signing in).

`RequestSizeLimitMiddleware` answers 413 when the declared Content-Length passes the limit
of the path, and puts `LimitedUploadHandler` first among the upload handlers, which stops
reading as soon as the bytes received pass it (a client may lie about, or omit, the length).

Limits (docs/deploy.md "Limits"):
- a visitor who is not signed in (no session, no API token): `ARREARS_ANONYMOUS_MAX_BYTES`
  (64 KB — the sign-in form);
- by default: the document upload limit `ARREARS_DOCUMENT_MAX_BYTES` plus 1 MB for the
  form around the file;
- paths registered with `upload_limit_register(prefix, setting)`, e.g. the web upload of
  import files: that setting (`ARREARS_IMPORT_MAX_BYTES`) plus 1 MB.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

FORM_OVERHEAD = 1024 * 1024

# Path prefix → name of the setting holding the largest file that path takes. Import files
# uploaded in the browser or over the API (issue 13) take the import limit.
_LIMITS: dict[str, str] = {
    "/imports/": "ARREARS_IMPORT_MAX_BYTES",
    "/api/v1/imports": "ARREARS_IMPORT_MAX_BYTES",
}


def upload_limit_register(prefix: str, setting: str) -> None:
    """Let requests under `prefix` carry a file as large as `settings.<setting>` (bytes)."""
    _LIMITS[prefix] = setting


def request_limit(request: HttpRequest) -> int:
    """The most bytes the body of this request may hold."""
    signed_in = "HTTP_AUTHORIZATION" in request.META or (
        getattr(request, "user", None) is not None and request.user.is_authenticated
    )
    if not signed_in:
        return int(settings.ARREARS_ANONYMOUS_MAX_BYTES)
    best = ""
    for prefix in _LIMITS:
        if request.path.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    setting = _LIMITS.get(best, "ARREARS_DOCUMENT_MAX_BYTES")
    return int(getattr(settings, setting)) + FORM_OVERHEAD


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of every file in the request and stops reading past the limit."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(f"upload passes {self.limit} bytes")
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


class RequestSizeLimitMiddleware:
    """Refuses a body larger than the path's limit before reading it (after authentication,
    so a stranger's limit is the smallest)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = request_limit(request)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return HttpResponse(
                _("The request is too large: at most %(max)s may be sent here.")
                % {"max": _megabytes(limit)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        request.upload_handlers.insert(0, LimitedUploadHandler(request, limit))
        return self.get_response(request)
