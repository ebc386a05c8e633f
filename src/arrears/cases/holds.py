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
