"""Placing, recalling, the scope of agency users, reconciliation and the commission statement
(docs/agencies.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from arrears.agencies import selectors, services
from arrears.agencies.errors import AgencyConflict, AgencyInvalid
from arrears.agencies.models import AgencyPayment, Placement
from arrears.agencies.rules import Tier
from arrears.agencies.tests.conftest import dpd_tiers
from arrears.book.services import payment_post
from arrears.cases.models import Case, Complaint
from arrears.core.models import Agency, AuditEntry
from arrears.core.scoping import cases_for, loans_for
from arrears.eod.phases import EodPhaseContext
from arrears.testing import make_user

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_placing_puts_the_cases_with_the_agency_and_keeps_history(people, placed, cases):
    ada = people["ada"]
    assert set(cases_for(ada).values_list("pk", flat=True)) == {cases["m1"].pk, cases["m4"].pk}
    assert set(loans_for(ada).values_list("external_id", flat=True)) == {"L-M1", "L-M4"}
    rates = dict(Placement.objects.values_list("case__loan__external_id", "rate"))
    assert rates == {"L-M1": Decimal("0.15"), "L-M4": Decimal("0.2")}
    assert AuditEntry.objects.filter(event="placement.create").count() == 2
    assert selectors.case_placements(people["mia"], cases["m1"])[0].batch.number == "B-2026-01"


def test_a_case_sits_with_one_agency_at_a_time(people, placed, cases, agency, today):
    with pytest.raises(AgencyConflict) as exc:
        services.batch_place(
            agency=agency,
            number="B-2",
            starts_on=today,
            ends_on=today + 30 * DAY,
            case_ids=[cases["m1"].pk],
            actor=people["mia"],
        )
    assert f"{cases['m1'].pk} (Agency One)" in exc.value.message
    # ... and the database says so too.
    p = Placement.objects.get(case=cases["m1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            batch=p.batch,
            case=p.case,
            loan=p.loan,
            agency=p.agency,
            placed_on=today,
            ends_on=today,
            dpd=1,
            bucket="M1",
            product_code="",
            owed_fen=0,
            rate=0,
        )


def test_an_agency_overdue_for_review_refuses_new_placements(people, cases, today):
    late = Agency.objects.create(name="Late Agency")
    services.contract_save(
        agency=late,
        number="C-LATE",
        valid_from=today - 500 * DAY,
        valid_to=today + 100 * DAY,
        approved=True,
        last_review_on=today - 400 * DAY,
        tier_key="dpd",
        basis="all",
        tiers=dpd_tiers(),
        actor=people["mia"],
    )
    late.refresh_from_db()
    assert late.review_due_on == (today - 400 * DAY).replace(year=(today - 400 * DAY).year + 1)
    with pytest.raises(AgencyConflict) as exc:
        services.batch_place(
            agency=late,
            number="B-LATE",
            starts_on=today,
            ends_on=today + 30 * DAY,
            case_ids=[cases["tina"].pk],
            actor=people["mia"],
        )
    assert exc.value.message == (
        f"Late Agency is overdue for its yearly review (due {late.review_due_on}): "
        "no placements until it is reviewed."
    )
    assert not Placement.objects.exists()
    # Reviewed today: placements are allowed again.
    services.agency_review_record(agency=late, reviewed_on=today, actor=people["mia"])
    batch = services.batch_place(
        agency=late,
        number="B-LATE",
        starts_on=today,
        ends_on=today + 30 * DAY,
        case_ids=[cases["tina"].pk],
        actor=people["mia"],
    )
    assert batch.placements.count() == 1


def test_an_unapproved_contract_refuses_placements(people, cases, today):
    new = Agency.objects.create(name="New Agency")
    services.contract_save(
        agency=new,
        number="C-NEW",
        valid_from=today,
        valid_to=today + 100 * DAY,
        approved=False,
        last_review_on=today,
        tier_key="dpd",
        basis="all",
        tiers=dpd_tiers(),
        actor=people["mia"],
    )
    with pytest.raises(AgencyConflict, match="no approved contract valid on"):
        services.batch_place(
            agency=new,
            number="B-N",
            starts_on=today,
            ends_on=today,
            case_ids=[cases["tina"].pk],
            actor=people["mia"],
        )


def test_a_contract_with_a_gap_is_refused_on_save_naming_the_tiers(people, agency, today):
    with pytest.raises(AgencyInvalid) as exc:
        services.contract_save(
            agency=agency,
            number="C-GAP",
            valid_from=today,
            valid_to=today,
            approved=True,
            last_review_on=today,
            tier_key="dpd",
            basis="all",
            tiers=[Tier(0, 30, "", Decimal("0.1")), Tier(60, None, "", Decimal("0.2"))],
            actor=people["mia"],
        )
    assert exc.value.field == "tiers"
    assert exc.value.message == "gap between tiers [0, 30) and [60, ∞) (30 to 60)"


def test_agency_users_see_only_their_placed_cases_and_nothing_after_recall(
    people, placed, cases, today
):
    other = Agency.objects.create(name="Agency Two")
    otto = make_user("otto", "agency", agency=other)
    assert not cases_for(otto).exists()
    assert not cases_for(people["ada"]).filter(pk=cases["tina"].pk).exists()
    n = services.placements_recall(batch=placed, actor=people["mia"])
    assert n == 2
    assert not cases_for(people["ada"]).exists()
    assert not loans_for(people["ada"]).exists()
    assert not selectors.placements_for(people["ada"]).exists()
    # The case is back with the lender; its history stays.
    assert Case.objects.get(pk=cases["m1"].pk).agency_id is None
    history = selectors.case_placements(people["mia"], cases["m1"])
    assert [(p.status, p.recall_reason, p.recalled_on) for p in history] == [
        ("recalled", "request", today)
    ]
    placed.refresh_from_db()
    assert placed.status == "closed"


def test_end_of_day_recalls_paid_disputed_and_ended_placements(people, placed, cases, today):
    Case.objects.filter(pk=cases["m1"].pk).update(status="closed", closed_on=today)
    Complaint.objects.create(
        case=cases["m4"],
        borrower=cases["m4"].borrower,
        category="other",
        description="not my loan",
        opened_on=today,
    )
    out = services.agency_recall_phase(EodPhaseContext(as_of=today, is_latest=True))
    assert (out["paid"], out["disputed"], out["recalled"]) == (1, 1, 2)
    reasons = dict(Placement.objects.values_list("case__loan__external_id", "recall_reason"))
    assert reasons == {"L-M1": "paid", "L-M4": "disputed"}
    # Run again: nothing more to do.
    again = services.agency_recall_phase(EodPhaseContext(as_of=today, is_latest=True))
    assert again["recalled"] == 0


def test_the_end_date_recalls(people, agency, cases, today):
    services.batch_place(
        agency=agency,
        number="B-SHORT",
        starts_on=today - 10 * DAY,
        ends_on=today - DAY,
        case_ids=[cases["tina"].pk],
        actor=people["mia"],
    )
    out = services.agency_recall_phase(EodPhaseContext(as_of=today, is_latest=True))
    assert out["end"] == 1
    assert Placement.objects.get().recalled_on == today


def _pay(loan, ext, day, fen):
    return payment_post(loan=loan, external_id=ext, paid_on=day, amount_fen=fen)[0]


def test_reconciliation_confirms_a_match_and_lists_a_mismatch(people, placed, cases, agency, today):
    m1, m4 = cases["m1"].loan, cases["m4"].loan
    ledger_a = _pay(m1, "P-A", today - 5 * DAY, 1_000_00)
    ledger_b = _pay(m4, "P-B", today - 4 * DAY, 500_00)
    ada = people["ada"]
    exact, _ = services.agency_payment_report(
        agency=agency,
        payment_id="AG-1",
        loan=m1,
        paid_on=today - 5 * DAY,
        amount_fen=1_000_00,
        actor=ada,
    )
    differs, _ = services.agency_payment_report(
        agency=agency,
        payment_id="AG-2",
        loan=m4,
        paid_on=today - 4 * DAY,
        amount_fen=600_00,
        reference="P-B",
        actor=ada,
    )
    missing, _ = services.agency_payment_report(
        agency=agency,
        payment_id="AG-3",
        loan=m4,
        paid_on=today - 3 * DAY,
        amount_fen=200_00,
        actor=ada,
    )
    assert (exact.match, exact.status, exact.ledger_payment) == ("exact", "confirmed", ledger_a)
    assert (differs.match, differs.status, differs.ledger_payment) == (
        "differs",
        "pending",
        ledger_b,
    )
    assert (missing.match, missing.status, missing.ledger_payment) == ("none", "pending", None)
    assert [r.payment_id for r in selectors.to_check(people["mia"]).order_by("payment_id")] == [
        "AG-2",
        "AG-3",
    ]
    # The manager confirms the differing one (credited at the lender's 500.00) and rejects
    # the one that never arrived; both audited.
    services.agency_payment_decide(report=differs, decision="confirm", actor=people["mia"])
    with pytest.raises(AgencyInvalid, match="Name the ledger payment"):
        services.agency_payment_decide(report=missing, decision="confirm", actor=people["mia"])
    services.agency_payment_decide(
        report=missing, decision="reject", note="not in the bank statement", actor=people["mia"]
    )
    assert not selectors.to_check(people["mia"]).exists()
    assert AuditEntry.objects.filter(event="agency_payment.decide").count() == 2


def test_the_statement_reconciles_with_confirmed_payments_to_the_fen(
    people, placed, cases, agency, today
):
    """Basis `credited`: only money confirmed as the agency's earns commission."""
    contract = placed.contract
    contract.basis = "credited"
    contract.save()
    m1, m4 = cases["m1"].loan, cases["m4"].loan
    day = today - 2 * DAY
    _pay(m1, "P-1", day, 333_33)
    _pay(m4, "P-2", day, 1_234_57)
    _pay(m4, "P-3", day, 99_99)  # the borrower paid the lender directly: not the agency's
    _pay(m1, "P-OLD", today - 30 * DAY, 50_00)  # before the placement
    for pid, loan, fen, ref in (("A1", m1, 333_33, "P-1"), ("A2", m4, 1_234_57, "P-2")):
        services.agency_payment_report(
            agency=agency,
            payment_id=pid,
            loan=loan,
            paid_on=day,
            amount_fen=fen,
            reference=ref,
            actor=people["ada"],
        )
    st = selectors.statement(people["mia"], agency, f"{day:%Y-%m}")
    assert sorted(line.payment_id for line in st.lines) == ["P-1", "P-2"]
    confirmed = AgencyPayment.objects.filter(status="confirmed")
    assert st.money_fen == sum(r.ledger_payment.amount_fen for r in confirmed) == 1_567_90
    # 333.33 × 15% = 49.9995 -> 50.00; 1,234.57 × 20% = 246.914 -> 246.91
    assert st.commission_fen == 50_00 + 246_91


def test_the_daily_limit_counts_lender_and_agency_calls_together(people, placed, cases):
    from zoneinfo import ZoneInfo

    from arrears.activities.errors import ContactRefused
    from arrears.activities.services import activity_log

    zone = ZoneInfo("Asia/Shanghai")
    day = dt.datetime.now(zone).date() - 2 * DAY
    case = cases["m1"]

    def call(actor, hh):
        return activity_log(
            case=case,
            actor=actor,
            channel="call",
            outcome="right_party_contact",
            occurred_at=dt.datetime(day.year, day.month, day.day, hh, tzinfo=zone),
            source="web",
        )

    call(people["mia"], 9)  # the lender
    call(people["ada"], 10)  # the agency
    call(people["ada"], 11)
    with pytest.raises(ContactRefused) as exc:
        call(people["mia"], 15)
    assert exc.value.rule_ids == ["CN.CONNECTED_CALLS"]


def test_a_death_report_recalls_the_case_at_end_of_day(people, placed, cases, today):
    from arrears.cases.models import DeathReport

    DeathReport.objects.create(
        case=cases["m1"], borrower=cases["m1"].borrower, reported_on=today, source="relative"
    )
    out = services.agency_recall_phase(EodPhaseContext(as_of=today, is_latest=True))
    assert (out["deceased"], out["recalled"]) == (1, 1)
    assert Placement.objects.get(case=cases["m1"]).recall_reason == "deceased"
    assert Placement.objects.get(case=cases["m4"]).status == "active"
    # A back-dated run changes nothing of today's working state.
    Case.objects.filter(pk=cases["m4"].pk).update(status="closed", closed_on=today)
    late = services.agency_recall_phase(EodPhaseContext(as_of=today - DAY, is_latest=False))
    assert late == {"recalled": 0}


def test_strategy_hand_overs_become_placement_candidates(people, placed, cases, monkeypatch):
    monkeypatch.setattr(services, "_CANDIDATE_SOURCES", [])
    handed = [cases["m1"].pk, cases["tina"].pk]
    services.placement_candidates_register(lambda user: handed)
    # m1 is with an agency already; tina's case is team B's, which mia (a manager) sees.
    assert services.placement_candidates(people["mia"]) == [cases["tina"].pk]
    assert services.placement_candidates(people["tom"]) == []  # team A's lead


def test_the_agency_records_a_promise_on_its_case(people, placed, cases, today):
    from arrears.promises.services import promise_record

    promise = promise_record(
        case=cases["m1"],
        amount_fen=500_00,
        promised_on=today + 3 * DAY,
        actor=people["ada"],
        source="web",
    )
    assert (promise.created_by, promise.amount_fen) == (people["ada"], 500_00)
    services.placements_recall(batch=placed, actor=people["mia"])
    # The case returns with what the agency recorded.
    assert cases["m1"].promises.get().created_by == people["ada"]


def test_performance_puts_recovery_and_cost_beside_the_teams(people, placed, cases, today):
    _pay(cases["m1"].loan, "P-1", today - DAY, 100_00)
    _pay(cases["m4"].loan, "P-2", today - DAY, 33_33)
    _pay(cases["tina"].loan, "P-3", today - DAY, 50_00)  # team B, in-house
    rows = {r.name: r for r in selectors.agency_performance(people["mia"], today - 30 * DAY, today)}
    one = rows["Agency One"]
    # 100.00 × 15% + 33.33 × 20% = 15.00 + 6.67
    assert (one.cases, one.recovered_fen, one.cost_fen) == (2, 133_33, 21_67)
    assert one.cost_per_yuan == Decimal("0.1625")
    assert (rows["Team B"].recovered_fen, rows["Team B"].cost_fen) == (50_00, None)
    assert "Team A" not in rows  # both its cases are with the agency
    assert selectors.agency_performance(people["carl"], today - 30 * DAY, today) == []
