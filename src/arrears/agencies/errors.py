"""Errors the agencies services raise. Nothing is written when one is raised.

The API answers AgencyInvalid with 422 naming the field, AgencyForbidden with 403 and
AgencyConflict with 409; the pages show them on the form or as a message.
"""

from __future__ import annotations


class AgencyError(ValueError):
    status = 400
    code = "agency_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class AgencyInvalid(AgencyError):
    """Bad input: `field` names what to fix."""

    status = 422
    code = "invalid"

    def __init__(self, field: str | None, message: str, *, code: str | None = None):
        super().__init__(message, field=field, code=code)


class AgencyForbidden(AgencyError):
    """The actor's role may not do this."""

    status = 403
    code = "forbidden"


class AgencyConflict(AgencyError):
    """The state forbids it: a case already placed, an agency overdue for review, …"""

    status = 409
    code = "conflict"
