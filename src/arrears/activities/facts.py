"""What the compliance checks need to know about a case, read from the database.

`case_facts(case, at=…)` gathers a `compliance.rules.CaseFacts`: every earlier contact attempt
about the borrower (all cases, users, agencies and imported dialer records alike), the
borrower's time zone, the case's holds, its suspensions (停催) and the debtor's statuses (from the sources the apps
register in cases.holds), whether the debt is time-barred (the latest end-of-day figures), and
the facts people recorded (activities.recorded: opt-outs, inconvenient times, consent outside
hours, third parties' refusals, forbearance offered, enforcement against the debtor exhausted).
The activity services call it before saving a contact; queues and strategies call it to ask
`compliance.rules.may_contact`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from arrears.activities.models import Activity, Direction, Purpose, TargetKind
from arrears.compliance.rules import Attempt, CaseFacts

# How far back attempts are read. The frequency rules look at a day (China) or 7 days (Reg F);
# a month leaves room for a pack that widens the window. Third-party contacts are read over
# all time: `third_party_once` asks whether that person was *ever* reached.
LOOKBACK_DAYS = 31
_ATTEMPT_FIELDS = (
    "id",
    "occurred_at",
    "channel",
    "number",
    "target_kind",
    "contact_id",
    "guarantor_id",
    "connected",
    "purpose",
)


def borrower_zone(borrower) -> str:
    """The borrower's time zone for contact hours: their own, else settings.TIME_ZONE.

    A name that is not a known zone (a typo in an import) falls back to the business zone
    rather than failing every contact with the borrower.
    """
    name = (getattr(borrower, "time_zone", "") or "").strip()
    if name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return settings.TIME_ZONE


def person_key(target_kind: str, contact_id: int | None, guarantor_id: int | None) -> str:
    """A stable key of who was reached: "borrower", "guarantor:7", "contact:12".

    Counts are per person (compliance.rules.Attempt.person), so the key of an attempt and of a
    new action must be built the same way.
    """
    if target_kind == TargetKind.BORROWER:
        return "borrower"
    if guarantor_id is not None:
        return f"guarantor:{guarantor_id}"
    if contact_id is not None:
        return f"contact:{contact_id}"
    return target_kind


def about_debt(connected: bool, purpose: str) -> bool:
    """A conversation about the debt (Reg F's quiet period): connected, and not only locating."""
    return connected and purpose != Purpose.LOCATE


def attempt_from(
    *,
    at: dt.datetime,
    channel: str,
    number: str,
    target_kind: str,
    contact_id: int | None,
    guarantor_id: int | None,
    connected: bool,
    purpose: str,
) -> Attempt:
    return Attempt(
        at=at,
        channel=channel,
        number=number or "",
        person=person_key(target_kind, contact_id, guarantor_id),
        connected=connected,
        about_debt=about_debt(connected, purpose),
        third_party=target_kind == TargetKind.THIRD_PARTY,
    )


def _attempt(row: Activity) -> Attempt:
    return attempt_from(
        at=row.occurred_at,
        channel=row.channel,
        number=row.number,
        target_kind=row.target_kind,
        contact_id=row.contact_id,
        guarantor_id=row.guarantor_id,
        connected=row.connected,
        purpose=row.purpose,
    )


def borrower_attempts(
    borrower_ids: Iterable[int],
    *,
    until: dt.datetime,
    since: dt.datetime | None = None,
    exclude: Iterable[int] = (),
) -> dict[int, list[Attempt]]:
    """{borrower id: attempts}, oldest first, for the borrowers' outbound contacts up to
    `until` (inclusive).

    Only the latest version of each entry counts (one a correction replaced does not), and
    inbound contacts are left out: the debtor calling us is not an attempt of ours (see
    docs/activities.md). `exclude` leaves out entries by id (the one being corrected).
    """
    ids = sorted(set(borrower_ids))
    out: dict[int, list[Attempt]] = {b: [] for b in ids}
    if not ids:
        return out
    since = since or until - dt.timedelta(days=LOOKBACK_DAYS)
    base = (
        Activity.objects.filter(
            borrower_id__in=ids,
            direction=Direction.OUTBOUND,
            occurred_at__lte=until,
            corrections__isnull=True,
        )
        .exclude(pk__in=list(exclude))
        .order_by("occurred_at", "id")
    )
    recent = base.filter(occurred_at__gte=since).only("borrower_id", *_ATTEMPT_FIELDS)
    earlier = base.filter(occurred_at__lt=since, target_kind=TargetKind.THIRD_PARTY).only(
        "borrower_id", *_ATTEMPT_FIELDS
    )
    for row in [*earlier, *recent]:
        out[row.borrower_id].append(_attempt(row))
    return out


def base_facts(case) -> CaseFacts:
    """The facts about a case without its attempts: zone, holds, statuses, time bar."""
    from arrears.activities.recorded import borrower_conduct_facts
    from arrears.cases.holds import case_holds, debtor_statuses
    from arrears.cases.selectors import suspension_facts
    from arrears.eod.selectors import loan_state

    borrower = case.borrower
    statuses = debtor_statuses(case)
    state = loan_state(case.loan)
    return CaseFacts(
        timezone=borrower_zone(borrower),
        borrower_number=borrower.phone or "",
        unreachable="unreachable" in statuses,
        deceased="deceased" in statuses,
        incapacitated="incapacitated" in statuses,
        holds=frozenset(case_holds(case)),
        time_barred=bool(state is not None and state.time_barred),
        suspensions=suspension_facts([case.pk]).get(case.pk, ()),
        # What people recorded: opt-outs, named times, consent, refusals, forbearance,
        # enforcement exhausted (activities.recorded).
        **borrower_conduct_facts(case),
    )


def case_facts(case, *, at: dt.datetime, exclude: Iterable[int] = ()) -> CaseFacts:
    """Everything compliance.rules.check_action / may_contact needs to judge a contact with
    the case's borrower at `at` (timezone-aware)."""
    from dataclasses import replace

    attempts = borrower_attempts([case.borrower_id], until=at, exclude=exclude)
    return replace(base_facts(case), attempts=tuple(attempts[case.borrower_id]))


def pack_for_case(case):
    """The current version of the rule pack the case's product follows."""
    from arrears.compliance.selectors import pack_for_product

    return pack_for_product(case.loan.product)
