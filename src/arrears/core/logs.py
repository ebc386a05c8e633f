"""Logging helpers wired in settings.LOGGING."""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """A refusal (403) or another answer to the client's mistake (4xx) is one line in the log.

    Django logs a PermissionDenied with its traceback, which says nothing an operator needs
    (the view refused on purpose) and buries real errors; a 5xx keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.request") and status is not None and status < 500:
            if record.exc_info:
                exc = record.exc_info[1]
                detail = f" ({type(exc).__name__}: {exc})" if exc and str(exc) else ""
                record.msg = f"{record.getMessage()}{detail}"
                record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
