"""案件标色: the colour a person puts on a case to mark it for themselves.

One write, `case_colour_set`, audited in its transaction; the case page's colour panel, the
API (`POST /api/v1/cases/{id}/colour`) and anything else call it. Strategies read the colour
as a segment condition; the case list filters by it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.cases.errors import CaseForbidden, CaseInvalid
from arrears.cases.models import Case, ColourFlag
from arrears.core.audit import audit_record

CAPABILITY = "case.colour"


def may_colour(user) -> bool:
    return bool(user.is_active and not user.is_read_only and user.can(CAPABILITY))


@transaction.atomic
def case_colour_set(*, case: Case, colour: str, actor, source: str = "web") -> bool:
    """Put `colour` (a ColourFlag value; "" clears it) on the case; False when unchanged.

    Refused (CaseForbidden) for a role without case.colour, CaseInvalid for an unknown colour.
    """
    if actor is not None and not may_colour(actor):
        raise CaseForbidden(_("Your role may not mark cases with a colour."))
    colour = (colour or "").strip()
    if colour and colour not in ColourFlag.values:
        raise CaseInvalid(
            "colour",
            _("Choose one of: %(colours)s, or none.") % {"colours": ", ".join(ColourFlag.values)},
            code="bad_choice",
        )
    row = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if row.colour_flag == colour:
        return False
    Case.objects.filter(pk=row.pk).update(colour_flag=colour, updated_at=timezone.now())
    audit_record(
        actor=actor,
        event="case.colour",
        object_type="case",
        object_id=row.pk,
        before={"colour": row.colour_flag},
        after={"colour": colour},
        source=source,
    )
    case.colour_flag = colour
    return True
