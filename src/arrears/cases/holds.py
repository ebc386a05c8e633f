"""What holds a case carries and what is known about the debtor, gathered from the apps.

Compliance checks (compliance/rules.py `CaseFacts.holds`, `.unreachable`, `.deceased`) need to
know whether a case is on hold (an open dispute, a death being verified, a cease-contact
request, bankruptcy) and the debtor's status. Those facts live in the apps that record them
(complaints and death reports in cases, requests elsewhere), so each app registers a source
in its AppConfig.ready():

    from arrears.cases.holds import register_hold_source, register_status_source
    register_hold_source("dispute", lambda case: open_complaints(case).exists())
    register_status_source("deceased", lambda case: confirmed_death(case))

A hold source answers "does this hold apply to this case now?"; a status source "does this
debtor status apply?". Hold names are compliance.rules.HOLDS; statuses DEBTOR_STATUSES.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_HOLDS: dict[str, list[Callable[[Any], bool]]] = {}
_STATUSES: dict[str, list[Callable[[Any], bool]]] = {}


def register_hold_source(hold: str, applies: Callable[[Any], bool]) -> None:
    _HOLDS.setdefault(hold, [])
    if applies not in _HOLDS[hold]:
        _HOLDS[hold].append(applies)


def register_status_source(status: str, applies: Callable[[Any], bool]) -> None:
    _STATUSES.setdefault(status, [])
    if applies not in _STATUSES[status]:
        _STATUSES[status].append(applies)


def case_holds(case) -> frozenset[str]:
    """The holds that apply to the case now (e.g. {'dispute'})."""
    return frozenset(h for h, fns in _HOLDS.items() if any(fn(case) for fn in fns))


def debtor_statuses(case) -> frozenset[str]:
    """What is known about the debtor now (e.g. {'unreachable'}, {'deceased'})."""
    return frozenset(s for s, fns in _STATUSES.items() if any(fn(case) for fn in fns))


# --- the same facts for a whole list at once ------------------------------------------------
#
# The case list marks every row's holds without a query per row: an app that registers a hold
# source may also register an expression over a Case queryset (an Exists(...) on
# OuterRef("borrower_id") or OuterRef("pk")) that says the same thing set-based.

_HOLD_EXPRESSIONS: dict[str, list[Callable[[], Any]]] = {}


def register_hold_expression(hold: str, make: Callable[[], Any]) -> None:
    """`make()` returns a boolean expression over a Case row (e.g. Exists(...OuterRef...))."""
    _HOLD_EXPRESSIONS.setdefault(hold, [])
    if make not in _HOLD_EXPRESSIONS[hold]:
        _HOLD_EXPRESSIONS[hold].append(make)


def hold_expressions() -> dict[str, Any]:
    """{hold: boolean expression} for every hold that has a set-based source."""
    from django.db.models import BooleanField, ExpressionWrapper, Q

    found = {}
    for hold, makers in _HOLD_EXPRESSIONS.items():
        exprs = [make() for make in makers]
        if len(exprs) == 1:
            found[hold] = exprs[0]
        else:
            q = Q()
            for e in exprs:
                q |= Q(e)
            found[hold] = ExpressionWrapper(q, output_field=BooleanField())
    return found
