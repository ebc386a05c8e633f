"""Fixtures of the documents tests: a document store in a temporary directory, a small book
with a case each for carl and cora, and sample files."""

from __future__ import annotations

import datetime as dt

import pytest

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path):
    settings.ARREARS_DOCUMENT_ROOT = tmp_path / "documents"
    settings.ARREARS_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    return settings.ARREARS_DOCUMENT_ROOT


def make_case(loan, **kw):
    from arrears.cases.models import Case

    defaults = dict(
        loan=loan,
        borrower=loan.borrower,
        opened_on=dt.date(2026, 11, 1),
        bucket="M1",
        dpd=27,
        team=loan.team,
        collector=loan.collector,
        field_agent=loan.field_agent,
        legal_officer=loan.legal_officer,
        agency=loan.agency,
    )
    defaults.update(kw)
    return Case.objects.create(**defaults)


@pytest.fixture
def cases(people):
    """carl's case (team A, 王小二) and cora's case (team A, 李四) on loans of one borrower
    each, plus a second loan of carl's borrower assigned to cora (same borrower, other loan)."""
    from arrears.testing import make_borrower, make_loan

    team_a = people["tom"].team
    wang = make_borrower(external_id="B-WANG", name="王小二")
    li = make_borrower(external_id="B-LI", name="李四")
    carl_loan = make_loan(
        external_id="L-CARL", borrower=wang, collector=people["carl"], team=team_a
    )
    cora_loan = make_loan(external_id="L-CORA", borrower=li, collector=people["cora"], team=team_a)
    wang_second = make_loan(
        external_id="L-WANG2", borrower=wang, collector=people["cora"], team=team_a
    )
    return {
        "carl": make_case(carl_loan),
        "cora": make_case(cora_loan),
        "wang_second": make_case(wang_second),
    }
