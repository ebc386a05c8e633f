"""Document storage: type by content, size limit, content-addressed and never replaced."""

import io
import os
import stat

import pytest

from arrears.documents.storage import (
    ALL_TYPES,
    AMR,
    JPEG,
    M4A,
    MP3,
    PDF,
    PNG,
    TEXT,
    WAV,
    DocumentRefused,
    document_path,
    file_sha256,
    sniff,
    store_document,
)

SAMPLES = {
    "contract.pdf": (PDF, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    "id.jpg": (JPEG, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)),
    "visit.png": (PNG, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)),
    "call.mp3": (MP3, b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(100)),
    "call2.mp3": (MP3, b"\xff\xfb\x90\x64" + bytes(100)),  # a bare MPEG-1 layer III frame
    "call.m4a": (M4A, b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(100)),
    "call.wav": (WAV, b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100)),
    "call.amr": (AMR, b"#!AMR\n" + bytes(range(1, 60))),
    "note.txt": (TEXT, "借款人称在广州打工，下周回村。\nMoved to Guangzhou.\n".encode()),
}


def store(tmp_path, name, data, declared=None, max_bytes=10_000, allowed=ALL_TYPES):
    return store_document(
        fileobj=io.BytesIO(data),
        filename=name,
        declared_type=declared,
        root=tmp_path,
        max_bytes=max_bytes,
        allowed_types=allowed,
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_each_accepted_type_is_recognised_and_stored(tmp_path, name):
    content_type, data = SAMPLES[name]
    stored = store(tmp_path, name, data, declared=content_type)
    assert stored.content_type == content_type
    assert stored.size == len(data)
    assert stored.path == tmp_path / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert stored.path.read_bytes() == data
    assert file_sha256(stored.path) == stored.sha256
    assert stored.created


def test_storing_the_same_content_twice_is_idempotent(tmp_path):
    _, data = SAMPLES["contract.pdf"]
    first = store(tmp_path, "contract.pdf", data)
    second = store(tmp_path, "copy-of-contract.PDF", data, declared="application/pdf")
    assert second.path == first.path and second.sha256 == first.sha256
    assert first.created and not second.created
    assert first.path.read_bytes() == data
    # no temporary file is left behind
    assert list((tmp_path / "incoming").iterdir()) == []


def test_a_different_file_already_at_the_path_is_never_overwritten(tmp_path):
    _, data = SAMPLES["contract.pdf"]
    stored = store(tmp_path, "contract.pdf", data)
    os.chmod(stored.path, stat.S_IWUSR | stat.S_IRUSR)
    stored.path.write_bytes(b"%PDF-1.7 damaged")
    with pytest.raises(DocumentRefused) as refused:
        store(tmp_path, "contract.pdf", data)
    assert refused.value.code == "conflict"
    assert stored.path.read_bytes() == b"%PDF-1.7 damaged"


def test_stored_files_are_read_only(tmp_path):
    stored = store(tmp_path, "id.jpg", SAMPLES["id.jpg"][1])
    assert not stored.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


@pytest.mark.parametrize(
    ("name", "data", "declared", "code", "words"),
    [
        ("contract.pdf", SAMPLES["id.jpg"][1], None, "extension_mismatch", "content is image/jpeg"),
        ("photo.png", SAMPLES["id.jpg"][1], None, "extension_mismatch", "name says image/png"),
        ("call.mp3", SAMPLES["call.wav"][1], None, "extension_mismatch", "audio/wav"),
        ("note.txt", SAMPLES["contract.pdf"][1], None, "extension_mismatch", "application/pdf"),
        (
            "contract.pdf",
            SAMPLES["contract.pdf"][1],
            "image/png",
            "declared_type_mismatch",
            "declared as image/png",
        ),
        ("setup.exe", b"MZ\x90\x00", None, "unknown_extension", ".exe"),
        ("README", b"hello", None, "unknown_extension", "(none)"),
        ("blob.pdf", b"\x00\x01\x02\x03garbage", None, "unrecognised_content", "not a PDF"),
        ("empty.pdf", b"", None, "empty", "empty"),
        (
            "note.txt",
            b"plain start " * 10 + b"\x00\x01binary tail",
            None,
            "not_text",
            "not plain text",
        ),
        (
            "note.txt",
            b"valid ascii head " * 5 + b"\xff\xfe\xfd\xfc",
            None,
            "not_text",
            "not plain text",
        ),
    ],
)
def test_refusals_say_why(tmp_path, name, data, declared, code, words):
    with pytest.raises(DocumentRefused) as refused:
        store(tmp_path, name, data, declared=declared)
    assert refused.value.code == code
    assert words in str(refused.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_type_not_allowed_here_is_refused(tmp_path):
    with pytest.raises(DocumentRefused) as refused:
        store(tmp_path, "call.mp3", SAMPLES["call.mp3"][1], allowed={PDF, JPEG})
    assert refused.value.code == "type_not_allowed"


def test_declared_aliases_and_octet_stream_are_accepted(tmp_path):
    assert (
        store(tmp_path, "a.wav", SAMPLES["call.wav"][1], declared="audio/x-wav").content_type == WAV
    )
    assert store(tmp_path, "a.jpg", SAMPLES["id.jpg"][1], declared="image/jpg").content_type == JPEG
    assert store(tmp_path, "a.amr", SAMPLES["call.amr"][1], declared="application/octet-stream")
    assert store(tmp_path, "a.txt", SAMPLES["note.txt"][1], declared="text/plain; charset=utf-8")


def test_gbk_text_is_text(tmp_path):
    stored = store(tmp_path, "visit.txt", "外访记录：借款人不在家。".encode("gbk"))
    assert stored.content_type == TEXT


class CountingReader(io.RawIOBase):
    """A large upload that counts how much was read, to prove the limit stops reading."""

    def __init__(self, total):
        self.total, self.read_so_far = total, 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = min(n if n >= 0 else self.total, self.total - self.read_so_far)
        chunk = (b"%PDF-1.7\n" + b"x" * n)[:n] if self.read_so_far == 0 else b"x" * n
        self.read_so_far += n
        return chunk


def test_an_upload_over_the_limit_is_refused_without_reading_it_all(tmp_path):
    reader = CountingReader(50 * 1024 * 1024)
    with pytest.raises(DocumentRefused) as refused:
        store_document(
            fileobj=reader,
            filename="big.pdf",
            declared_type=PDF,
            root=tmp_path,
            max_bytes=2 * 1024 * 1024,
            allowed_types=ALL_TYPES,
        )
    assert refused.value.code == "too_large"
    assert reader.read_so_far <= 4 * 1024 * 1024
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_exactly_the_limit_is_accepted(tmp_path):
    data = SAMPLES["contract.pdf"][1]
    assert store(tmp_path, "c.pdf", data, max_bytes=len(data)).size == len(data)
    with pytest.raises(DocumentRefused):
        store(tmp_path, "d.pdf", data + b" ", max_bytes=len(data))


def test_sniff_and_document_path():
    assert sniff(b"\xff\xd8\xff\xdb") == JPEG  # JPEG is not mistaken for an MP3 frame
    assert sniff(b"\xff\xe8\x00") is None  # MPEG version bits 01 are reserved
    sha = "ab" * 32
    assert document_path("/srv/docs", sha).as_posix() == f"/srv/docs/ab/ab/{sha}"
    with pytest.raises(ValueError):
        document_path("/srv/docs", "../../etc/passwd")
