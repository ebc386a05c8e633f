"""Issuing a notice: the amounts as of a date, the PDF as issued, and what is refused."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from arrears.book.selectors import loan_position
from arrears.cases import holds
from arrears.core.models import AuditEntry
from arrears.documents.services import document_root
from arrears.documents.storage import document_path
from arrears.notices.errors import NoticeInvalid, NoticeRefused
from arrears.notices.models import Notice, NoticeTemplate

D = dt.date
pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    src = tmp_path / "notice.pdf"
    src.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(src), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()


def test_a_notice_snapshots_the_amounts_due_as_of_its_date(issue, late_loan, people):
    notice = issue()
    # Bullet loan of 10,000.00 at 12% for 6 months, due 2026-07-10, unpaid: 600.00 interest,
    # and penalty interest at 18% a year on the 10,000.00 principal for 133 days (360-day year).
    assert (notice.principal_fen, notice.interest_fen, notice.fees_fen) == (1_000_000, 60_000, 0)
    assert notice.penalty_fen == 66_500
    assert notice.total_due_fen == 1_126_500
    position = loan_position(late_loan, D(2026, 11, 20))
    assert notice.total_due_fen == position.total_due
    assert (notice.number, notice.year, notice.sequence) == ("CN-2026-000001", 2026, 1)
    assert (notice.template.code, notice.template_version) == ("cn_default", 1)
    assert (notice.case.loan, notice.borrower.name) == (late_loan, "王小二")
    assert notice.state == "issued" and notice.issued_by == people["carl"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_the_pdf_says_who_owes_what_by_when(issue, tmp_path):
    notice = issue()
    data = document_path(document_root(), notice.document.sha256).read_bytes()
    text = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    assert text.lstrip().startswith("催款通知书")
    assert "编号：CN-2026-000001" in flat
    assert "致：王小二" in flat
    assert "借款编号L-LATE" in flat
    assert "截至2026年11月20日" in flat
    for label, amount in (
        ("逾期本金", "10,000.00"),
        ("逾期利息", "600.00"),
        ("罚息", "665.00"),
        ("费用", "0.00"),
        ("合计", "11,265.00"),
    ):
        assert f"{label}{amount}" in flat, label
    assert "请您于2026年12月31日前将上述款项合计人民币11,265.00元归还" in flat
    assert "示例小额贷款有限公司·CN-2026-000001" in flat  # the footer


def test_the_pdf_is_filed_on_the_case_as_a_notice_document(issue, case, people):
    notice = issue()
    doc = notice.document
    assert (doc.category.code, doc.case, doc.filename, doc.content_type) == (
        "notice",
        case,
        "CN-2026-000001.pdf",
        "application/pdf",
    )
    assert doc.uploaded_by == people["carl"]
    entry = AuditEntry.objects.get(event="notice.issue")
    assert entry.object_id == "CN-2026-000001"
    assert entry.after["total_due_fen"] == 1_126_500 and entry.after["document"] == doc.pk


def test_the_english_template_renders_in_english(issue, tmp_path):
    template = NoticeTemplate.objects.get(code="en_default", active=True)
    notice = issue(template=template)
    if not shutil.which("pdftotext"):
        pytest.skip("needs poppler-utils (pdftotext)")
    text = " ".join(
        pdf_text(
            document_path(document_root(), notice.document.sha256).read_bytes(), tmp_path
        ).split()
    )
    assert "Payment demand notice" in text
    assert "No. CN-2026-000001" in text and "To: 王小二" in text
    assert "Total due 11,265.00" in text and "by 2026-12-31" in text


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"pay_by": D(2026, 11, 19)}, "pay_by", "pay_by_past"),
        ({"as_of": D(2026, 11, 21)}, "as_of", "as_of_in_future"),
        ({"as_of": D(2026, 3, 1)}, "as_of", "nothing_due"),
        ({"as_of": D(2025, 12, 31)}, "as_of", "as_of_before_disbursement"),
    ],
)
def test_bad_dates_are_refused_on_their_field(issue, change, field, code):
    with pytest.raises(NoticeInvalid) as exc:
        issue(**change)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not Notice.objects.exists()


def test_an_inactive_template_or_a_closed_case_is_refused(issue, case, cn_template):
    NoticeTemplate.objects.filter(pk=cn_template.pk).update(active=False)
    cn_template.refresh_from_db()
    with pytest.raises(NoticeInvalid) as exc:
        issue(template=cn_template)
    assert (exc.value.code, exc.value.field) == ("template_inactive", "template")
    NoticeTemplate.objects.filter(pk=cn_template.pk).update(active=True)
    cn_template.refresh_from_db()
    case.status, case.closed_on, case.close_reason = "closed", D(2026, 11, 21), "paid_off"
    case.save()
    with pytest.raises(NoticeInvalid) as exc:
        issue()
    assert (exc.value.code, exc.value.field) == ("case_closed", "case")


def test_an_open_dispute_holds_the_letter(issue, monkeypatch):
    monkeypatch.setitem(holds._HOLDS, "dispute", [lambda case: True])
    from django.utils import translation

    # The reason is in the language of whoever asked (issue 13: not both at once).
    with translation.override("en"), pytest.raises(NoticeRefused) as exc:
        issue()
    assert exc.value.rule_ids == ["CN.HOLD_DISPUTE"]
    assert "open dispute" in exc.value.message
    assert not Notice.objects.exists()


def test_an_issue_date_in_the_future_is_refused(issue):
    from arrears.core.dates import local_today

    tomorrow = local_today() + dt.timedelta(days=1)
    with pytest.raises(NoticeInvalid) as exc:
        issue(issued_on=tomorrow, as_of=tomorrow, pay_by=tomorrow)
    assert (exc.value.code, exc.value.field) == ("issued_on_in_future", "issued_on")


def test_an_auditor_or_an_agency_may_not_issue(issue, people):
    from django.core.exceptions import PermissionDenied

    for name in ("aud", "ada"):
        with pytest.raises(PermissionDenied):
            issue(actor=people[name])


def test_a_failed_issue_gives_its_number_back(issue, monkeypatch):
    from arrears.notices import render

    def broken(letter):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(render, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        issue()
    monkeypatch.undo()
    assert issue().number == "CN-2026-000001"


def test_the_command_issues_a_notice(case, people, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    pdf = tmp_path / "notice.pdf"
    call_command(
        "notices",
        "issue",
        "--case",
        str(case.pk),
        "--as-of",
        "2026-11-20",
        "--user",
        "carl",
        "--output",
        str(pdf),
        stdout=out,
    )
    notice = Notice.objects.get()
    assert out.getvalue().startswith(f"{notice.number}: 11,265.00 due by ")
    assert pdf.read_bytes().startswith(b"%PDF-") and notice.issued_by == people["carl"]
    with pytest.raises(CommandError, match="no case"):
        call_command("notices", "issue", "--case", str(case.pk), "--user", "cora")
