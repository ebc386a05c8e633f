"""Setting a team's monthly collection target (managers; audited)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _g

from arrears.core.audit import audit_record
from arrears.core.models import Team
from arrears.dashboard.models import CollectionTarget


class TargetInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def target_set(
    *, team: Team, month: dt.date, amount_fen: int, actor, source: str = "web", ip=None
) -> CollectionTarget:
    if actor is not None and (actor.is_read_only or not actor.can("target.edit")):
        raise PermissionError(_g("Your role may not set collection targets."))
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
        raise TargetInvalid("amount", _g("amount: a sum of zero or more"))
    month = month.replace(day=1)
    with transaction.atomic():
        before = (
            CollectionTarget.objects.filter(team=team, month=month)
            .values_list("amount_fen", flat=True)
            .first()
        )
        target, _created = CollectionTarget.objects.update_or_create(
            team=team, month=month, defaults={"amount_fen": amount_fen, "set_by": actor}
        )
        audit_record(
            actor=actor,
            event="collection_target.set",
            object_type="collection_target",
            object_id=f"{team.pk}:{month:%Y-%m}",
            before=None if before is None else {"amount_fen": before},
            after={"team": team.name, "month": f"{month:%Y-%m}", "amount_fen": amount_fen},
            source=source,
            ip=ip,
        )
    return target
