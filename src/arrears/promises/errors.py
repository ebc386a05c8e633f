"""Errors the promises services raise. Nothing is written when one is raised.

The API answers PromiseInvalid with 422 naming the field and PromiseForbidden with 403; the
pages show them on the form field or as a message.
"""

from __future__ import annotations


class PromiseError(ValueError):
    status = 400
    code = "promise_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class PromiseInvalid(PromiseError):
    """Bad input: `field` names what to fix (amount_fen, promised_on, created_on, case)."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None):
        super().__init__(message, field=field, code=code)


class PromiseForbidden(PromiseError):
    """The actor's role may not record promises (the auditor reads only)."""

    status = 403
    code = "forbidden"
