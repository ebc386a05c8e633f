"""Whether each borrower of a list of queue entries may be contacted now, and when next
(compliance.rules.may_contact over the facts of queues.facts, a few queries for the list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class ContactNow:
    allowed: bool
    next_at: dt.datetime | None
    rule_id: str
    reason_zh: str
    reason_en: str


def contact_now(entries, *, at: dt.datetime | None = None) -> dict[tuple[int, str], ContactNow]:
    """{(case id, channel): ContactNow} for queue entries (with .case, .channel, .loan)."""
    from arrears.book.models import Product
    from arrears.compliance.rules import may_contact
    from arrears.compliance.selectors import pack_for_product
    from arrears.eod.models import LoanState
    from arrears.queues.facts import cases_facts

    entries = list(entries)
    if not entries:
        return {}
    at = at or timezone.now()
    loans = {e.case.loan_id for e in entries}
    barred = dict(LoanState.objects.filter(loan_id__in=loans).values_list("loan_id", "time_barred"))
    rows = {
        (e.case_id, e.case.loan_id, e.case.borrower_id, bool(barred.get(e.case.loan_id)))
        for e in entries
    }
    facts = cases_facts(sorted(rows), until=at)
    products = {e.loan.product_id for e in entries}
    packs = {p.pk: pack_for_product(p).spec() for p in Product.objects.filter(pk__in=products)}
    out = {}
    for e in entries:
        decision = may_contact(facts[e.case_id], e.channel, at, pack=packs[e.loan.product_id])
        first = decision.blocking[0] if decision.blocking else None
        out[(e.case_id, e.channel)] = ContactNow(
            allowed=decision.allowed,
            next_at=decision.next_allowed_at,
            rule_id=first.rule_id if first else "",
            reason_zh=first.message_zh if first else "",
            reason_en=first.message_en if first else "",
        )
    return out
