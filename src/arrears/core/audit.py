"""The audit trail: append-only, hash-chained entries written in the changing transaction."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from arrears.core.models import AuditEntry, User

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 0x41525245  # "ARRE"


def _canonical(entry: AuditEntry) -> str:
    body = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "event": entry.event,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "source": entry.source,
        "ip": entry.ip,
        "prev": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry).encode()).hexdigest()


def _normalise(value: Any) -> Any:
    # Round-trip through JSON so the stored value and the hashed value are the same.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def _lock_chain() -> None:
    """Serialise appenders so each entry chains to the one before it (held to the end of the
    transaction). SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _actor_fields(actor: User | None) -> dict:
    return {
        "actor": actor if actor is not None and actor.pk else None,
        "actor_name": actor.username if actor else "system",
    }


def audit_record(
    *,
    actor: User | None,
    event: str,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    source: str = "system",
    ip: str | None = None,
) -> AuditEntry:
    """Append one audit entry (event codes are dotted: `payment.post`, `import.loans`).

    Call it inside the transaction of the change it records, so both land or neither does.
    """
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry.objects.create(
            **_actor_fields(actor),
            event=event,
            object_type=object_type,
            object_id=str(object_id),
            before=_normalise(before),
            after=_normalise(after),
            source=source,
            ip=ip,
            prev_hash=last or GENESIS,
        )
        entry.refresh_from_db()  # the stored form (e.g. timestamp precision) is what is hashed
        entry.hash = entry_hash(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(hash=entry.hash)
    return entry


class AuditItem(NamedTuple):
    """One entry of `audit_record_many`; a plain 5-tuple in this order works too."""

    event: str
    object_type: str = ""
    object_id: str | int = ""
    before: Any = None
    after: Any = None


def audit_record_many(
    *,
    actor: User | None,
    items: Iterable[AuditItem | tuple],
    source: str = "system",
    ip: str | None = None,
    batch: int = 1000,  # unused since entries are hashed before writing; kept for callers
) -> int:
    """Append one entry per item (event, object_type, object_id, before, after), in bulk.

    For writes that change many objects at once (an end-of-day run, a bulk reassignment):
    the same chain, lock and hash as `audit_record`, but a few statements per `batch` entries
    instead of several per entry. Every entry gets the same actor, time, source and address.
    Call it inside the transaction of the change, like `audit_record`. Returns how many
    entries were written (0 for no items, without touching the trail).
    """
    from arrears.ingest.bulk import insert_rows, reserve_ids

    rows = [AuditItem(*item) for item in items]
    if not rows:
        return 0
    now = timezone.now()
    who = _actor_fields(actor)
    actor_id = who["actor"].pk if who["actor"] is not None else None
    with transaction.atomic():
        _lock_chain()
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        # Keys first, then each entry hashed in memory and written once (no read-back): the
        # values hashed are the JSON round-tripped ones, which is what the database returns.
        ids = reserve_ids(AuditEntry, len(rows))
        at = connection.ops.adapt_datetimefield_value(now)
        written = []
        for pk, row in zip(ids, rows, strict=True):
            before_text, before = _json_pair(row.before)
            after_text, after = _json_pair(row.after)
            entry = _Pending(
                pk, now, actor_id, who["actor_name"], row.event, row.object_type,
                str(row.object_id), before, after, source, ip, prev,
            )  # fmt: skip
            prev = entry_hash(entry)
            written.append(
                (
                    *(pk, at, actor_id, entry.actor_name, entry.event, entry.object_type),
                    *(entry.object_id, before_text, after_text, source, ip),
                    *(entry.prev_hash, prev),
                )
            )
        fields = ["id", "at", "actor_id", "actor_name", "event", "object_type"]
        fields += ["object_id", "before", "after", "source", "ip", "prev_hash", "hash"]
        return insert_rows(AuditEntry, fields, written)


class _Pending(NamedTuple):
    """An entry of audit_record_many before it is written: what _canonical reads."""

    id: int
    at: Any
    actor_id: int | None
    actor_name: str
    event: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    source: str
    ip: str | None
    prev_hash: str


def _json_pair(value: Any) -> tuple[str | None, Any]:
    """The column text of a JSONField value and the value as the database hands it back
    (None stays SQL NULL, as the ORM stores it)."""
    if value is None:
        return None, None
    text = json.dumps(value, cls=DjangoJSONEncoder)
    return text, json.loads(text)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def audit_verify(batch: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; name the first entry edited, deleted or reordered."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return ChainReport(True, checked)
        for entry in rows:
            if entry.prev_hash != prev:
                return ChainReport(
                    False,
                    checked,
                    entry.id,
                    "does not follow the entry before it: an entry was deleted or reordered",
                )
            if entry_hash(entry) != entry.hash:
                return ChainReport(
                    False, checked, entry.id, "content was edited after it was written"
                )
            prev = entry.hash
            checked += 1
            last_id = entry.id


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def request_ip(request) -> str | None:
    """The client address of a request, for the audit trail and sign-in throttling.

    REMOTE_ADDR, unless settings.ARREARS_PROXY_COUNT says that many proxies of ours stand in
    front: then the address the outermost of them saw, read from the end of X-Forwarded-For
    (entries further left are whatever the client claimed, and are ignored).
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    hops = getattr(settings, "ARREARS_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h]
        if len(forwarded) >= hops:
            return _valid_ip(forwarded[-hops]) or remote
    return remote
