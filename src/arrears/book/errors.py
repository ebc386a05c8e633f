"""Errors the loan book raises, each with a code, the field it concerns and a plain reason."""

from __future__ import annotations


class BookError(ValueError):
    """A refused change to the loan book; nothing was written."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}
