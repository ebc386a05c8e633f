"""Guarantees (保证) as the law has them: the guarantee period and release (Civil Code arts.
686, 692–694).

- The type: joint and several (连带责任保证) or general (一般保证); where the contract does not
  say, general (art. 686).
- The guarantee period: as agreed (`Guarantor.period_ends_on`), else six months from the main
  debt's performance deadline — here the last installment's due date, the limitation anchor
  (art. 692); a period ending on a day off ends on the next working day (art. 203).
- Release (art. 693): a joint guarantor is released unless the creditor demanded payment from
  the guarantor within the period; a general guarantor is released unless the creditor sued
  or sought arbitration against the debtor within it. A released guarantor is no longer an
  obligor: the contact rules refuse collecting from them (compliance.rules `obligor`).

A demand on the guarantor is an outbound collection contact that reached them (a connected
call or visit, a letter, SMS or email sent) or a recorded `guarantor_demand` fact; a suit is a
`lawsuit` event of the limitation registry (the legal work registers it) that took effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arrears.core.dates import add_months

GUARANTEE_MONTHS = 6
RUNNING, CLAIMED, RELEASED = "running", "claimed", "released"


@dataclass(frozen=True)
class GuaranteePosition:
    """One guarantor's guarantee as of a date."""

    kind: str  # joint | general
    deadline: dt.date
    status: str  # running | claimed | released
    claimed_on: dt.date | None = None
    agreed: bool = False

    @property
    def released(self) -> bool:
        return self.status == RELEASED


def guarantee_position(
    *,
    kind: str,
    main_due: dt.date,
    agreed_end: dt.date | None,
    demands: list[dt.date],
    suits: list[dt.date],
    as_of: dt.date,
    calendar=None,
) -> GuaranteePosition:
    """The rule of the module docstring, for one guarantor."""
    if agreed_end is not None:
        deadline = agreed_end
    else:
        deadline = add_months(main_due, GUARANTEE_MONTHS)
        if calendar is not None:
            deadline = calendar.next_working(deadline)
    acts = demands if kind == "joint" else suits
    within = sorted(d for d in acts if d <= deadline and d <= as_of)
    if within:
        status, claimed = CLAIMED, within[0]
    elif as_of > deadline:
        status, claimed = RELEASED, None
    else:
        status, claimed = RUNNING, None
    return GuaranteePosition(
        kind=kind,
        deadline=deadline,
        status=status,
        claimed_on=claimed,
        agreed=agreed_end is not None,
    )


def loan_guarantees(loan, *, as_of: dt.date) -> list[tuple[object, GuaranteePosition]]:
    """Each guarantor of the loan with the guarantee's position as of `as_of` (a read)."""
    from django.utils import timezone

    from arrears.activities.models import Activity, Channel, Direction, Purpose, RecordedFact
    from arrears.book.models import Guarantor, Installment
    from arrears.core.dates import local_zone
    from arrears.eod import limitation
    from arrears.eod.config import eod_config
    from arrears.eod.selectors import loan_restart_events

    guarantors = list(Guarantor.objects.filter(loan_id=loan.pk).order_by("id"))
    if not guarantors:
        return []
    main_due = (
        Installment.objects.filter(loan_id=loan.pk)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    if main_due is None:
        return []
    config = eod_config()
    calendar = limitation.Calendar(frozenset(config.holidays), frozenset(config.workdays))
    zone = local_zone()
    contacts = Activity.objects.filter(
        loan_id=loan.pk,
        guarantor_id__in=[g.pk for g in guarantors],
        direction=Direction.OUTBOUND,
        purpose=Purpose.COLLECT,
        corrections__isnull=True,
    ).values_list("guarantor_id", "occurred_at", "channel", "connected")
    demands: dict[int, list[dt.date]] = {g.pk: [] for g in guarantors}
    for gid, at, channel, connected in contacts:
        sent = channel in (Channel.LETTER, Channel.SMS, Channel.EMAIL)
        if connected or sent:
            demands[gid].append(timezone.localtime(at, zone).date())
    for gid, day in RecordedFact.objects.filter(
        loan_id=loan.pk, kind=RecordedFact.Kind.GUARANTOR_DEMAND, withdrawn_at__isnull=True
    ).values_list("guarantor_id", "happened_on"):
        demands.setdefault(gid, []).append(day)
    suits = [
        e.effective_on
        for e in loan_restart_events(loan, as_of=as_of, config=config)
        if e.kind == "lawsuit" and e.actor == limitation.CREDITOR and e.effective_on is not None
    ]
    return [
        (
            g,
            guarantee_position(
                kind=g.kind,
                main_due=main_due,
                agreed_end=g.period_ends_on,
                demands=demands.get(g.pk, []),
                suits=suits,
                as_of=as_of,
                calendar=calendar,
            ),
        )
        for g in guarantors
    ]


def guarantor_released(guarantor, *, as_of: dt.date) -> bool:
    """Whether the guarantor is released (no longer an obligor) as of `as_of`."""
    for g, position in loan_guarantees(guarantor.loan, as_of=as_of):
        if g.pk == guarantor.pk:
            return position.released
    return False
