"""Personal numbers: the deliberate, audited reveal, and numbers for dialling.

Every page and API answer shows ID and phone numbers masked (core.scoping.show_phone /
show_id_number). A role that may see a kind of number (`pii.phone`, `pii.id_number`) reveals
one at a time with `pii_reveal`, which writes a `pii.reveal` audit entry naming the number
(never its value) before returning it.

A collector who logs a call needs the number dialled, not displayed: a form offers
`dial_targets` (masked labels, opaque refs) and the service resolves the chosen ref with
`dial_number` on the server; the number is then stored with the activity, encrypted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from arrears.book.errors import BookError
from arrears.book.models import Borrower, Contact, Guarantor
from arrears.core.audit import audit_record
from arrears.core.ids import mask_id_number, mask_phone
from arrears.core.models import User
from arrears.core.scoping import borrowers_for, loans_for, may_reveal

# The numbers that can be revealed: (whose, field) → kind.
REVEALABLE = {
    ("borrower", "id_number"): "id_number",
    ("borrower", "phone"): "phone",
    ("borrower", "phone2"): "phone",
    ("contact", "phone"): "phone",
    ("guarantor", "phone"): "phone",
    ("guarantor", "id_number"): "id_number",
}
BAD_FIELD = "pii_field_unknown"


class RevealRefused(PermissionDenied):
    """The user's role may not reveal this kind of number."""


def _whose(contact_id: int | None, guarantor_id: int | None) -> str:
    if contact_id is not None and guarantor_id is not None:
        raise BookError(BAD_FIELD, "name a contact or a guarantor, not both", field="contact_id")
    if contact_id is not None:
        return "contact"
    if guarantor_id is not None:
        return "guarantor"
    return "borrower"


def reveal_kind(field: str, *, contact_id: int | None = None, guarantor_id: int | None = None):
    """The kind of number (`phone` or `id_number`) a reveal asks for; BookError if none."""
    whose = _whose(contact_id, guarantor_id)
    kind = REVEALABLE.get((whose, field))
    if kind is None:
        fields = sorted(f for w, f in REVEALABLE if w == whose)
        raise BookError(
            BAD_FIELD,
            f"a {whose}'s {field!r} cannot be revealed (one of {', '.join(fields)})",
            field="field",
        )
    return kind


def _target(user: User, borrower: Borrower, contact_id, guarantor_id):
    if contact_id is not None:
        contact = Contact.objects.filter(borrower=borrower, pk=contact_id).first()
        if contact is None:
            raise Http404("no such contact")
        return contact
    if guarantor_id is not None:
        guarantor = Guarantor.objects.filter(
            pk=guarantor_id, loan__in=loans_for(user).filter(borrower=borrower)
        ).first()
        if guarantor is None:
            raise Http404("no such guarantor")
        return guarantor
    return borrower


def pii_reveal(
    *,
    user: User,
    borrower_id: str,
    field: str,
    contact_id: int | None = None,
    guarantor_id: int | None = None,
    source: str = "web",
    ip: str | None = None,
) -> str:
    """The full number, audited as `pii.reveal`.

    Order of refusals: an unknown field (BookError), a role that may not reveal that kind
    (RevealRefused, before any lookup, so it says nothing about what exists), a borrower,
    contact or guarantor outside the user's scope (Http404, as for one that does not exist).
    """
    kind = reveal_kind(field, contact_id=contact_id, guarantor_id=guarantor_id)
    if not may_reveal(user, kind):
        raise RevealRefused(
            _("Your role (%(role)s) may not reveal %(kind)s.")
            % {
                "role": user.get_role_display(),
                "kind": _("ID numbers") if kind == "id_number" else _("phone numbers"),
            }
        )
    borrower = borrowers_for(user).filter(external_id=borrower_id).first()
    if borrower is None:
        raise Http404("no such borrower")
    target = _target(user, borrower, contact_id, guarantor_id)
    value = getattr(target, field) or ""
    with transaction.atomic():
        audit_record(
            actor=user,
            event="pii.reveal",
            object_type=f"book.{type(target).__name__}",
            object_id=target.pk,
            after={
                "field": field,
                "borrower": borrower.external_id,
                **({"contact": target.pk} if isinstance(target, Contact) else {}),
                **({"guarantor": target.pk} if isinstance(target, Guarantor) else {}),
                "shown": mask_id_number(value) if kind == "id_number" else mask_phone(value),
            },
            source=source,
            ip=ip,
        )
    return value


# ------------------------------------------------------------------------------ dialling


@dataclass(frozen=True)
class DialTarget:
    """A number a collector may dial, without the number: `ref` goes back to the server."""

    ref: str  # "borrower:phone", "borrower:phone2", "contact:12", "guarantor:5"
    name: str
    relation: str  # "self", a contact's relation, "guarantor"
    masked: str

    @property
    def label(self) -> str:
        return f"{self.name} · {self.masked}"


def dial_targets(user: User, borrower: Borrower) -> list[DialTarget]:
    """The numbers of a borrower (in the user's scope) a form may offer, masked."""
    out: list[DialTarget] = []
    for field in ("phone", "phone2"):
        value = getattr(borrower, field)
        if value:
            out.append(DialTarget(f"borrower:{field}", borrower.name, "self", mask_phone(value)))
    for c in borrower.contacts.all():
        if c.phone:
            out.append(DialTarget(f"contact:{c.pk}", c.name, c.relation, mask_phone(c.phone)))
    for g in Guarantor.objects.filter(loan__in=loans_for(user).filter(borrower=borrower)):
        if g.phone:
            out.append(DialTarget(f"guarantor:{g.pk}", g.name, "guarantor", mask_phone(g.phone)))
    return out


def dial_number(
    user: User, borrower: Borrower, ref: str
) -> tuple[str, Contact | None, Guarantor | None]:
    """(number, contact, guarantor) for a `DialTarget.ref`, resolved on the server.

    Needs `pii.phone` (a role that may not reveal phones does not dial them either). Not
    audited as a reveal: the number is not shown, and the activity it is logged with is the
    record. A ref outside the user's scope is Http404; a malformed one a BookError.
    """
    if not may_reveal(user, "phone"):
        raise RevealRefused(_("Your role may not use phone numbers."))
    if not borrowers_for(user).filter(pk=borrower.pk).exists():
        raise Http404("no such borrower")
    whose, _sep, key = ref.partition(":")
    if whose == "borrower" and key in ("phone", "phone2"):
        return getattr(borrower, key), None, None
    if whose in ("contact", "guarantor") and key.isdigit():
        ids = {"contact_id": int(key)} if whose == "contact" else {"guarantor_id": int(key)}
        target = _target(user, borrower, ids.get("contact_id"), ids.get("guarantor_id"))
        return (
            target.phone,
            target if whose == "contact" else None,
            target if whose == "guarantor" else None,
        )
    raise BookError(BAD_FIELD, f"not a number to dial: {ref!r}", field="number")
