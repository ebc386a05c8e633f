"""Schemathesis against /api/v1/openapi.json: every operation, a bounded number of generated
requests each (valid and invalid ones), sent in-process to the WSGI application with an
administrator's real bearer token on a small seeded book.

Asserted for every response: no 5xx, the status code is one the operation documents, the
content type is a documented one, and the body matches the documented schema. No operation
is left out: the generated requests run inside the test's transaction, so the "destructive"
ones (document delete, plan decisions, notice service) change only throw-away rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from arrears.core.models import ApiToken
from arrears.wsgi import application

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process_requests():
    """Let the WSGI handler run inside the test's transaction.

    Django's handler closes "old" connections when a request starts and finishes, which
    would end the test transaction (and the seeded book with it); its own test client
    disconnects the same receiver for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(book, people, settings, tmp_path):
    """The API tests' book (three loans across teams and an agency), a case on each loan."""
    from arrears.cases.models import Case

    settings.ARREARS_DOCUMENT_ROOT = tmp_path / "documents"
    for loan in book.values():
        Case.objects.create(
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
    return book


@pytest.fixture
def admin_token(people, seeded, in_process_requests) -> str:
    return ApiToken.issue(people["alice"], name="schemathesis")[1]


# Loaded when the module is collected (the document needs no database), so that every
# operation is its own test item, named by method and path. (`schemathesis.pytest.
# from_fixture` would load it lazily, but does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def test_the_contract_runs_the_examples_coverage_and_fuzzing_phases():
    # The coverage phase (boundary and negative values, missing and unexpected parts of a
    # request) is what found the 500 on a multipart body without a boundary (issue 11; the
    # regression test is api/tests/test_errors.py): keep it on for every operation.
    from importlib.metadata import version

    major, minor = (int(x) for x in version("schemathesis").split(".")[:2])
    assert (major, minor) >= (4, 32)
    for operation in schema.get_all_operations():
        phases = schema.config.phases_for(operation=operation.ok())
        assert phases.examples.enabled and phases.coverage.enabled and phases.fuzzing.enabled


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI reproduces locally
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_documented_contract(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
