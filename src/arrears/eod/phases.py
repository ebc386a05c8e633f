"""Extra end-of-day phases that other apps plug in (promise judging, plan monitoring, …).

An app registers a phase in its AppConfig.ready():

    from arrears.eod.phases import register_eod_phase
    register_eod_phase("promises", judge_promises_phase, order=10)

The run calls every registered phase, in `order`, after the snapshot and cases are written and
INSIDE the run's one transaction, so a phase's writes commit with the run or not at all (a
SIGKILL leaves neither). A phase is called as `fn(ctx)` with an `EodPhaseContext` and returns a
dict of counts (JSON-serialisable) that lands in the run's summary under the phase's name.

Phases must be set-based (SQL or Polars over the whole table, bulk writes) and idempotent:
running the same as-of twice must give the same rows, which usually means acting only on
transitions (pending → broken) and never adding a second fee for the same event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arrears.core.models import User


@dataclass(frozen=True)
class EodPhaseContext:
    """What a phase gets: the as-of date, whether it is the latest day, and who runs it."""

    as_of: dt.date
    # False for a back-dated run (as-of before the latest completed run): phases that change
    # today's working state (cases, promises, plans) should then do nothing.
    is_latest: bool
    actor: User | None = None


@dataclass(frozen=True)
class _Phase:
    name: str
    fn: Callable[[EodPhaseContext], dict[str, Any] | None]
    order: int


_PHASES: dict[str, _Phase] = {}


def register_eod_phase(
    name: str, fn: Callable[[EodPhaseContext], dict[str, Any] | None], *, order: int = 100
) -> None:
    """Add (or replace) a phase; lower `order` runs first."""
    _PHASES[name] = _Phase(name, fn, order)


def eod_phases() -> list[_Phase]:
    return sorted(_PHASES.values(), key=lambda p: (p.order, p.name))
