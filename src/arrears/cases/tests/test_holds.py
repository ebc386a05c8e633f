"""Complaints, reported deaths and whereabouts as holds and debtor statuses (cases.holds)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from arrears.cases import services
from arrears.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from arrears.cases.holds import case_holds, debtor_statuses
from arrears.cases.models import Case, Complaint, DeathReport
from arrears.cases.tests.conftest import bullet, open_case
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = dt.date


def events(event):
    return list(AuditEntry.objects.filter(event=event).values_list("object_id", "actor_name"))


# --- complaints ---------------------------------------------------------------------------


def test_an_open_complaint_holds_the_case_until_it_is_resolved(people, case):
    assert case_holds(case) == frozenset()
    complaint = services.complaint_open(
        case=case,
        category="collector_conduct",
        description="催收员态度恶劣",
        actor=people["carl"],
        opened_on=D(2026, 8, 3),
    )
    assert (complaint.status, complaint.opened_on, complaint.borrower) == (
        "open",
        D(2026, 8, 3),
        case.borrower,
    )
    assert case_holds(case) == {"dispute"}
    services.complaint_assign(complaint=complaint, owner=people["tom"], actor=people["tom"])
    complaint.refresh_from_db()
    assert (complaint.status, complaint.owner) == ("investigating", people["tom"])
    assert case_holds(case) == {"dispute"}  # still open while investigated
    services.complaint_resolve(
        complaint=complaint,
        status="resolved",
        resolution="已核实录音，向客户致歉，更换催收员",
        actor=people["tom"],
        resolved_on=D(2026, 8, 10),
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolved_by) == (
        "resolved",
        D(2026, 8, 10),
        people["tom"],
    )
    assert case_holds(case) == frozenset()
    assert events("complaint.open") == [(str(complaint.pk), "carl")]
    assert events("complaint.assign") == [(str(complaint.pk), "tom")]
    assert events("complaint.resolve") == [(str(complaint.pk), "tom")]


def test_a_complaint_holds_the_borrowers_other_cases_too(people, case):
    second = open_case(bullet("L-WANG2", case.borrower, collector=people["cora"]))
    services.complaint_open(case=case, category="company", description="x", actor=people["carl"])
    assert case_holds(second) == {"dispute"}


def test_the_compliance_pack_pauses_collection_except_about_the_complaint(people, case):
    """The hold reaches the rule pack: a collection call is refused, a complaint call is not."""
    from arrears.compliance.rules import Action, CaseFacts, check_action
    from arrears.compliance.selectors import pack_for_product

    services.complaint_open(case=case, category="sales", description="x", actor=people["carl"])
    pack = pack_for_product(case.loan.product)
    facts = CaseFacts(holds=case_holds(case))
    at = dt.datetime(2026, 8, 3, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai, a weekday
    collect = check_action(Action(channel="call", at=at), facts, pack, planning=True)
    about = check_action(
        Action(channel="call", at=at, purpose="complaint"), facts, pack, planning=True
    )
    assert not collect.allowed
    assert any("dispute" in o.message_en for o in collect.blocking)
    assert not any("dispute" in o.message_en for o in about.blocking)


def test_complaint_input_is_checked_field_by_field(people, case):
    carl = people["carl"]
    with pytest.raises(CaseInvalid) as exc:
        services.complaint_open(case=case, category="weather", description="x", actor=carl)
    assert exc.value.field == "category"
    with pytest.raises(CaseInvalid) as exc:
        services.complaint_open(case=case, category="sales", description="  ", actor=carl)
    assert exc.value.field == "description"
    with pytest.raises(CaseInvalid) as exc:
        services.complaint_open(
            case=case,
            category="sales",
            description="x",
            actor=carl,
            opened_on=local_today() + dt.timedelta(days=1),
        )
    assert (exc.value.field, exc.value.code) == ("opened_on", "future_date")
    with pytest.raises(CaseInvalid) as exc:  # a collector cannot own (and so close) a complaint
        services.complaint_open(
            case=case, category="sales", description="x", actor=carl, owner=people["cora"]
        )
    assert exc.value.field == "owner"
    assert not Complaint.objects.exists()


def test_only_supervisors_resolve_and_a_closed_complaint_stays_closed(people, case):
    complaint = services.complaint_open(
        case=case, category="sales", description="x", actor=people["carl"]
    )
    with pytest.raises(CaseForbidden):
        services.complaint_resolve(
            complaint=complaint, status="resolved", resolution="ok", actor=people["carl"]
        )
    with pytest.raises(CaseInvalid) as exc:
        services.complaint_resolve(
            complaint=complaint, status="resolved", resolution="", actor=people["tom"]
        )
    assert exc.value.field == "resolution"
    services.complaint_resolve(
        complaint=complaint, status="rejected", resolution="销售过程合规", actor=people["tom"]
    )
    with pytest.raises(CaseConflict):
        services.complaint_resolve(
            complaint=complaint, status="resolved", resolution="again", actor=people["mia"]
        )


# --- reported death -----------------------------------------------------------------------


def report(people, case, **kw):
    return services.death_report_open(
        case=case,
        reported_on=kw.pop("reported_on", D(2026, 8, 5)),
        report_source=kw.pop("report_source", "relative"),
        source_detail="其妻 王秀兰",
        actor=people["carl"],
        **kw,
    )


def test_a_death_report_holds_contact_while_unverified(people, case):
    r = report(people, case)
    assert case_holds(case) == {"death_verification"}
    assert debtor_statuses(case) == frozenset()
    assert r.outcome == "unverified"
    with pytest.raises(CaseConflict):  # one report being verified at a time
        report(people, case)


def test_a_confirmed_death_makes_the_debtor_deceased_and_moves_to_estate_handling(people, case):
    second = open_case(bullet("L-WANG2", case.borrower, collector=people["cora"]))
    r = report(people, case)
    services.death_report_check(
        report=r,
        checks={"relatives": (True, "邻居和村委会证实"), "institution": (True, "派出所已销户")},
        actor=people["carl"],
    )
    services.death_report_decide(
        report=r, outcome="confirmed", decided_on=D(2026, 8, 12), actor=people["tom"]
    )
    r.refresh_from_db()
    assert (r.outcome, r.decided_on, r.decided_by) == ("confirmed", D(2026, 8, 12), people["tom"])
    assert case_holds(case) == frozenset()
    assert debtor_statuses(case) == {"deceased"}
    for c in (case, second):
        c.refresh_from_db()
        assert (c.estate_handling, c.estate_handling_on) == (True, D(2026, 8, 12))
    assert sorted(o for o, _a in events("case.estate")) == sorted([str(case.pk), str(second.pk)])
    # 代位清偿: the widow agrees to repay 5,000.00 in his place.
    services.case_estate_update(
        case=case,
        party_repays=True,
        party_name="王秀兰",
        party_relation="配偶",
        agreed_fen=500_000,
        actor=people["carl"],
    )
    case.refresh_from_db()
    assert (case.estate_party_repays, case.estate_party_name, case.estate_agreed_fen) == (
        True,
        "王秀兰",
        500_000,
    )


def test_a_false_report_lifts_the_hold(people, case):
    r = report(people, case)
    with pytest.raises(CaseInvalid) as exc:  # say why it is false
        services.death_report_decide(report=r, outcome="false", actor=people["tom"])
    assert exc.value.field == "note"
    services.death_report_decide(
        report=r, outcome="false", note="本人接听电话，确认健在", actor=people["tom"]
    )
    assert case_holds(case) == frozenset()
    assert debtor_statuses(case) == frozenset()
    case.refresh_from_db()
    assert case.estate_handling is False
    with pytest.raises(CaseConflict):
        services.death_report_decide(report=r, outcome="confirmed", actor=people["tom"])


def test_a_death_is_not_confirmed_without_verification(people, case):
    r = report(people, case)
    with pytest.raises(CaseInvalid) as exc:
        services.death_report_decide(report=r, outcome="confirmed", actor=people["tom"])
    assert (exc.value.field, exc.value.code) == ("outcome", "unverified")
    with pytest.raises(CaseForbidden):  # a collector checks; a supervisor or legal decides
        services.death_report_decide(report=r, outcome="false", note="x", actor=people["carl"])
    with pytest.raises(CaseInvalid) as exc:  # not before the report
        services.death_report_decide(
            report=r, outcome="false", note="x", decided_on=D(2026, 8, 1), actor=people["lee"]
        )
    assert exc.value.field == "decided_on"
    assert DeathReport.objects.get().outcome == "unverified"


def test_evidence_is_a_document_filed_on_the_borrower(people, case, cases, settings, tmp_path):
    from arrears.documents.services import document_file

    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    r = report(people, case)

    def file(on_case):
        return document_file(
            fileobj=io.BytesIO(pdf),
            filename="死亡证明.pdf",
            declared_type="application/pdf",
            category_code="death_certificate",
            actor=people["mia"],
            case=on_case,
        )

    with pytest.raises(CaseInvalid) as exc:
        services.death_report_add_evidence(
            report=r, documents=[file(cases["cora"])], actor=people["carl"]
        )
    assert exc.value.field == "documents"
    certificate = file(case)
    services.death_report_add_evidence(report=r, documents=[certificate], actor=people["carl"])
    services.death_report_add_evidence(report=r, documents=[certificate], actor=people["carl"])
    assert list(r.evidence.all()) == [certificate]
    assert len(events("death_report.evidence")) == 1
    # Evidence alone is enough to confirm.
    services.death_report_decide(report=r, outcome="confirmed", actor=people["lee"])
    assert debtor_statuses(case) == {"deceased"}


def test_estate_handling_needs_a_confirmed_death_and_names_the_payer(people, case):
    with pytest.raises(CaseConflict):
        services.case_estate_update(case=case, party_repays=None, actor=people["carl"])
    Case.objects.filter(pk=case.pk).update(estate_handling=True, estate_handling_on=D(2026, 8, 1))
    with pytest.raises(CaseInvalid) as exc:
        services.case_estate_update(case=case, party_repays=True, actor=people["carl"])
    assert exc.value.field == "party_name"
    with pytest.raises(CaseInvalid) as exc:
        services.case_estate_update(
            case=case,
            party_repays=True,
            party_name="王大",
            party_relation="儿子",
            agreed_fen=0,
            actor=people["carl"],
        )
    assert exc.value.field == "agreed_amount"


# --- whereabouts --------------------------------------------------------------------------


def test_moved_away_or_unreachable_until_located(people, case):
    carl = people["carl"]
    with pytest.raises(CaseInvalid) as exc:  # where to?
        services.whereabouts_record(case=case, status="moved_away", actor=carl)
    assert exc.value.field == "detail"
    services.whereabouts_record(
        case=case, status="moved_away", detail="在广州打工", recorded_on=D(2026, 8, 1), actor=carl
    )
    assert debtor_statuses(case) == {"unreachable"}
    services.whereabouts_record(
        case=case,
        status="located",
        detail="已回村，电话 139…",
        recorded_on=D(2026, 9, 1),
        actor=carl,
    )
    assert debtor_statuses(case) == frozenset()
    # An older record entered later does not override the newer one.
    services.whereabouts_record(
        case=case, status="unreachable", recorded_on=D(2026, 7, 20), actor=carl
    )
    assert debtor_statuses(case) == frozenset()
    services.whereabouts_record(
        case=case, status="unreachable", recorded_on=D(2026, 9, 15), actor=carl
    )
    assert debtor_statuses(case) == {"unreachable"}
    assert len(events("whereabouts.record")) == 4


def test_the_holds_are_registered_under_the_compliance_names():
    from arrears.cases.holds import _HOLDS, _STATUSES
    from arrears.compliance.rules import DEBTOR_STATUSES, HOLDS

    assert {"dispute", "death_verification"} <= set(_HOLDS) <= set(HOLDS)
    assert {"deceased", "unreachable"} <= set(_STATUSES) <= set(DEBTOR_STATUSES)
