"""The demo's agencies (委外): two agencies with contracts, cases placed with both, one of
them overdue for its yearly review (so it refuses new placements), payments the agencies
reported (matched, differing, missing), an early recall, and a second agency user.

Everything goes through agencies.services, as the pages do. Called once from `arrears demo`
after the first morning's allocation; `demo_agency_lines()` adds the agency users to
`arrears demo_users`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef

from arrears.agencies import services
from arrears.agencies.errors import AgencyError
from arrears.agencies.models import Placement, PlacementBatch
from arrears.agencies.rules import Tier
from arrears.book.models import Payment
from arrears.cases.models import Case, Complaint, DeathReport
from arrears.core.models import Agency, User
from arrears.demo.users import AGENCY_NAME, DEMO_USERS, demo_users_ensure

SECOND_USER = "agency2"  # a demo user (demo/users.py) of the second agency
SECOND_AGENCY = next(u.agency_name for u in DEMO_USERS if u.username == SECOND_USER)
DAY = dt.timedelta(days=1)


def _held(agency: Agency) -> list[int]:
    """Open cases the loan tape put with the agency, not yet in a batch."""
    return list(
        Case.objects.filter(status=Case.Status.OPEN, agency=agency)
        .exclude(pk__in=Placement.objects.filter(status="active").values("case_id"))
        .values_list("pk", flat=True)
    )


def _tiers() -> list[Tier]:
    return [
        Tier(0, 91, "", Decimal("0.12")),
        Tier(91, 181, "", Decimal("0.18")),
        Tier(181, None, "", Decimal("0.25")),
    ]


def _placeable(exclude_agency: bool = True):
    """Open cases of M3 and worse with no dispute and no death report."""
    complaints = Complaint.objects.filter(
        borrower_id=OuterRef("borrower_id"), status__in=Complaint.OPEN_STATUSES
    )
    deaths = DeathReport.objects.filter(borrower_id=OuterRef("borrower_id"))
    qs = Case.objects.filter(status=Case.Status.OPEN, dpd__gt=60).exclude(Exists(complaints))
    qs = qs.exclude(Exists(deaths)).exclude(
        pk__in=Placement.objects.filter(status="active").values("case_id")
    )
    if exclude_agency:
        qs = qs.filter(agency__isnull=True)
    return qs.order_by("-dpd", "pk")


def demo_agencies(*, as_of: dt.date) -> str:
    """Contracts, placements, reported payments and a recall; returns one summary line."""
    # A reset empties the book and the placements on it; the batches left empty go too.
    PlacementBatch.objects.filter(placements__isnull=True).delete()
    users = demo_users_ensure()
    manager, agent1 = users["manager"], users["agency1"]
    first = Agency.objects.get_or_create(name=AGENCY_NAME)[0]
    second = Agency.objects.get_or_create(name=SECOND_AGENCY)[0]
    agent2 = users[SECOND_USER]
    services.contract_save(
        agency=first,
        number="WW-2026-001",
        valid_from=as_of - 200 * DAY,
        valid_to=as_of + 165 * DAY,
        approved=True,
        last_review_on=as_of - 60 * DAY,
        tier_key="dpd",
        basis="all",
        tiers=_tiers(),
        actor=manager,
        source="demo",
        contract=first.contracts.filter(number="WW-2026-001").first(),
    )
    # Reviewed 13 months ago: overdue since last month, so no placement may start now.
    services.contract_save(
        agency=second,
        number="WW-2025-007",
        valid_from=as_of - 400 * DAY,
        valid_to=as_of + 300 * DAY,
        approved=True,
        last_review_on=as_of - 395 * DAY,
        tier_key="dpd",
        basis="credited",
        tiers=_tiers(),
        actor=manager,
        source="demo",
        contract=second.contracts.filter(number="WW-2025-007").first(),
    )
    first.refresh_from_db()
    second.refresh_from_db()
    batches = 0
    # The cases the book placed with the first agency (loan tape) become its first batch,
    # so their placement has a contract, a rate and a history.
    held = _held(first)
    new = list(_placeable().values_list("pk", flat=True)[:20])
    if held or new:
        services.batch_place(
            agency=first,
            number=f"WW-{as_of:%Y%m}-01",
            starts_on=as_of - 40 * DAY,
            ends_on=as_of + 50 * DAY,
            case_ids=held + new[:10],
            actor=manager,
            source="demo",
        )
        batches += 1
    # The second agency received its batch (the loan tape's and more) before its review
    # lapsed.
    later = _held(second) + list(_placeable().values_list("pk", flat=True)[:8])
    if later:
        services.batch_place(
            agency=second,
            number=f"CX-{as_of:%Y%m}-01",
            starts_on=as_of - 45 * DAY,
            ends_on=as_of + 45 * DAY,
            case_ids=later,
            actor=manager,
            source="demo",
        )
        batches += 1
    refused = ""
    spare = list(_placeable().values_list("pk", flat=True)[:2])
    if spare:
        try:
            services.batch_place(
                agency=second,
                number=f"CX-{as_of:%Y%m}-02",
                starts_on=as_of,
                ends_on=as_of + 60 * DAY,
                case_ids=spare,
                actor=manager,
                source="demo",
            )
        except AgencyError as exc:
            refused = exc.message
    reported = _report_payments(first, agent1, manager, as_of, 6) + _report_payments(
        second, agent2, manager, as_of, 4
    )
    recalled = 0
    early = list(Placement.objects.filter(agency=first, status="active").order_by("-pk")[:2])
    if early:
        recalled = services.placements_recall(
            placements=early, actor=manager, source="demo", on=as_of
        )
    active = Placement.objects.filter(status="active").count()
    line = (
        f"agencies: {batches} batches, {active} cases with 2 agencies, {reported} payments "
        f"reported, {recalled} recalled early"
    )
    if refused:
        line += f"; {SECOND_AGENCY} refuses new placements (overdue for review)"
    return line


def _report_payments(agency: Agency, agent: User, manager: User, as_of: dt.date, n: int) -> int:
    """Debtors of `n` placed loans paid the lender during the placement; the agency reports
    them all but the last (one 10 yuan off), plus one cash payment the ledger never saw, so
    reconciliation has a match, a difference and a missing payment to show."""
    from arrears.book.services import payment_post

    placements = list(
        Placement.objects.filter(agency=agency, status="active").select_related("loan")[:n]
    )
    reported = 0
    for i, p in enumerate(placements):
        day = max(p.placed_on, as_of - (i + 2) * DAY)
        pay, _created = payment_post(
            loan=p.loan,
            external_id=f"DEMO-WW-{agency.pk}-{p.pk}",
            paid_on=day,
            amount_fen=200_00 + 37_45 * i,
            channel=Payment.Channel.AGENCY,
            actor=manager,
            source="demo",
        )
        if i == len(placements) - 1:
            break  # paid straight to the lender: not the agency's to claim
        try:
            services.agency_payment_report(
                agency=agency,
                payment_id=f"R{agency.pk}-{p.pk}",
                loan=p.loan,
                paid_on=day,
                amount_fen=pay.amount_fen + (10_00 if i == 1 else 0),
                reference=pay.external_id,
                actor=agent,
                source="demo",
            )
            reported += 1
        except AgencyError:
            continue
    if placements:
        try:
            services.agency_payment_report(
                agency=agency,
                payment_id=f"R{agency.pk}-CASH",
                loan=placements[0].loan,
                paid_on=as_of - DAY,
                amount_fen=500_00,
                actor=agent,
                source="demo",
            )
            reported += 1
        except AgencyError:
            pass
    return reported


def demo_agency_lines() -> list[str]:
    """The line `arrears demo_users` prints about agencies: who sees what, where to look."""
    if not Placement.objects.exists():
        return []
    return [
        "Agencies (委外): agency1 and agency2 see only the cases placed with their agency; "
        f"{SECOND_AGENCY} is overdue for its review and refuses new placements. "
        "As manager: /agencies/, /agencies/reconciliation/, /agencies/performance/."
    ]
