"""Where the day's due actions come from: the sources other apps register.

The queue engine does not know how a case comes to be due for an action; the strategy app
(segments and treatment paths) answers that. An app registers a source in its
AppConfig.ready():

    from arrears.queues.sources import register_action_source
    register_action_source(due_actions)

A source is `fn(on: date)` returning the actions due on `on` as a Polars DataFrame (or a SQL
string with one `%s` parameter, the day, or an iterable of rows: dicts, dataclasses or named
tuples) with the columns `case_id, segment, step, channel, role` (`segment_key` and
`step_key`, the strategy app's names, are read as `segment` and `step`; other columns such as
`path_key` or `template` are ignored). Channels are `call | sms | letter | visit | email`; hand-overs (`agency_placement`,
`legal_review`) are never queued and are dropped here if a source passes them.

With no source registered, `fallback_source` makes every open case with a collector due a
call (segment `default`, step `call`): the queues work before any strategy exists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

COLUMNS = ("case_id", "segment", "step", "channel", "role")
SCHEMA = {
    "case_id": pl.Int64,
    "segment": pl.String,
    "step": pl.String,
    "channel": pl.String,
    "role": pl.String,
}
QUEUE_CHANNELS = ("call", "sms", "letter", "visit", "email")
HANDOVERS = ("agency_placement", "legal_review")

_SOURCES: list[Callable[[dt.date], Any]] = []


def register_action_source(fn: Callable[[dt.date], Any]) -> None:
    """Add a source of due actions (see the module docstring); registering twice is a no-op."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)


def unregister_action_source(fn: Callable[[dt.date], Any]) -> None:
    if fn in _SOURCES:
        _SOURCES.remove(fn)


def action_sources() -> list[Callable[[dt.date], Any]]:
    return list(_SOURCES) or [fallback_source]


# The strategy app names its columns after its own keys; both spellings are read.
ALIASES = {"segment_key": "segment", "step_key": "step"}


def _frame(result: Any, on: dt.date) -> pl.DataFrame:
    """A source's answer as a frame of COLUMNS: a DataFrame, SQL, or rows (dicts or objects
    with those attributes, e.g. the strategy app's due actions)."""
    if isinstance(result, str):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(result, [on])
            rows = cur.fetchall()
        result = pl.DataFrame(rows, schema=list(COLUMNS), orient="row")
    elif not isinstance(result, pl.DataFrame):
        rows = []
        for row in result:
            if isinstance(row, dict):
                item = row
            elif dataclasses.is_dataclass(row):
                item = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
            elif hasattr(row, "_asdict"):
                item = row._asdict()
            else:
                raise TypeError(f"an action source gave a {type(row).__name__}, not a row")
            item = {ALIASES.get(k, k): v for k, v in item.items()}
            rows.append({c: item.get(c) for c in COLUMNS})
        result = pl.DataFrame(rows, schema=SCHEMA)
    result = result.rename({k: v for k, v in ALIASES.items() if k in result.columns})
    missing = [c for c in COLUMNS if c not in result.columns]
    if missing:
        raise ValueError(f"an action source left out the columns {', '.join(missing)}")
    return result.select([pl.col(c).cast(t) for c, t in SCHEMA.items()])


def fallback_source(on: dt.date) -> pl.DataFrame:
    """Every open case with a collector is due a call by its collector (no strategy yet)."""
    from arrears.cases.models import Case

    ids = list(
        Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
        .order_by()
        .values_list("id", flat=True)
    )
    n = len(ids)
    return pl.DataFrame(
        {
            "case_id": ids,
            "segment": ["default"] * n,
            "step": ["call"] * n,
            "channel": ["call"] * n,
            "role": ["collector"] * n,
        },
        schema=SCHEMA,
    )


def due_actions(on: dt.date) -> pl.DataFrame:
    """Every source's actions due on `on`, queue channels only, one row per case and channel
    (the first row given — the first source's — when two ask for the same)."""
    frames = [_frame(fn(on), on) for fn in action_sources()]
    frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=SCHEMA)
    return (
        frame.drop_nulls(["case_id", "channel"])
        .with_columns(pl.col("segment").fill_null(""), pl.col("step").fill_null(""))
        .filter(pl.col("channel").is_in(QUEUE_CHANNELS))
        .with_row_index("_src")
        .sort(["case_id", "channel", "_src"])
        .unique(["case_id", "channel"], keep="first", maintain_order=True)
        .drop("_src")
    )
