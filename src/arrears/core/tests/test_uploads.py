"""Request bodies are refused by size before they are read (issue 12: a 300 MB upload was
spooled to disk before the 20 MB refusal, even without signing in)."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile

from arrears.core.uploads import LimitedUploadHandler, upload_limit_register
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db

UPLOAD = "/documents/case/1/upload/"


def _declared_post(client, path, length: int):
    # A body that claims `length` bytes: the refusal must come from the header alone.
    return client.generic(
        "POST",
        path,
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
    )


def test_a_stranger_cannot_make_the_server_read_a_big_body(client):
    response = _declared_post(client, UPLOAD, 300 * 1024 * 1024)
    assert response.status_code == 413
    assert "0.1 MB" in response.content.decode()


def test_a_signed_in_upload_over_the_document_limit_is_refused_by_its_length(
    client, people, settings
):
    settings.ARREARS_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    client.post("/login/", {"username": "carl", "password": PASSWORD})
    response = _declared_post(client, UPLOAD, 300 * 1024 * 1024)
    assert response.status_code == 413
    assert "21.0 MB" in response.content.decode()
    # Within the limit the request reaches the page (which answers for itself).
    small = client.post(UPLOAD, {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert small.status_code != 413


def test_an_import_upload_path_takes_the_import_limit(client, people, settings):
    settings.ARREARS_DOCUMENT_MAX_BYTES = 1024
    settings.ARREARS_IMPORT_MAX_BYTES = 50 * 1024 * 1024
    upload_limit_register("/imports-test/", "ARREARS_IMPORT_MAX_BYTES")
    client.post("/login/", {"username": "mia", "password": PASSWORD})
    assert _declared_post(client, "/imports-test/x/", 40 * 1024 * 1024).status_code == 404
    assert _declared_post(client, "/imports-test/x/", 60 * 1024 * 1024).status_code == 413
    assert _declared_post(client, UPLOAD, 40 * 1024 * 1024).status_code == 413


def test_the_upload_handler_stops_reading_past_the_limit():
    handler = LimitedUploadHandler(None, limit=10)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"678901", 5)
