"""The demo's work queues: after the first morning's allocation, today's queue of every
collector is built from the latest end-of-day figures (the same engine the end-of-day phase
runs), so collector1 and collector2 sign in to a full workbench; a few cases carry a colour
flag (案件标色) set by their collector, and the cases under an open dispute appear on the
team leads' "left out of queues" page."""

from __future__ import annotations

from django.db import transaction

from arrears.cases.colours import case_colour_set
from arrears.cases.models import Case
from arrears.core.dates import local_today
from arrears.eod.selectors import eod_latest_run
from arrears.queues.engine import build_queues


def demo_queues() -> str:
    """Build today's queues and mark a few cases; returns the line the demo prints."""
    run = eod_latest_run()
    if run is None:
        return "queues: no end-of-day run yet"
    today = local_today()
    with transaction.atomic():
        counts = build_queues(on=today, as_of=run.as_of)
        marked = 0
        colours = ("red", "orange", "green")
        for i, case in enumerate(
            Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
            .select_related("collector")
            .order_by("-dpd", "id")[: len(colours)]
        ):
            marked += case_colour_set(
                case=case, colour=colours[i], actor=case.collector, source="demo"
            )
    return (
        f"queues for {today}: {counts['entries']:,} actions for {counts['people']} people, "
        f"{counts['excluded']} left out by the compliance rules; {marked} cases colour-flagged"
    )
