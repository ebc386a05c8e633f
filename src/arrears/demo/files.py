"""Small files the demo makes itself (scans, photos, a call recording, a text note).

Nothing third-party and nothing downloaded: a PNG drawn pixel by pixel (a pale page with
a coloured header band and grey "lines of text"), a short WAV of near-silence and UTF-8
text. They are real files of their type, so the document service sniffs and accepts them.
"""

from __future__ import annotations

import struct
import zlib

# Header band colours, one per kind of paper, so the thumbnails are told apart at a glance.
BANDS = {
    "identity": (70, 110, 170),
    "contract": (60, 130, 90),
    "receipt": (190, 120, 40),
    "photo": (110, 140, 90),
    "certificate": (90, 90, 90),
    "court": (150, 50, 50),
}


def _chunk(tag: bytes, data: bytes) -> bytes:
    body = tag + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def tiny_png(kind: str, variant: int = 0, width: int = 96, height: int = 64) -> bytes:
    """A small RGB PNG that looks like a scanned page of `kind` (see BANDS).

    `variant` moves the text lines, so two documents of one kind are different files.
    """
    band = BANDS.get(kind, (120, 120, 120))
    paper = (250, 248, 240)
    ink = (175, 175, 175)
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            if y < 10:
                pixel = band
            elif x < 6 or x >= width - 6 or y >= height - 4:
                pixel = paper
            elif (y - 14 - variant % 3) % 7 in (0, 1) and x < width - 8 - (y * 7 + variant) % 23:
                pixel = ink
            else:
                pixel = paper
            row += bytes(pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def tiny_wav(seconds: float = 0.5, rate: int = 8000, variant: int = 0) -> bytes:
    """A short 8-bit mono WAV of line hiss (a stand-in for a call recording)."""
    n = int(seconds * rate)
    # A deterministic, very quiet wobble around the 8-bit midpoint (128).
    samples = bytes(128 + ((i * 7 + variant) % 5) - 2 for i in range(n))
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    return (
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(samples))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(samples))
        + samples
    )


def text_file(text: str) -> bytes:
    """UTF-8 text with a final newline."""
    return (text.rstrip("\n") + "\n").encode("utf-8")
