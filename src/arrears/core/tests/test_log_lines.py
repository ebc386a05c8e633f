"""A 403 is one line in the server log, not a traceback (issue 13)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from arrears.core.logs import ClientErrorsOnOneLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ClientErrorsOnOneLine())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_refused_page_logs_one_line(people, server_log):
    client = Client()
    client.force_login(people["carl"])
    assert client.get("/audit/").status_code == 403

    lines = server_log.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0] and "/audit/" in lines[0]
    assert "Traceback" not in server_log.getvalue()


def test_a_server_error_keeps_its_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ClientErrorsOnOneLine())
    logger = logging.getLogger("test.django.request.boom")
    logger.addHandler(handler)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").handlers  # noqa: B018 - nothing to assert here
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
        )
        import sys

        record.exc_info = sys.exc_info()
        record.status_code = 500
        handler.handle(record)
    logger.removeHandler(handler)
    assert "Traceback" in stream.getvalue() and "boom" in stream.getvalue()
