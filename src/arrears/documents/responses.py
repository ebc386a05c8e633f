"""The one way a stored document leaves Arrears: as an attachment, with the stored type."""

from __future__ import annotations

from django.http import FileResponse

from arrears.core.models import User
from arrears.documents.models import Document
from arrears.documents.services import document_open


def document_response(
    document: Document, *, actor: User, source: str, ip: str | None = None
) -> FileResponse:
    """Stream a document the caller has already fetched through the user's scope.

    The content type is the one the store decided from the content, never the uploader's
    claim; `nosniff` and a sandboxing CSP keep a browser from treating a file as a page, and
    it is always an attachment with its original name (RFC 5987 `filename*` for Chinese).
    """
    handle = document_open(document=document, actor=actor, source=source, ip=ip)
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=True,
        filename=document.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
