"""The demo's strategy: the shipped default is active and every daily cycle of the demo ran it
(the `strategy` end-of-day phase), so each open case has a treatment and the next day's steps.

Here the demo manager saves a second version (the early champion/challenger split held a day
longer), so the version history shows a change, and the latest day is evaluated again under
it; a field agent takes one visit hand-over so the hand-over list shows both states.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.db import transaction

from arrears.demo.users import demo_users_ensure
from arrears.strategy.engine import strategy_run
from arrears.strategy.models import CaseTreatment, HandOver, Strategy
from arrears.strategy.seed import DEFAULT_CODE
from arrears.strategy.services import handover_take, strategy_activate, strategy_save


@dataclass
class StrategySummary:
    version: int = 0
    cases: int = 0
    due: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    handovers: int = 0

    def line(self) -> str:
        split = ", ".join(f"{k} {v}" for k, v in sorted(self.paths.items()))
        return (
            f"strategy {DEFAULT_CODE} v{self.version}: {self.cases} cases treated, "
            f"{self.due} steps due next day, {self.handovers} hand-overs open; "
            f"champion/challenger in early: {split or 'no early cases'}"
        )


def demo_strategy() -> StrategySummary:
    """Make the default strategy active, save a manager's second version, re-evaluate the
    latest day under it; idempotent (a second run saves no third version)."""
    from arrears.eod.models import EodRun

    users = demo_users_ensure()
    manager = users["manager"]
    strategy = Strategy.objects.get(code=DEFAULT_CODE)
    if not strategy.is_active:
        strategy_activate(code=DEFAULT_CODE, actor=manager, source="demo")
    latest = strategy.latest()
    if latest.number == 1:
        definition = copy.deepcopy(latest.definition)
        for seg in definition["segments"]:
            if seg["key"] == "early":
                seg["holding_days"] = 12
        strategy_save(
            code=DEFAULT_CODE,
            definition=definition,
            actor=manager,
            note="早期分群持案延长到 12 天",
            source="demo",
        )
    last = (
        EodRun.objects.filter(status=EodRun.Status.DONE)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    summary = StrategySummary(version=strategy.latest().number)
    if last is not None:
        with transaction.atomic():
            counts = strategy_run(last)
        summary.due = counts.get("due", 0)
    summary.cases = CaseTreatment.objects.count()
    summary.paths = {
        p: CaseTreatment.objects.filter(segment_key="early", path_key=p).count()
        for p in ("sms_first", "call_first")
    }
    agent = users.get("field1")
    visit = (
        HandOver.objects.filter(status="open", channel="visit", case__field_agent=agent)
        .order_by("id")
        .first()
    )
    if (
        agent is not None
        and visit is not None
        and not HandOver.objects.filter(status="taken").exists()
    ):
        handover_take(handover_id=visit.pk, actor=agent, source="demo")
    summary.handovers = HandOver.objects.filter(status__in=HandOver.LIVE).count()
    return summary
