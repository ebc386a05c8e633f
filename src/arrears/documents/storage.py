"""Storing uploaded documents on the file system: checked, content-addressed, never replaced.

Plain functions, no models: the Document model (documents/models.py) keeps the metadata (category,
borrower/loan/case, who uploaded it, original filename) and the `StoredFile` this returns.

- The type is decided by the content's magic bytes, not by what the client says: the file's
  extension and the declared MIME type must both agree with the content, and the type must be
  one the caller allows. A mismatch is refused with the reason (a .pdf that is really a JPEG,
  a "recording" that is an executable).
- Files are stored under root/aa/bb/<sha256> (aa, bb the first two byte pairs of the hash).
  The same content always lands on the same path, so storing it twice is a no-op; a file is
  published with a no-replace link, so an existing file is never overwritten — if one is there
  with different content (disk damage, tampering), that is an error, not a silent replace.
- The upload is streamed in chunks into a temporary file beside the store (same file system,
  so publishing is a link, not a copy), hashed and size-checked on the way; a file over the
  limit is refused as soon as the limit is passed, without reading the rest.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
SNIFF = 64

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
MP3 = "audio/mpeg"
M4A = "audio/mp4"
WAV = "audio/wav"
AMR = "audio/amr"
TEXT = "text/plain"

ALL_TYPES = frozenset({PDF, JPEG, PNG, MP3, M4A, WAV, AMR, TEXT})

EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".mp3": MP3,
    ".m4a": M4A,
    ".wav": WAV,
    ".amr": AMR,
    ".txt": TEXT,
}

# What browsers and dialers send for the same types.
_ALIASES: dict[str, str] = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "audio/mp3": MP3,
    "audio/mpeg3": MP3,
    "audio/x-mpeg": MP3,
    "audio/x-m4a": M4A,
    "audio/m4a": M4A,
    "audio/aac": M4A,
    "audio/x-wav": WAV,
    "audio/wave": WAV,
    "audio/vnd.wave": WAV,
    "audio/x-amr": AMR,
    "audio/amr-wb": AMR,
}
# Declarations that say nothing about the type.
_UNDECLARED = {"", "application/octet-stream", "binary/octet-stream"}

_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2"}
# Bytes text may hold: everything from space up, and tab, newline, form feed, return, escape.
_TEXT_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\x0c\r\x1b"


class DocumentRefused(ValueError):
    """An upload that cannot be stored; `code` names the check (for API errors), the message
    says why in words a user understands, `field` the input at fault (the file itself unless
    the services say otherwise: the category, the case, …)."""

    def __init__(self, code: str, message: str, field: str | None = "file"):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where an accepted file lives and what it is."""

    sha256: str
    size: int
    content_type: str
    path: Path
    created: bool = True  # False when the same content was already stored


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None; text is only a candidate here
    (`store_document` checks every byte of a text file)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"#!AMR\n") or head.startswith(b"#!AMR-WB\n"):
        return AMR
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
        if version != 0b01 and layer != 0b00:  # neither reserved: an MPEG audio frame
            return MP3
    if _looks_like_text(head):
        return TEXT
    return None


def _looks_like_text(data: bytes) -> bool:
    return bool(data) and not data.translate(None, _TEXT_BYTES)


def normalize_type(value: str | None) -> str:
    """'Audio/X-WAV; codecs=1' → 'audio/wav'; '' for no real declaration."""
    text = (value or "").split(";", 1)[0].strip().lower()
    if text in _UNDECLARED:
        return ""
    return _ALIASES.get(text, text)


class _TextCheck:
    """Every byte of a text file must be UTF-8 (BOM allowed) or GB18030 text without binary
    control characters; decoded incrementally so a large file is not held in memory."""

    def __init__(self) -> None:
        self.decoders = {
            "utf-8-sig": codecs.getincrementaldecoder("utf-8-sig")(),
            "gb18030": codecs.getincrementaldecoder("gb18030")(),
        }

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if chunk.translate(None, _TEXT_BYTES):  # a binary control byte is left over
            self.decoders.clear()
            return
        for name, decoder in list(self.decoders.items()):
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError:
                del self.decoders[name]

    @property
    def ok(self) -> bool:
        return bool(self.decoders)


def _read_chunks(fileobj: BinaryIO) -> Iterable[bytes]:
    while True:
        chunk = fileobj.read(CHUNK)
        if not chunk:
            return
        yield chunk


def store_document(
    *,
    fileobj: BinaryIO,
    filename: str,
    declared_type: str | None,
    root: Path,
    max_bytes: int,
    allowed_types: Iterable[str] = ALL_TYPES,
) -> StoredFile:
    """Check an upload and store it content-addressed under `root`; DocumentRefused says why not."""
    allowed = {normalize_type(t) for t in allowed_types}
    ext = Path(filename or "").suffix.lower()
    ext_type = EXTENSIONS.get(ext)
    if ext_type is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise DocumentRefused(
            "unknown_extension",
            f"{filename!r}: file type {ext or '(none)'} is not accepted; accepted: {known}",
        )
    if ext_type not in allowed:
        raise DocumentRefused(
            "type_not_allowed", f"{filename!r}: {ext_type} files are not accepted here"
        )

    chunks = iter(_read_chunks(fileobj))
    head = b""
    pending: list[bytes] = []
    for chunk in chunks:  # usually one chunk; a reader may hand back fewer bytes
        pending.append(chunk)
        head += chunk[: SNIFF - len(head)]
        if len(head) >= SNIFF:
            break
    if not pending:
        raise DocumentRefused("empty", f"{filename!r} is empty")
    content_type = sniff(head)
    if content_type is None:
        raise DocumentRefused(
            "unrecognised_content",
            f"{filename!r}: the content is not a PDF, JPEG, PNG, MP3, M4A, WAV, AMR or text file",
        )
    if content_type != ext_type:
        raise DocumentRefused(
            "extension_mismatch",
            f"{filename!r}: the name says {ext_type} ({ext}) but the content is {content_type}",
        )
    declared = normalize_type(declared_type)
    if declared and declared != content_type:
        raise DocumentRefused(
            "declared_type_mismatch",
            f"{filename!r}: declared as {declared} but the content is {content_type}",
        )

    root = Path(root)
    incoming = root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    text = _TextCheck() if content_type == TEXT else None
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chain(pending, chunks):
                size += len(chunk)
                if size > max_bytes:
                    raise DocumentRefused(
                        "too_large", f"{filename!r} is larger than the limit of {max_bytes} bytes"
                    )
                digest.update(chunk)
                if text is not None:
                    text.feed(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if text is not None:
            text.feed(b"", final=True)
            if not text.ok:
                raise DocumentRefused(
                    "not_text", f"{filename!r} is not plain text (UTF-8 or GB18030)"
                )
        sha = digest.hexdigest()
        final = root / sha[:2] / sha[2:4] / sha
        final.parent.mkdir(parents=True, exist_ok=True)
        created = _publish(tmp, final, sha)
        if created:
            os.chmod(final, 0o444)  # stored documents are never edited in place
        return StoredFile(sha, size, content_type, final, created)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _chain(first: list[bytes], rest: Iterable[bytes]) -> Iterable[bytes]:
    yield from first
    yield from rest


def _publish(tmp: Path, final: Path, sha: str) -> bool:
    """Put `tmp` at `final` unless something is already there; True if it was written."""
    try:
        os.link(tmp, final)  # atomic and refuses to replace an existing file
        return True
    except FileExistsError:
        pass
    except OSError:
        # A file system without hard links: exclusive create refuses to replace too.
        try:
            with open(final, "xb") as out, open(tmp, "rb") as src:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            return True
        except FileExistsError:
            pass
    if file_sha256(final) != sha:
        raise DocumentRefused(
            "conflict",
            f"{final} exists with different content; it was left untouched — check the store",
        )
    return False


def file_sha256(path: Path) -> str:
    """SHA-256 of a stored file, read in chunks (also for periodic integrity checks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def document_path(root: Path, sha256: str) -> Path:
    """Where the file with this hash lives (for downloads)."""
    sha = sha256.lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError("not a SHA-256 hex digest")
    return Path(root) / sha[:2] / sha[2:4] / sha
