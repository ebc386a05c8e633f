"""Reading the audit trail: the filtered entries an auditor browses, and before/after diffs.

Only roles with `audit.read` (administrator, auditor) read the trail; everyone else is
refused with PermissionDenied (403) whatever they ask for.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from arrears.core.dates import local_zone
from arrears.core.models import AuditEntry, User

AUDIT_SOURCES = ("web", "api", "cli", "system")
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 1, 1)


def audit_readable(user: User) -> User:
    """`user` if their role may read the audit trail; PermissionDenied otherwise."""
    if not (user.is_authenticated and user.can("audit.read")):
        raise PermissionDenied("only an auditor or an administrator may read the audit trail")
    return user


@dataclass(frozen=True)
class AuditFilters:
    """What to look for. Empty means "any"; dates are local days, both ends included.

    `event` matches the code exactly or as a dotted prefix ("user" finds user.login,
    user.add, …); `actor` is the user name (or "system").
    """

    actor: str = ""
    event: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters given, for the export's own audit entry."""
        return {
            k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in self.__dict__.items()
            if v not in ("", None)
        }


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


def audit_entries(*, user: User, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The entries matching `filters`, newest first (a queryset: page or stream it)."""
    audit_readable(user)
    f = filters or AuditFilters()
    qs = AuditEntry.objects.all()
    if f.actor:
        qs = qs.filter(actor_name=f.actor.strip())
    if f.event:
        event = f.event.strip().rstrip(".")
        qs = qs.filter(Q(event=event) | Q(event__startswith=event + "."))
    if f.object_type:
        qs = qs.filter(object_type=f.object_type.strip())
    if f.object_id:
        qs = qs.filter(object_id=f.object_id.strip())
    # Days outside the years the trail could hold only widen the range: leaving them out
    # also keeps year 1 and year 9999 from overflowing on the way to UTC.
    if f.date_from and f.date_from > _EARLIEST:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to and f.date_to < _LATEST:
        qs = qs.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.source:
        qs = qs.filter(source=f.source)
    return qs.order_by("-id")


def audit_choices(*, user: User) -> dict[str, list[str]]:
    """The event codes, object types and actors present, for the filter form's lists."""
    audit_readable(user)

    def distinct(field: str) -> list[str]:
        return sorted(
            v
            for v in AuditEntry.objects.order_by()
            .values_list(field, flat=True)
            .distinct()
            .iterator()
            if v
        )

    # Actors from the user table (small), not a scan of the trail for distinct names.
    actors = sorted(User.objects.values_list("username", flat=True))
    return {
        "events": distinct("event"),
        "object_types": distinct("object_type"),
        "actors": [*actors, "system"],
        # (username, the person's name) for the filter's choice.
        "people": [
            (u.username, u.get_full_name() or u.username) for u in User.objects.order_by("username")
        ],
    }


@dataclass(frozen=True)
class DiffRow:
    key: str
    before: str
    after: str
    changed: bool

    @property
    def label(self) -> str:
        """The field as a person reads it: an amount in fen is shown in yuan."""
        from django.utils.translation import gettext

        # Most keys are a model field's name, whose verbose name ("paid on") is translated.
        if self.key.endswith("_fen"):
            field = gettext(self.key[:-4].replace("_", " "))
            return gettext("%(field)s (yuan)") % {"field": field}
        return gettext(self.key.replace("_", " "))


_ABSENT = object()


def _show(value: Any) -> str:
    if value is _ABSENT:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


def _show_yuan(value: Any) -> str:
    from arrears.core.money import format_yuan

    if isinstance(value, int) and not isinstance(value, bool):
        return format_yuan(value)
    return _show(value)


def audit_diff(before: Any, after: Any) -> list[DiffRow]:
    """Before and after side by side, one row per key when both are objects (or one is).

    A key present on one side only shows blank on the other; `changed` marks what differs.
    """
    if before is None and after is None:
        return []
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        b, a = before or {}, after or {}
        rows = []
        for key in sorted(set(b) | set(a)):
            old, new = b.get(key, _ABSENT), a.get(key, _ABSENT)
            show = _show_yuan if key.endswith("_fen") else _show
            rows.append(DiffRow(key, show(old), show(new), old != new))
        return rows
    old = _ABSENT if before is None else before
    new = _ABSENT if after is None else after
    return [DiffRow("", _show(old), _show(new), before != after)]


def local_time(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at, local_zone())
