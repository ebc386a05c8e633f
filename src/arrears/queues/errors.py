"""Errors the queue services raise. Nothing is written when one is raised."""

from __future__ import annotations

from arrears.cases.errors import CaseError


class QueueError(CaseError):
    """Bad input or a refusal: `field` names what to fix; `status` the HTTP answer."""

    status = 422
    code = "invalid"
