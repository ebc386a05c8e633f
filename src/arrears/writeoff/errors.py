"""Errors the writeoff services raise. Nothing is written when one is raised.

The API answers WriteOffInvalid with 422 naming the field, WriteOffForbidden with 403, WriteOffNotFound
with 404 and WriteOffConflict (the proposal is not in a state for this) with 409; the pages show them
on the form field or as a message.
"""

from __future__ import annotations


class WriteOffError(Exception):
    status = 400
    code = "writeoff_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class WriteOffInvalid(WriteOffError):
    """Bad input: `field` names what to fix."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None):
        super().__init__(message, field=field, code=code)


class WriteOffForbidden(WriteOffError):
    """The user may not do this (role, or beyond their authority)."""

    status = 403
    code = "forbidden"


class WriteOffNotFound(WriteOffError):
    """The proposal or loan does not exist or lies outside the user's scope (same answer)."""

    status = 404
    code = "not_found"


class WriteOffConflict(WriteOffError):
    """The plan is not in a state that allows this (e.g. approving a decided proposal)."""

    status = 409
    code = "invalid_state"
