"""Errors the cases services raise. Nothing is written when one is raised.

The API answers CaseInvalid with 422 naming the field, CaseForbidden with 403 and
CaseConflict (the record is not in a state for this) with 409; the pages show them on the
form field or as a message. Messages are in the active language (the API asks for English).
"""

from __future__ import annotations


class CaseError(Exception):
    status = 400
    code = "case_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class CaseInvalid(CaseError):
    """Bad input: `field` names what to fix."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None):
        super().__init__(message, field=field, code=code)


class CaseForbidden(CaseError):
    """The user's role may not do this."""

    status = 403
    code = "forbidden"


class CaseConflict(CaseError):
    """The record is not in a state that allows this (e.g. resolving a resolved complaint)."""

    status = 409
    code = "invalid_state"
