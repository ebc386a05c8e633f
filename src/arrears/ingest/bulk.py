"""Set-based writes for imports: chunked lookups and fast inserts of plain rows.

Django's bulk_create builds a model instance per row; for the million or so installments of
a 100,000-loan tape that alone costs tens of seconds, so rows that need no primary key back
are written as plain tuples: COPY on PostgreSQL, executemany on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import connection, models
from django.utils import timezone

# Under SQLite's default limit on bound parameters, and a sensible IN-list for PostgreSQL.
LOOKUP_CHUNK = 900
INSERT_BATCH = 5000


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Successive lists of at most `size` items."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _fill_value(f: models.Field):
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        value = timezone.now()
    else:
        value = f.get_default()  # the default, '' for a text field, or None
        if value is None and not f.null:
            raise ValueError(f"{f.model.__name__}.{f.name} has no default: give it a value")
    return f.get_db_prep_save(value, connection)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain tuples (values in `fields` order) into `model`'s table; return the count.

    Every other column gets the model field's default (evaluated once for the whole call),
    so a field added to the model later with a default needs no change here. Encrypted
    fields among `fields` are sealed and their blind indexes added (core.crypto.seal_rows).
    """
    from arrears.core.crypto import seal_rows

    # Personal numbers go in sealed, with their blind indexes (core/crypto.py).
    fields, rows = seal_rows(model, fields, rows)
    meta = model._meta
    qn = connection.ops.quote_name
    given = [meta.get_field(f) for f in fields]
    others = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    if others:
        tail = tuple(_fill_value(f) for f in others)
        rows = (tuple(row) + tail for row in rows)
        fields = [*fields, *(f.name for f in others)]
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)
    table = qn(meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for batch in chunked(rows, INSERT_BATCH):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
