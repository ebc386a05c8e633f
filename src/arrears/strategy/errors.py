"""Errors the strategy services raise; nothing is written when one is raised.

The API answers StrategyInvalid with 422 (with every problem, each naming segment, path, step
and field), StrategyForbidden with 403, StrategyNotFound with 404 and StrategyConflict (a
hand-over not in a state for the action) with 409.
"""

from __future__ import annotations


class StrategyError(Exception):
    status = 400
    code = "strategy_error"

    def __init__(self, message: str, *, field: str | None = None, problems=()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems)


class StrategyInvalid(StrategyError):
    status = 422
    code = "invalid"


class StrategyForbidden(StrategyError):
    status = 403
    code = "forbidden"


class StrategyNotFound(StrategyError):
    status = 404
    code = "not_found"


class StrategyConflict(StrategyError):
    status = 409
    code = "conflict"
