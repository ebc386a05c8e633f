"""Demo collection targets, so the morning dashboard sets yesterday's collections against one:
every team gets a monthly target for the demo's month and the month before."""

from __future__ import annotations

import datetime as dt

from arrears.core.models import Team
from arrears.dashboard.models import CollectionTarget

MONTHLY_TARGET_FEN = 5_000_000  # 50,000.00 a team a month


def demo_targets(*, as_of: dt.date) -> str:
    this_month = as_of.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    teams = list(Team.objects.order_by("name"))
    CollectionTarget.objects.filter(month__in=(this_month, last_month)).delete()
    CollectionTarget.objects.bulk_create(
        CollectionTarget(team=t, month=m, amount_fen=MONTHLY_TARGET_FEN)
        for t in teams
        for m in (this_month, last_month)
    )
    return f"collection targets: {len(teams)} teams × 2 months at 50,000.00 a month"
