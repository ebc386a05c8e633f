"""Write audit entries. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from arrears.core.models import AuditEntry, User


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
    """Append one audit entry (event codes are dotted: `payment.post`, `import.loans`)."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.username if actor else "system",
        event=event,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        source=source,
        ip=ip,
    )
