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


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, taken now, for rows written later with
    insert_rows (which cannot return the keys COPY assigns).

    PostgreSQL: from the table's own sequence, so later ordinary inserts never collide.
    SQLite: the ids after the largest one; SQLite admits one writer at a time, and a writer
    that read the largest id before another committed fails instead of reusing a key.
    """
    if count <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set `fields` of many rows, each to its own values: `rows` are (pk, *values) tuples.

    PostgreSQL: the rows go by COPY into a temporary table and one UPDATE … FROM joins them
    (a parameterised UPDATE per row costs a round of parsing and planning each); SQLite, in
    process, runs the per-row UPDATE as one executemany. Values are given ready for the
    database (dates and times through connection.ops, as insert_rows expects them).
    """
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = [meta.get_field(f).column for f in fields]
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [meta.get_field(f).db_type(connection) for f in fields]
            pk_type = "bigint"
            temp = qn(f"_upd_{meta.db_table}")
            defs = ", ".join(
                [f"pk {pk_type}", *(f"{qn(c)} {t}" for c, t in zip(columns, types, strict=True))]
            )
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({defs})")
            names = ", ".join(["pk", *(qn(c) for c in columns)])
            with cursor.cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            sets = ", ".join(f"{qn(c)} = u.{qn(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM {temp} AS u"  # noqa: S608
                f" WHERE t.{qn(meta.pk.column)} = u.pk"
            )
            cursor.execute(f"DROP TABLE {temp}")
            return count
        sets = ", ".join(f"{qn(c)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {sets} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608
        for batch in chunked(rows, INSERT_BATCH):
            cursor.executemany(sql, [(*values, pk) for pk, *values in batch])
            count += len(batch)
    return count
