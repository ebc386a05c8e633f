"""`arrears export queues --as-of DATE`: one row per queue entry (ingest.exports registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from arrears.ingest.exports import AS_OF_ARGUMENT, STREAM_CHUNK, Exporter

COLUMNS = (
    "user",
    "position",
    "case_id",
    "loan_id",
    "segment",
    "step",
    "channel",
    "priority",
    "amount_due",
    "probability",
    "minutes",
    "day",
)


def queue_rows(*, user=None, as_of: dt.date | None = None, **_) -> Iterator[tuple]:
    """The queues of day `as_of` (default today), person by person, position 1 first; a user
    exports the queues they may see (queues.selectors.queue_owner_q)."""
    from arrears.core.dates import local_today
    from arrears.core.money import fen_to_yuan
    from arrears.queues.models import QueueEntry
    from arrears.queues.selectors import queue_owner_q

    day = as_of or local_today()
    qs = QueueEntry.objects.filter(on=day)
    if user is not None:
        qs = qs.filter(queue_owner_q(user))
    for row in (
        qs.order_by("user__username", "position")
        .values_list(
            "user__username",
            "position",
            "case_id",
            "loan__external_id",
            "segment",
            "step",
            "channel",
            "priority",
            "amount_due_fen",
            "probability",
            "minutes",
            "on",
        )
        .iterator(chunk_size=STREAM_CHUNK)
    ):
        *head, amount, prob, minutes, on = row
        yield (*head, fen_to_yuan(amount), prob, minutes, on)


QUEUE_EXPORTER = Exporter(
    name="queues",
    help="the day's work queues: one row per entry, position 1 first",
    columns=COLUMNS,
    rows=queue_rows,
    arguments=(AS_OF_ARGUMENT,),
)
