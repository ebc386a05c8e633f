"""Fixtures of the notices tests: the document store in a temporary directory, and an overdue
loan with an open case.

The loan (L-LATE, 王小二, carl's): 10,000.00 yuan at 12%, bullet over 6 months from
2026-01-10, so everything fell due on 2026-07-10 and nothing was paid. Its limitation deadline
is 2029-07-10 until something restarts it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.documents.tests.conftest import (  # noqa: F401 — fixtures shared with documents
    JPEG_BYTES,
    PDF_BYTES,
    document_store,
    make_case,
)

D = dt.date


@pytest.fixture
def late_loan(people):
    from arrears.testing import make_borrower, make_loan

    return make_loan(
        external_id="L-LATE",
        borrower=make_borrower(external_id="B-WANG", name="王小二"),
        method="bullet",
        term_months=6,
        disbursed_on=D(2026, 1, 10),
        collector=people["carl"],
        team=people["tom"].team,
        field_agent=people["fay"],
    )


@pytest.fixture
def case(late_loan):
    return make_case(late_loan, opened_on=D(2026, 7, 11), bucket="M5", dpd=141)


@pytest.fixture
def cn_template():
    from arrears.notices.models import NoticeTemplate

    return NoticeTemplate.objects.get(code="cn_default", active=True)


@pytest.fixture
def issue(case, cn_template, people):
    """issue(**overrides) -> a notice on the case, as carl, amounts as of 2026-11-20."""
    from arrears.notices.services import notice_issue

    def make(**kw):
        args = dict(
            case=case,
            template=cn_template,
            as_of=D(2026, 11, 20),
            pay_by=D(2026, 12, 31),
            actor=people["carl"],
            issued_on=D(2026, 11, 20),
        )
        args.update(kw)
        return notice_issue(**args)

    return make
