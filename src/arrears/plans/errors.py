"""Errors the plans services raise. Nothing is written when one is raised.

The API answers PlanInvalid with 422 naming the field, PlanForbidden with 403, PlanNotFound
with 404 and PlanConflict (the plan is not in a state for this) with 409; the pages show them
on the form field or as a message.
"""

from __future__ import annotations


class PlanError(Exception):
    status = 400
    code = "plan_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class PlanInvalid(PlanError):
    """Bad input: `field` names what to fix."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None):
        super().__init__(message, field=field, code=code)


class PlanForbidden(PlanError):
    """The user may not do this (role, or beyond their authority)."""

    status = 403
    code = "forbidden"


class PlanNotFound(PlanError):
    """The plan or case does not exist or lies outside the user's scope (same answer)."""

    status = 404
    code = "not_found"


class PlanConflict(PlanError):
    """The plan is not in a state that allows this (e.g. approving an active plan)."""

    status = 409
    code = "invalid_state"
