"""The case page and the case list: every section, scope, the forms, the way in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from arrears.book.models import Contact, Guarantor
from arrears.book.selectors import loan_position
from arrears.cases import services
from arrears.cases.models import Case, Complaint, DeathReport, DebtorType, Whereabouts
from arrears.cases.panels import _PANELS, CasePanel, register_case_panel
from arrears.cases.tests.conftest import bullet, client_for, open_case
from arrears.core.money import format_yuan
from arrears.eod.services import eod_run

pytestmark = pytest.mark.django_db
D = dt.date
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def english(user):
    client = client_for(user)
    client.cookies.load({"django_language": "en"})
    return client


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def full_case(people, settings, tmp_path):
    """carl's case after the end-of-day of 2026-07-11, with something in every section."""
    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    carl = people["carl"]
    from arrears.testing import make_borrower

    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    loan = bullet("L-CARL", wang, team=carl.team, collector=carl, field_agent=people["fay"])
    Contact.objects.create(
        borrower=wang,
        name="王秀兰",
        relation="spouse",
        phone="13912345678",
        consent_to_contact=True,
    )
    Guarantor.objects.create(loan=loan, name="赵担保", phone="13600002222")
    eod_run(as_of=D(2026, 7, 11))
    case = Case.objects.get(loan=loan)
    services.case_set_debtor_type(
        case=case, debtor_type=DebtorType.objects.get(code="sophisticated"), actor=carl
    )
    services.complaint_open(
        case=case, category="approval_amount", description="审贷会把额度砍了一半", actor=carl
    )
    services.whereabouts_record(case=case, status="moved_away", detail="在深圳打工", actor=carl)
    services.death_report_open(
        case=case, reported_on=D(2026, 8, 1), report_source="neighbour", actor=carl
    )
    return case


def test_the_case_page_shows_every_section(people, full_case):
    case = full_case
    response = english(people["carl"]).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    position = loan_position(case.loan)
    # The sticky header: name, DPD, total due, quick actions.
    head = text[text.index("王小二") : text.index("Borrower and contacts")]
    assert f"DPD {position.dpd}" in head
    assert f"Total due {format_yuan(position.total_due)}" in head
    assert 'class="case-head"' in html and 'href="#profile"' in html
    assert 'href="#panel-plans"' in html  # the plans app registered its panel
    # Borrower and contacts, numbers masked (revealing one is a separate, audited action).
    assert "138****5678" in html and "139****5678" in html
    assert "13812345678" not in html and "13912345678" not in html
    assert "王秀兰" in text and "赵担保" in text
    assert case.borrower.id_number not in html
    # Balances and DPD, the limitation deadline (three years from the due date 2026-07-10).
    assert "Overdue principal 10,000.00" in text
    assert "Overdue interest 600.00" in text
    assert "Limitation deadline 2029-07-10" in text
    # Schedule, payments, bucket history.
    assert "2026-07-10 Overdue 10,000.00 600.00" in text
    assert "No payments yet." in text
    assert "2026-07-11 M1" in text
    # Profile and playbook.
    assert "Debtor type: Sophisticated" in text
    assert "Persevere and stay friendly." in text
    assert "handle the complaint first" not in text  # the death report comes first
    assert "verify the reported death first" in text
    # Holds, complaint, death report with its checklist, whereabouts.
    assert "Dispute: collection contact paused except about the complaint" in text
    assert "Reported death being verified: collection contact held" in text
    assert "审贷会把额度砍了一半" in text
    assert "Verification checklist" in text
    assert "在深圳打工" in text and 'data-status="unreachable"' in html
    # Every registered panel is included, wrapped in its anchor.
    for key in ("plans", "documents", "notices"):
        if key in _PANELS:
            assert f'id="panel-{key}"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def test_a_panel_registered_by_another_app_shows_with_its_context(people, case, monkeypatch):
    seen = []

    def context(request, c):
        seen.append((request.user, c))
        return {"greeting": "来自测试面板"}

    monkeypatch.setitem(
        _PANELS, "test_panel", CasePanel("test_panel", "cases/tests/_panel.html", context, 1)
    )
    monkeypatch.setitem(
        _PANELS, "hidden", CasePanel("hidden", "cases/tests/_panel.html", lambda r, c: None, 2)
    )
    response = client_for(people["carl"]).get(f"/cases/{case.pk}/")
    html = response.content.decode()
    assert 'id="panel-test_panel"' in html and "来自测试面板" in html
    assert 'id="panel-hidden"' not in html
    assert seen == [(people["carl"], case)]
    assert register_case_panel  # the registry the other apps use


def test_a_case_out_of_scope_is_a_404_everywhere(people, cases):
    theirs = cases["cora"]
    carl = client_for(people["carl"])
    assert carl.get(f"/cases/{theirs.pk}/").status_code == 404
    assert carl.get("/cases/999999/").status_code == 404
    for path in ("debtor-type", "complaints", "death-reports", "whereabouts", "escalate", "estate"):
        assert carl.post(f"/cases/{theirs.pk}/{path}/", {}).status_code == 404
    complaint = services.complaint_open(
        case=theirs, category="sales", description="x", actor=people["cora"]
    )
    tom_client = client_for(people["tina"])  # team B lead: team A's complaints are not hers
    assert (
        tom_client.post(
            f"/cases/complaints/{complaint.pk}/resolve/", {f"c{complaint.pk}-status": "resolved"}
        ).status_code
        == 404
    )
    assert Case.objects.get(pk=theirs.pk).debtor_type is None


def test_the_auditor_reads_the_page_without_forms_and_may_not_post(people, case):
    aud = client_for(people["aud"])
    response = aud.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="/cases/{case.pk}/complaints/"' not in html
    assert "138****5678" in html  # masked for the auditor
    assert aud.post(f"/cases/{case.pk}/complaints/", {}).status_code == 403


def test_recording_a_complaint_from_the_page(people, case):
    carl = english(people["carl"])
    bad = carl.post(f"/cases/{case.pk}/complaints/", {"category": "sales", "description": ""})
    assert bad.status_code == 400
    assert 'id="description-error"' in bad.content.decode()
    ok = carl.post(
        f"/cases/{case.pk}/complaints/",
        {"category": "sales", "description": "销售承诺免息", "opened_on": "2026年8月3日"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#complaints")
    complaint = Complaint.objects.get()
    assert (complaint.category, complaint.opened_on, complaint.created_by) == (
        "sales",
        D(2026, 8, 3),
        people["carl"],
    )
    page = text_of(carl.get(f"/cases/{case.pk}/"))
    assert "Dispute hold" in page
    # tom resolves it; the hold lifts.
    tom = client_for(people["tom"])
    p = f"c{complaint.pk}-"
    response = tom.post(
        f"/cases/complaints/{complaint.pk}/resolve/",
        {p + "status": "resolved", p + "resolution": "已解释合同条款"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert "Dispute hold" not in text_of(carl.get(f"/cases/{case.pk}/"))


def test_the_death_report_flow_from_the_page(people, case, settings, tmp_path):
    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    carl = client_for(people["carl"])
    response = carl.post(
        f"/cases/{case.pk}/death-reports/",
        {"reported_on": "2026-08-01", "report_source": "relative", "source_detail": "其子"},
    )
    assert response.status_code == 302
    report = DeathReport.objects.get()
    response = carl.post(
        f"/cases/death-reports/{report.pk}/checklist/",
        {
            "relatives": "on",
            "relatives_note": "儿子和村委会证实",
            "evidence_category": "death_certificate",
            "evidence": SimpleUploadedFile("死亡证明.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.check_relatives, report.check_relatives_note) == (True, "儿子和村委会证实")
    assert [d.filename for d in report.evidence.all()] == ["死亡证明.pdf"]
    # A collector does not decide; a team lead does.
    assert carl.post(f"/cases/death-reports/{report.pk}/decide/", {}).status_code == 403
    tom = client_for(people["tom"])
    response = tom.post(
        f"/cases/death-reports/{report.pk}/decide/",
        {"outcome": "confirmed", "decided_on": "2026-08-10"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.estate_handling, case.estate_handling_on) == (True, D(2026, 8, 10))
    response = carl.post(
        f"/cases/{case.pk}/estate/",
        {
            "party_repays": "yes",
            "party_name": "王大",
            "party_relation": "儿子",
            "agreed_amount": "5,000.00",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.estate_party_name, case.estate_agreed_fen) == ("王大", 500_000)
    html = english(people["carl"]).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-status="deceased"' in html and "5,000.00" in html


def test_a_refused_evidence_upload_saves_nothing(people, case, settings, tmp_path):
    settings.ARREARS_DOCUMENT_ROOT = tmp_path
    report = services.death_report_open(
        case=case, reported_on=None, report_source="relative", actor=people["carl"]
    )
    response = client_for(people["carl"]).post(
        f"/cases/death-reports/{report.pk}/checklist/",
        {
            "phone": "on",
            "evidence_category": "death_certificate",
            "evidence": SimpleUploadedFile(
                "x.exe", b"MZ\x90\x00" * 10, content_type="application/x"
            ),
        },
    )
    assert response.status_code == 400
    assert 'id="evidence-error"' in response.content.decode()
    report.refresh_from_db()
    assert report.check_phone is False


def test_whereabouts_and_willful_from_the_page(people, case):
    carl = client_for(people["carl"])
    bad = carl.post(f"/cases/{case.pk}/whereabouts/", {"status": "moved_away", "detail": ""})
    assert bad.status_code == 400 and 'id="detail-error"' in bad.content.decode()
    assert (
        carl.post(
            f"/cases/{case.pk}/whereabouts/", {"status": "moved_away", "detail": "在广州打工"}
        ).status_code
        == 302
    )
    assert Whereabouts.objects.get().detail == "在广州打工"
    assert carl.post(f"/cases/{case.pk}/escalate/", {"reason": "willful"}).status_code == 302
    case.refresh_from_db()
    assert case.escalation == "willful"
    # Moving to the legal track is not a collector's step.
    assert carl.post(f"/cases/{case.pk}/escalate/", {"reason": "legal_track"}).status_code == 403


def test_the_list_is_scoped_filtered_searched_and_paged(people, cases):
    carl_case, cora_case, tina_case = cases["carl"], cases["cora"], cases["tina"]
    services.case_set_debtor_type(
        case=cora_case, debtor_type=DebtorType.objects.get(code="victim"), actor=people["cora"]
    )
    services.case_escalate(case=carl_case, reason="willful", on=D(2026, 9, 1), actor=people["carl"])

    def ids(client, **params):
        response = client.get("/cases/", params)
        assert response.status_code == 200
        return [int(x) for x in re.findall(r'href="/cases/(\d+)/"', response.content.decode())]

    carl, tom, mia = (client_for(people[n]) for n in ("carl", "tom", "mia"))
    assert set(ids(carl)) == {carl_case.pk}
    assert set(ids(tom)) == {carl_case.pk, cora_case.pk}
    assert set(ids(mia)) == {carl_case.pk, cora_case.pk, tina_case.pk}
    assert set(ids(mia, debtor_type="victim")) == {cora_case.pk}
    assert set(ids(mia, debtor_type="none")) == {carl_case.pk, tina_case.pk}
    assert set(ids(mia, escalation="willful")) == {carl_case.pk}
    assert set(ids(mia, escalation="none")) == {cora_case.pk, tina_case.pk}
    assert set(ids(mia, collector=people["cora"].pk)) == {cora_case.pk}
    assert set(ids(mia, q="王小二")) == {carl_case.pk}
    assert set(ids(mia, q="L-CORA")) == {cora_case.pk}
    assert set(ids(mia, q="B-ZHAO")) == {tina_case.pk}
    assert set(ids(tom, q="B-ZHAO")) == set()  # outside team A, however it is searched
    assert set(ids(mia, status="closed")) == set()
    assert set(ids(mia, bucket="M1")) == {carl_case.pk, cora_case.pk, tina_case.pk}


def test_the_list_pages_fifty_at_a_time(people):
    from arrears.testing import make_borrower

    for n in range(51):
        open_case(bullet(f"L-P{n:03d}", make_borrower()))
    response = client_for(people["mia"]).get("/cases/")
    assert len(set(re.findall(r'href="/cases/(\d+)/"', response.content.decode()))) == 50
    second = client_for(people["mia"]).get("/cases/", {"page": 2})
    assert len(set(re.findall(r'href="/cases/(\d+)/"', second.content.decode()))) == 1


def test_nav_and_the_loan_page_lead_to_the_cases(people, case):
    carl = client_for(people["carl"])
    home = carl.get("/").content.decode()
    assert 'href="/cases/"' in home
    assert "/cases/debtor-types/" not in home
    assert "/cases/debtor-types/" in client_for(people["mia"]).get("/").content.decode()
    loan_page = carl.get("/loans/L-CARL/").content.decode()
    assert f'href="/cases/{case.pk}/"' in loan_page


def test_the_page_speaks_chinese_by_default(people, case):
    text = text_of(client_for(people["carl"]).get(f"/cases/{case.pk}/"))
    for phrase in (
        "借款人及联系人",
        "债务人类型与应对策略",
        "特殊情况",
        "投诉与争议",
        "报称死亡",
        "下落",
    ):
        assert phrase in text, phrase


def test_the_list_shows_open_cases_first_worst_first(people, cases):
    Case.objects.filter(pk=cases["cora"].pk).update(dpd=80)
    Case.objects.filter(pk=cases["tina"].pk).update(
        status="closed", closed_on=D(2026, 9, 1), close_reason="cured", dpd=0
    )
    html = client_for(people["mia"]).get("/cases/").content.decode()
    order = list(dict.fromkeys(int(x) for x in re.findall(r'href="/cases/(\d+)/"', html)))
    assert order == [cases["cora"].pk, cases["carl"].pk, cases["tina"].pk]
