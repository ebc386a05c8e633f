"""PDF letters (催款通知书 collection notices and the like) set in a Chinese font.

The font is Noto Sans SC (SIL Open Font License 1.1), installed from PyPI by the package
`pylopdf-fonts-zh-cn`; nothing is fetched at run time and no font file lives in this repo.
fpdf2 embeds a subset of it (CFF outlines, /FontFile3) holding only the glyphs a letter uses,
so a one-page notice is a few kilobytes and renders the same on any reader. ReportLab was not
used because it cannot embed CFF-outline OpenType fonts.

`ARREARS_PDF_FONT` may name another .otf/.ttf file (e.g. a lender's house font) instead.

    python -m arrears.core.pdf /tmp/sample.pdf    # writes a sample 催款通知书
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from arrears.core.money import format_yuan

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
FONT_FAMILY = "ArrearsCJK"

MARGIN_MM = 20
BODY_PT = 11.5
TITLE_PT = 20
FOOTER_PT = 8.5
LINE_MM = 7


class CjkFontMissing(RuntimeError):
    """The Chinese font is not installed, so no letter can be rendered."""


def cjk_font_path() -> Path:
    """The Chinese font file: $ARREARS_PDF_FONT, else Noto Sans SC from the installed package."""
    override = os.environ.get("ARREARS_PDF_FONT")
    if override:
        path = Path(override)
        if not path.is_file():
            raise CjkFontMissing(f"ARREARS_PDF_FONT={override} is not a file")
        return path
    try:
        path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    except ModuleNotFoundError as exc:
        raise CjkFontMissing(
            f"the Chinese font package is not installed: pip install pylopdf-fonts-zh-cn "
            f"(it provides {FONT_FILE}), or set ARREARS_PDF_FONT to a .otf/.ttf file"
        ) from exc
    if not path.is_file():
        raise CjkFontMissing(f"{FONT_FILE} is missing from the installed {FONT_PACKAGE} package")
    return path


# A run of Latin letters, digits and the punctuation inside numbers is never split across lines
# (an amount such as 20,000.00 must stay whole); every other character may end a line.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:%/*@_\-]*|\s+|.")
# Closing punctuation never starts a line (禁则): it stays at the end of the previous one.
_NO_LINE_START = set("，。、；：？！）》」』】〕’”,.;:?!)%")


def wrap_text(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` in the current font, Chinese-style: between
    any two characters, except inside a number or Latin word and before closing punctuation."""
    lines: list[str] = []
    for source_line in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(source_line):
            if pdf.get_string_width(line + token) <= width or (token in _NO_LINE_START and line):
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = token.lstrip()
            # A single run wider than the line (a long reference number): cut it by character.
            while line and pdf.get_string_width(line) > width:
                cut = len(line) - 1
                while cut > 1 and pdf.get_string_width(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines


class _Letter(FPDF):
    footer_text: str = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT_FAMILY, size=FOOTER_PT)
        self.set_text_color(90, 90, 90)
        width = self.epw / 2
        self.cell(width, 6, self.footer_text, align=Align.L)
        self.cell(width, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)
        self.set_text_color(0, 0, 0)


def _amount_text(value: str | int) -> str:
    # An int is fen: formatted here so a caller cannot pass a float by accident.
    if isinstance(value, bool):
        raise TypeError("an amount cannot be a bool")
    if isinstance(value, int):
        return format_yuan(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"table values are text or integer fen, not {type(value).__name__}")


def render_letter(
    *,
    title: str,
    paragraphs: Sequence[str],
    table_rows: Sequence[tuple[str, str | int]] | None = None,
    table_heading: tuple[str, str] | None = None,
    footer: str | None = None,
    after_table: Sequence[str] = (),
) -> bytes:
    """An A4 letter as PDF bytes: centred title, paragraphs, an optional two-column table
    (label, amount — an int is fen, shown as yuan), more paragraphs, and a footer with
    `footer` on the left and 第 n 页 / 共 N 页 on the right of every page."""
    pdf = _Letter(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = footer or ""
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM + 5)
    pdf.add_font(FONT_FAMILY, "", str(cjk_font_path()))
    pdf.set_title(title)
    pdf.set_creator("Arrears")
    pdf.set_lang("zh-CN")
    pdf.add_page()

    pdf.set_font(FONT_FAMILY, size=TITLE_PT)
    pdf.multi_cell(0, 12, title, align=Align.C, wrapmode=WrapMode.CHAR)
    pdf.ln(6)

    pdf.set_font(FONT_FAMILY, size=BODY_PT)

    def write_paragraphs(texts: Sequence[str]) -> None:
        for text in texts:
            for line in wrap_text(pdf, text, pdf.epw):
                pdf.cell(0, LINE_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)

    write_paragraphs(paragraphs)
    if table_rows:
        pdf.ln(2)
        with pdf.table(
            col_widths=(3, 2),
            text_align=("LEFT", "RIGHT"),
            first_row_as_headings=table_heading is not None,
            # One weight of the font is installed: headings are shaded, not bold.
            headings_style=FontFace(emphasis="", fill_color=(235, 235, 235)),
            line_height=LINE_MM + 1,
            width=pdf.epw,
        ) as table:
            if table_heading is not None:
                table.row(table_heading)
            for label, value in table_rows:
                table.row((label, _amount_text(value)))
        pdf.ln(4)
    write_paragraphs(after_table)
    return bytes(pdf.output())


def sample_notice() -> bytes:
    """A sample 催款通知书 with invented data (for the demo and for looking at the layout)."""
    rows = [
        ("逾期本金", 320_000),
        ("逾期利息", 48_000),
        ("罚息", 9_650),
        ("扣款失败费", 3_000),
    ]
    total = sum(v for _, v in rows)
    return render_letter(
        title="催款通知书",
        paragraphs=[
            "编号：CN-2026-000123",
            "致：张三（身份证号 5101**********1234）",
            "您于2025年3月15日与本公司签订《借款合同》（合同编号 L-000123），借款人民币"
            "20,000.00元。截至2026年11月28日，您的借款已逾期75天，尚欠款项如下（单位：元）：",
        ],
        table_heading=("项目", "金额（元）"),
        table_rows=[*rows, ("合计", total)],
        after_table=[
            "请您于2026年12月10日前将上述款项归还至本公司指定账户（开户行：某县农村信用社，"
            "账号：6210 **** **** 1234）。",
            "如您对欠款金额有异议，或还款确有困难，请在收到本通知后与我们联系，我们将与您"
            "协商还款方案。联系电话：028-12345678（工作日 08:30–17:30）。",
            "某某小额贷款有限公司（盖章）",
            "2026年11月28日",
            "签收回执：本人已收到本通知书。  借款人签字：____________  日期：____年__月__日",
        ],
        footer="某某小额贷款有限公司 · 贷后管理部",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m arrears.core.pdf OUTPUT.pdf", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.write_bytes(sample_notice())
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
