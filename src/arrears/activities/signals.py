"""Contact signals of a case for the debtor-profile suggestion (cases.profiling).

docs/casework.md, "Debtor types and playbooks": attempts are calls and visits we made; a
right-party contact is an entry whose outcome reached the debtor (RIGHT_PARTY_OUTCOMES); the
failed attempts are counted back to the last right-party contact. Only the latest version of
each entry counts: an entry a correction replaced says nothing any more.
"""

from __future__ import annotations

from arrears.activities.models import (
    FAILED_ATTEMPT_OUTCOMES,
    RIGHT_PARTY_OUTCOMES,
    Activity,
    Channel,
    Direction,
    Outcome,
)

ATTEMPT_CHANNELS = (Channel.CALL, Channel.VISIT)


def case_contact_signals(case) -> dict:
    """{contact_attempts, right_party_contacts, consecutive_failed_attempts,
    hardship_outcomes, refusals} for one case (one query)."""
    rows = (
        Activity.objects.filter(case=case, corrections__isnull=True)
        .order_by("occurred_at", "id")
        .values_list("channel", "direction", "outcome")
    )
    counts = {
        "contact_attempts": 0,
        "right_party_contacts": 0,
        "consecutive_failed_attempts": 0,
        "hardship_outcomes": 0,
        "refusals": 0,
    }
    for channel, direction, outcome in rows:
        attempt = channel in ATTEMPT_CHANNELS and direction == Direction.OUTBOUND
        if attempt:
            counts["contact_attempts"] += 1
        if outcome in RIGHT_PARTY_OUTCOMES:
            # The debtor was reached (by us, or because they called): the run of failures ends.
            counts["right_party_contacts"] += 1
            counts["consecutive_failed_attempts"] = 0
        elif attempt and outcome in FAILED_ATTEMPT_OUTCOMES:
            counts["consecutive_failed_attempts"] += 1
        if outcome == Outcome.HARDSHIP:
            counts["hardship_outcomes"] += 1
        elif outcome == Outcome.REFUSAL:
            counts["refusals"] += 1
    return counts
