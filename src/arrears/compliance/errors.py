"""Errors the compliance app raises, each with a code and a plain reason."""

from __future__ import annotations


class ComplianceError(ValueError):
    """A refused compliance change (pack edit, override, LPR entry); nothing was written."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


# Codes, in one place so the web, the API and the CLI show the same ones.
STALE_VERSION = "rulepack_stale_version"
INVALID_PACK = "rulepack_invalid"
NOT_PERMITTED = "not_permitted"
UNKNOWN_RULE = "unknown_rule"
NOT_OVERRIDABLE = "rule_not_overridable"
ROLE_NOT_ALLOWED = "override_role_not_allowed"
REASON_TOO_SHORT = "override_reason_too_short"
PACK_INACTIVE = "rulepack_inactive"
PACK_IN_USE = "rulepack_in_use"
LPR_MISSING = "lpr_missing"
BAD_FORMAT = "export_format"
