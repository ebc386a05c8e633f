"""Errors of the field app: one class, naming the field a person must fix."""

from __future__ import annotations


class VisitInvalid(Exception):
    """Bad input for a visit (or a trip, a region): `field` names the input, `message` says why.

    `status` is the HTTP status the API answers with (422 bad input, 403 not allowed,
    409 the same visit ID with other details)."""

    def __init__(self, field: str, message: str, *, code: str = "invalid", status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.status = status
