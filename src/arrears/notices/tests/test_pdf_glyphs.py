"""A notice's Chinese is drawn with real glyphs, not tofu (□).

Extracting the text of a PDF proves little: the ToUnicode map lists the characters the
program was asked to write even when the font had no glyph for them and drew .notdef boxes.
So this reads the font embedded in the notice itself: every character of the letter is in
Noto Sans SC, its glyph is in the embedded subset, and that glyph has ink.
"""

from __future__ import annotations

import io
import re

import pytest

from arrears.core.pdf import cjk_font_path
from arrears.documents.services import document_root
from arrears.documents.storage import document_path

pytestmark = pytest.mark.django_db

pypdf = pytest.importorskip("pypdf")
fonttools = pytest.importorskip("fontTools")


def _fonts(data: bytes):
    """(ToUnicode characters, embedded CFF top dict) for each font of each page."""
    from fontTools.cffLib import CFFFontSet

    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            cid_font = font["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"]
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            assert program is not None, "the font is not embedded"
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            pairs = [
                pair
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S)
                for pair in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)
            ]
            assert pairs and "beginbfrange" not in cmap
            chars = {chr(int(u, 16)) for _code, u in pairs}
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program.get_object().get_data()), None)
            yield chars, cff[cff.fontNames[0]]


def inked_characters(data: bytes) -> set[str]:
    """The characters a PDF draws with a real, inked glyph of Noto Sans SC that it embeds.

    fpdf2 leaves a character the font lacks out of the ToUnicode map (and draws .notdef), so a
    tofu character is one missing from this set; callers compare it with the text expected.
    """
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    source = TTFont(cjk_font_path(), lazy=True).getBestCmap()
    seen = set()
    for chars, top in _fonts(data):
        embedded = set(top.charset)
        for c in chars:
            if c.isspace() or ord(c) < 0x20:
                continue
            assert ord(c) in source, f"{c!r} (U+{ord(c):04X}) is not in Noto Sans SC: tofu"
            glyph = source[ord(c)]
            assert glyph != ".notdef" and glyph in embedded, f"{c!r}: its glyph is not embedded"
            pen = BoundsPen(None)
            top.CharStrings[glyph].draw(pen)
            assert pen.bounds is not None, f"{c!r}: its glyph is empty"
            seen.add(c)
    return seen


def _expected(*texts: str) -> set[str]:
    return {c for t in texts for c in re.sub(r"\{\w+\}", "", t) if not c.isspace()}


def test_every_character_of_a_chinese_notice_has_a_real_glyph(issue, cn_template, settings):
    notice = issue()
    data = document_path(document_root(), notice.document.sha256).read_bytes()
    seen = inked_characters(data)
    expected = _expected(
        cn_template.title,
        cn_template.body,
        notice.case.borrower.name,
        settings.ARREARS_COMPANY_NAME,
        "逾期本金罚息合计",
    )
    assert any("\u4e00" <= c <= "\u9fff" for c in expected)
    assert expected - seen == set(), f"drawn as tofu or left out: {sorted(expected - seen)}"


def test_a_character_the_font_lacks_would_be_caught():
    from arrears.core.pdf import render_letter

    data = render_letter(title="催款通知书", paragraphs=["致：王\u0f40二"], footer="某公司")
    missing = _expected("催款通知书", "致：王\u0f40二") - inked_characters(data)
    assert missing == {"\u0f40"}  # a Tibetan letter: not in Noto Sans SC
