"""The credit hold check: the origination system asks, by ID number, whether to refuse new
credit. The number comes in a request body (never a URL, so it stays out of access logs), is
looked up through its blind index only (book.Borrower.id_number_digest), and is never logged
or stored: the audit entry of each check keeps the masked number (5101**********1234).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _g

from arrears.core.audit import audit_record
from arrears.core.crypto import index_text, search_digests
from arrears.core.ids import IdNumberError, mask_id_number, normalize_id_number
from arrears.credithold.selectors import REASON_LABELS, REASONS, with_reasons

CHECK_CAPABILITY = "credit_hold.check"


class CheckInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class CheckForbidden(PermissionError):
    pass


@dataclass(frozen=True)
class CheckAnswer:
    hold: bool
    known: bool
    reasons: list[str]

    def as_dict(self) -> dict:
        return {
            "hold": self.hold,
            "known": self.known,
            "reasons": [{"code": r, "label": str(REASON_LABELS[r])} for r in self.reasons],
        }


def credit_hold_check(
    *, id_number: str, actor, source: str = "api", ip: str | None = None
) -> CheckAnswer:
    """Whether the borrower(s) with this ID number are on the credit hold list, and why.

    A number that is not a valid resident identity number (18 characters, check digit) is
    refused naming the field, without echoing it. Audited (masked number, answer).
    """
    if actor is not None and not actor.can(CHECK_CAPABILITY):
        raise CheckForbidden(_g("Your role may not check the credit hold list."))
    try:
        number = normalize_id_number(index_text("id_number", id_number or ""))
    except IdNumberError as exc:
        raise CheckInvalid("id_number", _g("id_number: not a valid ID number (%s)") % exc) from exc
    digest = search_digests("id_number", number)["full"]
    from arrears.book.models import Borrower

    rows = list(with_reasons(Borrower.objects.filter(id_number_digest=digest)).values(*REASONS))
    reasons = [r for r in REASONS if any(row[r] for row in rows)]
    answer = CheckAnswer(hold=bool(reasons), known=bool(rows), reasons=reasons)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event="credit_hold.check",
            object_type="id_number",
            object_id=mask_id_number(number),
            after={"hold": answer.hold, "known": answer.known, "reasons": reasons},
            source=source,
            ip=ip,
        )
    return answer
