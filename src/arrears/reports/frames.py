"""Reading a queryset into a Polars frame, the same on PostgreSQL and SQLite.

The reports filter and scope with the ORM (one SQL statement per frame, `values_list`), then
join and group whole frames in Polars — never a Python loop over rows.
"""

from __future__ import annotations

import polars as pl
from django.db.models import QuerySet


def frame(qs: QuerySet, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of `qs.values_list(*schema)` as a frame of `schema`'s types."""
    rows = list(qs.values_list(*schema))
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")
