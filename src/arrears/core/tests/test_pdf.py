"""PDF letters: the Chinese font is embedded, the text is real, and a page renders."""

import io
import re
import shutil
import subprocess
import sys

import pytest
from fontTools.ttLib import TTFont

from arrears.core import pdf
from arrears.core.pdf import CjkFontMissing, cjk_font_path, render_letter

TITLE = "催款通知书"
BODY = "您的借款已逾期75天，请于2026年12月10日前归还欠款。如有异议，请与我们联系。"


def _plain(text: str) -> str:
    # pypdf reads fpdf2's embedded /Encoding CMap with a NUL and spaces between CJK glyphs
    # (pdftotext does not); compare the characters only.
    return re.sub(r"[\s\x00]", "", text)


@pytest.fixture(scope="module")
def letter():
    return render_letter(
        title=TITLE,
        paragraphs=["致：张三", BODY],
        table_heading=("项目", "金额（元）"),
        table_rows=[("逾期本金", 320_000), ("罚息", "96.50"), ("合计", 329_650)],
        footer="某某小额贷款有限公司",
    )


def test_the_font_comes_from_the_installed_package():
    path = cjk_font_path()
    assert path.is_file() and path.suffix == ".otf"
    assert "site-packages" in path.parts or "dist-packages" in path.parts


def test_a_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ARREARS_PDF_FONT", str(tmp_path / "nope.otf"))
    with pytest.raises(CjkFontMissing, match="not a file"):
        cjk_font_path()
    monkeypatch.delenv("ARREARS_PDF_FONT")
    monkeypatch.setattr(pdf, "FONT_PACKAGE", "no_such_font_package")
    with pytest.raises(CjkFontMissing, match="pip install pylopdf-fonts-zh-cn"):
        cjk_font_path()


def test_the_font_has_a_glyph_for_every_character_of_a_letter():
    cmap = TTFont(cjk_font_path(), lazy=True).getBestCmap()
    text = (
        TITLE
        + BODY
        + "项目金额（元）逾期本金罚息合计第页共某某小额贷款有限公司签收回执：¥,.0123456789"
    )
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
    assert not missing


def test_the_pdf_embeds_a_subset_of_the_cjk_font(letter):
    assert letter.startswith(b"%PDF-")
    # The font program is embedded (CFF outlines: /FontFile3), not merely named.
    assert b"/FontFile3" in letter or b"/FontFile2" in letter
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansSC", letter)


def test_the_pdf_text_is_the_chinese_text(letter):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(letter))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    fonts = page["/Resources"]["/Font"]
    descriptors = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts.values()]
    assert any("/FontFile3" in d["/FontDescriptor"] for d in descriptors)
    text = _plain(page.extract_text())
    assert TITLE in text
    assert "请于2026年12月10日前归还欠款" in text
    assert "3,200.00" in text and "3,296.50" in text  # integer fen shown as yuan
    assert "第1页/共1页" in text


def test_long_letters_flow_onto_more_pages_with_page_numbers():
    pypdf = pytest.importorskip("pypdf")
    data = render_letter(title=TITLE, paragraphs=[BODY] * 60, footer="某某公司")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    last = _plain(reader.pages[-1].extract_text())
    assert f"第{len(reader.pages)}页/共{len(reader.pages)}页" in last


def test_amounts_must_be_text_or_integer_fen():
    with pytest.raises(TypeError):
        render_letter(title=TITLE, paragraphs=[], table_rows=[("本金", 32.5)])


def test_the_sample_notice_command_writes_a_pdf(tmp_path):
    out = tmp_path / "sample.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "arrears.core.pdf", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "wrote" in result.stdout
    assert out.read_bytes().startswith(b"%PDF-")


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    # Binary PGM (P5): magic, width, height, maxval, then one byte per pixel.
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert fields, "not a binary PGM"
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[fields.end() :]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_the_page_renders_with_ink_where_the_title_is(letter, tmp_path):
    src = tmp_path / "letter.pdf"
    src.write_bytes(letter)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", str(src), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.pgm")
    width, height, pixels = _read_pgm(page.read_bytes())
    assert len(pixels) == width * height
    dark = sum(1 for p in pixels if p < 128)
    assert dark > 500, "the page is blank"
    # The title band (20–35 mm from the top of 297 mm) has ink in its middle third.
    top, bottom = int(height * 20 / 297), int(height * 35 / 297)
    band = [
        pixels[y * width + x] for y in range(top, bottom) for x in range(width // 3, 2 * width // 3)
    ]
    assert sum(1 for p in band if p < 128) > 20


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_poppler_extracts_the_chinese_text(letter, tmp_path):
    src = tmp_path / "letter.pdf"
    src.write_bytes(letter)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(src), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    assert out.splitlines()[0].strip() == TITLE
    assert "请于2026年12月10日前归还欠款" in out.replace("\n", "")


@pytest.fixture
def measuring_pdf():
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.add_font("cjk", "", str(cjk_font_path()))
    doc.set_font("cjk", size=11.5)
    return doc


def test_lines_never_split_an_amount_or_start_with_closing_punctuation(measuring_pdf):
    text = "借款人民币" * 3 + "您于本公司借款人民币20,000.00元，截至今日已逾期75天。" * 6
    for width in range(40, 171, 3):
        lines = pdf.wrap_text(measuring_pdf, text, width)
        assert "".join(lines) == text  # nothing lost or added (no spaces in this text)
        for line in lines:
            assert measuring_pdf.get_string_width(line) <= width + 5  # may hang one mark
            assert line[0] not in "，。、）"
        assert all("20,000.00" in line for line in lines if "20," in line)


def test_a_run_longer_than_the_line_is_cut(measuring_pdf):
    lines = pdf.wrap_text(measuring_pdf, "编号" + "A1" * 80, 60)
    assert "".join(lines) == "编号" + "A1" * 80
    assert all(measuring_pdf.get_string_width(line) <= 60 for line in lines)


def test_newlines_in_a_paragraph_start_new_lines(measuring_pdf):
    assert pdf.wrap_text(measuring_pdf, "第一行\n第二行", 170) == ["第一行", "第二行"]
