"""Writes of write-off: propose, decide (approve or reject), cancel, the authority table.

Each runs in one transaction with its audit rows and raises a writeoff.errors error (nothing
written) for bad input, a role or authority that does not allow it, or a proposal not
pending. Messages are in the active language (the API asks for English).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.book.models import Loan
from arrears.core.audit import AuditItem, audit_record, audit_record_many
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import format_yuan
from arrears.core.roles import Role
from arrears.core.scoping import loans_for
from arrears.writeoff import selectors
from arrears.writeoff.errors import (
    WriteOffConflict,
    WriteOffForbidden,
    WriteOffInvalid,
)
from arrears.writeoff.models import (
    Reason,
    WriteOffAuthority,
    WriteOffItem,
    WriteOffProposal,
    WrittenOffLoan,
)

REASON_MAX = 2000


def _require(actor: User, capability: str, message: str) -> None:
    if actor is None or actor.is_read_only or not actor.can(capability):
        raise WriteOffForbidden(message)


def _text(field: str, value: str | None, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise WriteOffInvalid(field, _("This field is required."), code="required")
    if len(text) > REASON_MAX:
        raise WriteOffInvalid(
            field, _("At most %(n)d characters, please.") % {"n": REASON_MAX}, code="too_long"
        )
    return text


def _eligible(loans: Sequence[Loan], amounts: dict[int, selectors.Amounts]) -> None:
    """Refuse, naming the loan, one that cannot be written off as of the amounts' date."""
    for loan in loans:
        if loan.status == Loan.Status.WRITTEN_OFF:
            raise WriteOffConflict(
                _("Loan %(loan)s is already written off.") % {"loan": loan.external_id},
                field="loans",
            )
        a = amounts[loan.pk]
        if loan.status == Loan.Status.PAID_OFF or a.total == 0:
            raise WriteOffConflict(
                _("Loan %(loan)s owes nothing: there is nothing to write off.")
                % {"loan": loan.external_id},
                field="loans",
            )
        if a.dpd <= 0:
            raise WriteOffConflict(
                _("Loan %(loan)s is not overdue: only a delinquent loan is written off.")
                % {"loan": loan.external_id},
                field="loans",
            )


def writeoff_propose(
    *,
    actor: User,
    loan_ids: Sequence[str],
    reason_code: str,
    reason: str,
    basis: str = WriteOffProposal.Basis.HAND,
    filter: dict | None = None,
    source: str = "web",
    today: dt.date | None = None,
) -> WriteOffProposal:
    """Propose writing off these loans (their loan IDs), with the amounts as of today."""
    _require(actor, "writeoff.propose", _("Your role may not propose write-offs."))
    if reason_code not in Reason.values:
        raise WriteOffInvalid(
            "reason_code",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(Reason.values)},
            code="bad_choice",
        )
    reason = _text("reason", reason, required=True)
    wanted = list(dict.fromkeys(str(x).strip() for x in loan_ids if str(x).strip()))
    if not wanted:
        raise WriteOffInvalid("loans", _("Choose at least one loan."), code="required")
    if len(wanted) > selectors.MAX_ITEMS:
        raise WriteOffInvalid(
            "loans",
            _("At most %(n)d loans in one proposal.") % {"n": selectors.MAX_ITEMS},
            code="too_many",
        )
    today = today or local_today()
    with transaction.atomic():
        found = {loan.external_id: loan for loan in loans_for(actor).filter(external_id__in=wanted)}
        missing = [x for x in wanted if x not in found]
        if missing:
            raise WriteOffInvalid(
                "loans",
                _("No such loan: %(loans)s.") % {"loans": ", ".join(missing[:10])},
                code="not_found",
            )
        # Lock the loans (in id order, as writeoff_decide does) so two proposals cannot take
        # the same loan at once.
        list(
            Loan.objects.select_for_update()
            .filter(pk__in=[x.pk for x in found.values()])
            .order_by("pk")
        )
        loans = [found[x] for x in wanted]
        pending = (
            WriteOffItem.objects.filter(
                loan__in=loans, proposal__status=WriteOffProposal.Status.PENDING
            )
            .select_related("loan", "proposal")
            .first()
        )
        if pending is not None:
            raise WriteOffConflict(
                _("Loan %(loan)s is already in proposal %(number)s, awaiting approval.")
                % {"loan": pending.loan.external_id, "number": pending.proposal.number},
                field="loans",
            )
        amounts = selectors.amounts_as_of([loan.pk for loan in loans], today)
        _eligible(loans, amounts)
        proposal = WriteOffProposal.objects.create(
            reason_code=reason_code,
            reason=reason,
            basis=basis,
            filter=filter or {},
            as_of=today,
            total_fen=sum(amounts[loan.pk].total for loan in loans),
            proposed_by=actor,
        )
        WriteOffItem.objects.bulk_create(
            [
                WriteOffItem(
                    proposal=proposal,
                    loan=loan,
                    dpd=amounts[loan.pk].dpd,
                    principal_fen=amounts[loan.pk].principal,
                    interest_fen=amounts[loan.pk].interest,
                    penalty_fen=amounts[loan.pk].penalty,
                    fees_fen=amounts[loan.pk].fees,
                    total_fen=amounts[loan.pk].total,
                )
                for loan in loans
            ]
        )
        audit_record(
            actor=actor,
            event="writeoff.propose",
            object_type="writeoff_proposal",
            object_id=proposal.pk,
            after={
                "loans": wanted,
                "reason_code": reason_code,
                "reason": reason,
                "basis": basis,
                "filter": filter or {},
                "as_of": today.isoformat(),
                "total_fen": proposal.total_fen,
            },
            source=source,
        )
    return proposal


def writeoff_propose_by_filter(
    *,
    actor: User,
    reason_code: str,
    reason: str,
    county: str = "",
    source: str = "web",
    today: dt.date | None = None,
) -> WriteOffProposal:
    """Propose every loan the filter finds (selectors.candidates) for the user."""
    _require(actor, "writeoff.propose", _("Your role may not propose write-offs."))
    if reason_code not in Reason.values:
        raise WriteOffInvalid(
            "reason_code",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(Reason.values)},
            code="bad_choice",
        )
    ids = list(
        selectors.candidates(user=actor, reason=reason_code, county=county).values_list(
            "external_id", flat=True
        )[: selectors.MAX_ITEMS + 1]
    )
    if not ids:
        raise WriteOffInvalid("loans", _("The filter finds no loan to write off."), code="empty")
    return writeoff_propose(
        actor=actor,
        loan_ids=ids,
        reason_code=reason_code,
        reason=reason,
        basis=WriteOffProposal.Basis.FILTER,
        filter={"reason_code": reason_code, "county": county},
        source=source,
        today=today,
    )


def _locked(proposal: WriteOffProposal) -> WriteOffProposal:
    return WriteOffProposal.objects.select_for_update().get(pk=proposal.pk)


def _pending(proposal: WriteOffProposal) -> None:
    if proposal.status != WriteOffProposal.Status.PENDING:
        raise WriteOffConflict(
            _("Proposal %(number)s is not awaiting approval (%(status)s).")
            % {"number": proposal.number, "status": proposal.get_status_display()}
        )


def writeoff_decide(
    proposal: WriteOffProposal,
    *,
    actor: User,
    approve: bool,
    note: str = "",
    source: str = "web",
    today: dt.date | None = None,
) -> WriteOffProposal:
    """Approve or reject a pending proposal.

    Only a holder of `writeoff.approve` who is not the proposer decides; approving also needs
    the role's authority (WriteOffAuthority) to cover the total as of the approval day. On
    approval every loan is written off that day with its amounts as of that day (the one
    balance), in the written-off ledger; the loan's status and date change in the book; the
    case stays open (账销案存).
    """
    _require(actor, "writeoff.approve", _("Your role may not decide on write-offs."))
    note = _text("note", note, required=not approve)
    with transaction.atomic():
        proposal = _locked(proposal)
        _pending(proposal)
        if proposal.proposed_by_id == actor.pk:
            raise WriteOffForbidden(
                _("You proposed this write-off: someone else must decide on it.")
            )
        items = list(proposal.items.select_related("loan"))
        loans = list(
            Loan.objects.select_for_update()
            .filter(pk__in=[i.loan_id for i in items])
            .order_by("pk")
        )
        visible = set(
            loans_for(actor).filter(pk__in=[x.pk for x in loans]).values_list("pk", flat=True)
        )
        if len(visible) != len(loans):
            raise WriteOffForbidden(_("Some loans of this proposal are outside your scope."))
        before = {"status": proposal.status}
        today = today or local_today()
        if approve:
            amounts = selectors.amounts_as_of([x.pk for x in loans], today)
            _eligible(loans, amounts)
            total = sum(a.total for a in amounts.values())
            auth = selectors.authority_for(actor.role)
            if auth is None or not auth.covers(total):
                limit = (
                    _("none")
                    if auth is None
                    else (
                        _("no limit")
                        if auth.max_total_fen is None
                        else format_yuan(auth.max_total_fen)
                    )
                )
                raise WriteOffForbidden(
                    _(
                        "Beyond your authority: as %(role)s you may approve write-offs up to "
                        "%(limit)s; this one is %(total)s."
                    )
                    % {"role": Role(actor.role).label, "limit": limit, "total": format_yuan(total)}
                )
            now = timezone.now()
            WrittenOffLoan.objects.bulk_create(
                [
                    WrittenOffLoan(
                        loan=loan,
                        proposal=proposal,
                        written_off_on=today,
                        written_off_at=now,
                        reason_code=proposal.reason_code,
                        reason=proposal.reason,
                        dpd=amounts[loan.pk].dpd,
                        approved_by=actor,
                        principal_fen=amounts[loan.pk].principal,
                        interest_fen=amounts[loan.pk].interest,
                        penalty_fen=amounts[loan.pk].penalty,
                        fees_fen=amounts[loan.pk].fees,
                        total_fen=amounts[loan.pk].total,
                    )
                    for loan in loans
                ]
            )
            # The book's own record: status and date. Nothing the ledger or the end-of-day
            # engine computes from changes (the debt runs on), so no loans_touch.
            Loan.objects.filter(pk__in=[x.pk for x in loans]).update(
                status=Loan.Status.WRITTEN_OFF, written_off_on=today
            )
            proposal.status = WriteOffProposal.Status.APPROVED
            audit_record_many(
                actor=actor,
                items=[
                    AuditItem(
                        "loan.write_off",
                        "loan",
                        loan.external_id,
                        {"status": loan.status},
                        {
                            "status": Loan.Status.WRITTEN_OFF,
                            "written_off_on": today.isoformat(),
                            "proposal": proposal.number,
                            "reason_code": proposal.reason_code,
                            "principal_fen": amounts[loan.pk].principal,
                            "interest_fen": amounts[loan.pk].interest,
                            "penalty_fen": amounts[loan.pk].penalty,
                            "fees_fen": amounts[loan.pk].fees,
                            "total_fen": amounts[loan.pk].total,
                        },
                    )
                    for loan in loans
                ],
                source=source,
            )
            after = {
                "status": proposal.status,
                "total_fen": total,
                "written_off_on": today.isoformat(),
            }
        else:
            proposal.status = WriteOffProposal.Status.REJECTED
            after = {"status": proposal.status}
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_note = note
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            event="writeoff.approve" if approve else "writeoff.reject",
            object_type="writeoff_proposal",
            object_id=proposal.pk,
            before=before,
            after=after | {"note": note},
            source=source,
        )
    return proposal


def writeoff_cancel(
    proposal: WriteOffProposal, *, actor: User, note: str = "", source: str = "web"
) -> WriteOffProposal:
    """Withdraw a pending proposal: its proposer, or an administrator."""
    _require(actor, "writeoff.propose", _("Your role may not cancel write-offs."))
    note = _text("note", note, required=False)
    with transaction.atomic():
        proposal = _locked(proposal)
        _pending(proposal)
        if proposal.proposed_by_id != actor.pk and actor.role != Role.ADMIN:
            raise WriteOffForbidden(_("Only the proposer or an administrator cancels a proposal."))
        proposal.status = WriteOffProposal.Status.CANCELLED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_note = note
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            event="writeoff.cancel",
            object_type="writeoff_proposal",
            object_id=proposal.pk,
            before={"status": WriteOffProposal.Status.PENDING},
            after={"status": proposal.status, "note": note},
            source=source,
        )
    return proposal


MAX_AUTHORITY_FEN = 10**15


def writeoff_authority_set(
    *, role: str, max_total_fen: int | None, actor: User, source: str = "web"
) -> WriteOffAuthority:
    """Set one role's write-off authority (None: no limit). Administrators only; audited."""
    _require(actor, "writeoff.authority", _("Only an administrator changes write-off authority."))
    if role not in Role.values:
        raise WriteOffInvalid("role", _("Unknown role %(role)s.") % {"role": role})
    if max_total_fen is not None and not 0 <= max_total_fen <= MAX_AUTHORITY_FEN:
        raise WriteOffInvalid("max_total", _("Enter an amount of 0 or more."), code="bad_amount")
    with transaction.atomic():
        auth = WriteOffAuthority.objects.select_for_update().filter(role=role).first()
        before = None if auth is None else {"max_total_fen": auth.max_total_fen}
        auth = auth or WriteOffAuthority(role=role)
        auth.max_total_fen = max_total_fen
        auth.updated_at = timezone.now()
        auth.save()
        audit_record(
            actor=actor,
            event="writeoff.authority",
            object_type="writeoff_authority",
            object_id=role,
            before=before,
            after={"max_total_fen": max_total_fen},
            source=source,
        )
    return auth
