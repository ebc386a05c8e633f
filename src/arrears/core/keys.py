"""Re-sealing stored personal numbers: the encryption migration, key rotation, re-indexing.

Set-based and chunked: rows are read a chunk at a time in primary-key order, sealed in Python
(AES-GCM has no SQL equivalent) and written back with one UPDATE … FROM (VALUES …) per
chunk, each chunk in its own transaction. The work is found by what is stored — a value not
sealed under the current key — so an interrupted rotation simply continues when run again.

Every model with an `EncryptedCharField` is covered, in whichever app it lives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection as default_connection
from django.db import transaction

from arrears.core.crypto import (
    PREFIX,
    blind_index,
    decrypt,
    encrypt,
    encrypted_fields,
    index_fields,
    keyring,
    sealed_prefix,
)

CHUNK = 1000


def sealed_models(app_registry=apps) -> list:
    """Every concrete model holding an encrypted field, in app and model order."""
    return [
        m
        for m in app_registry.get_models()
        if m._meta.managed and not m._meta.proxy and encrypted_fields(m)
    ]


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _qn(conn, name: str) -> str:
    return conn.ops.quote_name(name)


def _pending_sql(conn, model, kid: str) -> tuple[str, list]:
    """A WHERE clause: some encrypted column holds a value not sealed under key `kid`."""
    parts, params = [], []
    for f in encrypted_fields(model):
        col = _qn(conn, f.column)
        parts.append(f"({col} IS NOT NULL AND {col} <> '' AND {col} NOT LIKE %s)")
        params.append(sealed_prefix(kid) + "%")
    return "(" + " OR ".join(parts) + ")", params


def _select(conn, model, where: str, params: list, after: int, chunk: int) -> list[tuple]:
    meta = model._meta
    cols = ", ".join(
        _qn(conn, c) for c in [meta.pk.column, *(f.column for f in encrypted_fields(model))]
    )
    sql = (
        f"SELECT {cols} FROM {_qn(conn, meta.db_table)} "
        f"WHERE {_qn(conn, meta.pk.column)} > %s AND {where} "
        f"ORDER BY {_qn(conn, meta.pk.column)} LIMIT %s"
    )
    with conn.cursor() as cur:
        cur.execute(sql, [after, *params, chunk])
        return cur.fetchall()


def _update(conn, model, columns: list[str], rows: list[tuple]) -> None:
    """UPDATE the columns of the rows (pk, values in `columns` order) in as few statements as
    the backend's parameter limit allows."""
    if not rows:
        return
    meta = model._meta
    table = _qn(conn, meta.db_table)
    width = 1 + len(columns)
    limit = conn.features.max_query_params or 30000
    per = max(1, limit // width)
    sets = ", ".join(f"{_qn(conn, c)} = v.column{i + 2}" for i, c in enumerate(columns))
    with conn.cursor() as cur:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            values = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in batch)
            cur.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v "
                f"WHERE {table}.{_qn(conn, meta.pk.column)} = CAST(v.column1 AS BIGINT)",
                [p for row in batch for p in row],
            )


@dataclass
class Progress:
    """Rows re-sealed (or re-indexed) per model, for the command's report and the audit row."""

    rows: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _digests(model, plain: dict[str, str], ring) -> list[str]:
    return [
        blind_index(f.source_field.kind, plain[f.source], f.part, ring) for f in index_fields(model)
    ]


def reseal(
    model,
    *,
    conn=None,
    chunk: int = CHUNK,
    limit: int | None = None,
    on_chunk: Callable[[str, int], None] | None = None,
) -> int:
    """Seal every value of `model` not sealed under the current key (plain text, or another
    key), recomputing its blind indexes; returns the number of rows written.

    `limit` stops after about that many rows (a rotation in a maintenance window); running
    again continues where it stopped.
    """
    conn = conn or default_connection
    ring = keyring()
    enc = encrypted_fields(model)
    idx = index_fields(model)
    columns = [f.column for f in enc] + [f.column for f in idx]
    where, params = _pending_sql(conn, model, ring.current_id)
    done, after = 0, 0
    while limit is None or done < limit:
        size = chunk if limit is None else min(chunk, limit - done)
        rows = _select(conn, model, where, params, after, size)
        if not rows:
            break
        out = []
        for pk, *stored in rows:
            plain = {f.name: decrypt(v or "", ring) for f, v in zip(enc, stored, strict=True)}
            out.append(
                (pk, *(encrypt(plain[f.name], ring) for f in enc), *_digests(model, plain, ring))
            )
        with transaction.atomic(using=conn.alias):
            _update(conn, model, columns, out)
        done += len(rows)
        after = rows[-1][0]
        if on_chunk:
            on_chunk(label(model), done)
    return done


def reindex(model, *, conn=None, chunk: int = CHUNK) -> int:
    """Recompute every blind index of `model` (after ARREARS_INDEX_KEY changed); only rows
    whose digests differ are written, so running it again is cheap. Returns rows written."""
    conn = conn or default_connection
    ring = keyring()
    enc = encrypted_fields(model)
    idx = index_fields(model)
    if not idx:
        return 0
    meta = model._meta
    cols = [meta.pk.column, *(f.column for f in enc), *(f.column for f in idx)]
    select = (
        f"SELECT {', '.join(_qn(conn, c) for c in cols)} FROM {_qn(conn, meta.db_table)} "
        f"WHERE {_qn(conn, meta.pk.column)} > %s ORDER BY {_qn(conn, meta.pk.column)} LIMIT %s"
    )
    written, after = 0, 0
    while True:
        with conn.cursor() as cur:
            cur.execute(select, [after, chunk])
            rows = cur.fetchall()
        if not rows:
            break
        out = []
        for row in rows:
            pk, stored, old = row[0], row[1 : 1 + len(enc)], list(row[1 + len(enc) :])
            plain = {f.name: decrypt(v or "", ring) for f, v in zip(enc, stored, strict=True)}
            new = _digests(model, plain, ring)
            if new != old:
                out.append((pk, *new))
        with transaction.atomic(using=conn.alias):
            _update(conn, model, [f.column for f in idx], out)
        written += len(out)
        after = rows[-1][0]
    return written


def unseal(model, *, conn=None, chunk: int = CHUNK) -> int:
    """Write every value back as plain text and blank the digests (the migration's reverse)."""
    conn = conn or default_connection
    ring = keyring()
    enc = encrypted_fields(model)
    idx = index_fields(model)
    where = " OR ".join(f"{_qn(conn, f.column)} LIKE %s" for f in enc)
    params = [PREFIX + ":%"] * len(enc)
    done, after = 0, 0
    while True:
        rows = _select(conn, model, f"({where})", params, after, chunk)
        if not rows:
            break
        out = [
            (pk, *(decrypt(v or "", ring) for v in stored), *([""] * len(idx)))
            for pk, *stored in rows
        ]
        with transaction.atomic(using=conn.alias):
            _update(conn, model, [f.column for f in enc] + [f.column for f in idx], out)
        done += len(rows)
        after = rows[-1][0]
    return done


def pending(model, *, conn=None) -> int:
    """Rows of `model` holding a value not sealed under the current key."""
    conn = conn or default_connection
    where, params = _pending_sql(conn, model, keyring().current_id)
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {_qn(conn, model._meta.db_table)} WHERE {where}", params)
        return cur.fetchone()[0]


def key_usage(model, *, conn=None) -> dict[str, dict[str, int]]:
    """{column: {key id or "plain": values}} — what each encrypted column is sealed with."""
    conn = conn or default_connection
    table = _qn(conn, model._meta.db_table)
    out: dict[str, dict[str, int]] = {}
    start = len(PREFIX) + 2  # SUBSTR is 1-based: the key id follows "enc1:"
    for f in encrypted_fields(model):
        col = _qn(conn, f.column)
        sql = (
            f"SELECT CASE WHEN {col} LIKE %s THEN SUBSTR({col}, {start}, 8) ELSE 'plain' END AS k, "
            f"COUNT(*) FROM {table} WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY 1"
        )
        with conn.cursor() as cur:
            cur.execute(sql, [PREFIX + ":%"])
            out[f.name] = {k: n for k, n in cur.fetchall()}
    return out


def keys_rotate(
    *,
    actor=None,
    models: Iterable | None = None,
    chunk: int = CHUNK,
    limit: int | None = None,
    on_chunk: Callable[[str, int], None] | None = None,
    source: str = "cli",
) -> Progress:
    """Re-seal every stored number under the current key (the first of ARREARS_FIELD_KEYS);
    audited as `pii.keys_rotate` with the rows written and what remains."""
    from arrears.core.audit import audit_record

    progress = Progress()
    left = limit
    for model in models or sealed_models():
        if left is not None and left <= 0:
            break
        n = reseal(model, chunk=chunk, limit=left, on_chunk=on_chunk)
        progress.rows[label(model)] = n
        if left is not None:
            left -= n
    for model in models or sealed_models():
        progress.remaining[label(model)] = pending(model)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event="pii.keys_rotate",
            object_type="pii",
            object_id=keyring().current_id,
            after={
                "key": keyring().current_id,
                "rows": progress.rows,
                "remaining": sum(progress.remaining.values()),
            },
            source=source,
        )
    return progress


def keys_reindex(*, actor=None, models: Iterable | None = None, source: str = "cli") -> Progress:
    """Recompute every blind index (after ARREARS_INDEX_KEY changed); audited."""
    from arrears.core.audit import audit_record

    progress = Progress()
    for model in models or sealed_models():
        progress.rows[label(model)] = reindex(model)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event="pii.keys_reindex",
            object_type="pii",
            after={"rows": progress.rows},
            source=source,
        )
    return progress


def seal_migration(app_label: str, *model_names: str):
    """A RunPython operation that seals existing rows of the named models (and, reversed,
    writes them back as plain text): the data migration that follows the AlterFields."""
    from django.db import migrations

    def forward(registry, schema_editor):
        for name in model_names:
            reseal(registry.get_model(app_label, name), conn=schema_editor.connection)

    def backward(registry, schema_editor):
        for name in model_names:
            unseal(registry.get_model(app_label, name), conn=schema_editor.connection)

    return migrations.RunPython(forward, backward, elidable=False)
