"""Filling a notice template and setting it as a PDF letter. Plain functions, no database.

A template's body is paragraphs separated by blank lines, with variables in braces:

    {borrower} {loan} {as_of} {pay_by} {company} {issued_on} {number} {dpd}
    {principal} {interest} {penalty} {fees} {total_due}     (yuan, e.g. 3,296.50)

A paragraph that is exactly `{amounts}` is where the table of amounts goes (after the body when
there is none). The letter always starts with the notice number, and its footer carries the
company and the number on every page. Amounts go to the PDF renderer as integer fen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from arrears.core.money import format_yuan
from arrears.core.pdf import render_letter

VARIABLES = (
    "borrower",
    "loan",
    "as_of",
    "pay_by",
    "company",
    "issued_on",
    "number",
    "dpd",
    "principal",
    "interest",
    "penalty",
    "fees",
    "total_due",
)
AMOUNTS = "amounts"
_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

LABELS = {
    "zh-hans": {
        "number": "编号：{number}",
        "heading": ("项目", "金额（元）"),
        "principal": "逾期本金",
        "interest": "逾期利息",
        "penalty": "罚息",
        "fees": "费用",
        "total_due": "合计",
    },
    "en": {
        "number": "No. {number}",
        "heading": ("Item", "Amount (CNY)"),
        "principal": "Overdue principal",
        "interest": "Overdue interest",
        "penalty": "Penalty interest",
        "fees": "Fees",
        "total_due": "Total due",
    },
}


@dataclass(frozen=True)
class LetterData:
    """What a notice says, in plain values (amounts in fen)."""

    number: str
    borrower: str
    loan: str
    company: str
    issued_on: dt.date
    as_of: dt.date
    pay_by: dt.date
    dpd: int
    principal_fen: int
    interest_fen: int
    penalty_fen: int
    fees_fen: int

    @property
    def total_due_fen(self) -> int:
        return self.principal_fen + self.interest_fen + self.penalty_fen + self.fees_fen


def unknown_variables(text: str) -> list[str]:
    """The {names} in `text` that are not template variables, in order of appearance."""
    known = {*VARIABLES, AMOUNTS}
    return list(dict.fromkeys(m for m in _VAR.findall(text) if m not in known))


def misplaced_amounts(text: str) -> bool:
    """True when {amounts} appears other than as a paragraph of its own, or more than once."""
    count = text.count("{" + AMOUNTS + "}")
    alone = sum(1 for p in paragraphs(text) if p == "{" + AMOUNTS + "}")
    return count > 1 or count != alone


def paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def format_day(day: dt.date, language: str) -> str:
    if language.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def values(data: LetterData, language: str) -> dict[str, str]:
    return {
        "borrower": data.borrower,
        "loan": data.loan,
        "company": data.company,
        "number": data.number,
        "issued_on": format_day(data.issued_on, language),
        "as_of": format_day(data.as_of, language),
        "pay_by": format_day(data.pay_by, language),
        "dpd": str(data.dpd),
        "principal": format_yuan(data.principal_fen),
        "interest": format_yuan(data.interest_fen),
        "penalty": format_yuan(data.penalty_fen),
        "fees": format_yuan(data.fees_fen),
        "total_due": format_yuan(data.total_due_fen),
    }


def fill(text: str, vals: dict[str, str]) -> str:
    """Replace every known {variable}; anything else in braces is left as written."""
    return _VAR.sub(lambda m: vals.get(m[1], m[0]), text)


@dataclass(frozen=True)
class Letter:
    title: str
    before: list[str]
    after: list[str]
    rows: list[tuple[str, int]]
    heading: tuple[str, str]
    footer: str

    def text(self) -> str:
        """All the words of the letter (for the conduct lint and for search)."""
        return "\n\n".join([self.title, *self.before, *self.after])


def compose(*, title: str, body: str, language: str, data: LetterData) -> Letter:
    labels = LABELS["zh-hans" if language.startswith("zh") else "en"]
    vals = values(data, language)
    before: list[str] = [fill(labels["number"], vals)]
    after: list[str] = []
    target = before  # without an {amounts} paragraph the table follows the whole body
    for para in paragraphs(body):
        if para == "{" + AMOUNTS + "}":
            target = after
            continue
        target.append(fill(para, vals))
    rows = [
        (labels["principal"], data.principal_fen),
        (labels["interest"], data.interest_fen),
        (labels["penalty"], data.penalty_fen),
        (labels["fees"], data.fees_fen),
        (labels["total_due"], data.total_due_fen),
    ]
    return Letter(
        title=fill(title, vals),
        before=before,
        after=after,
        rows=rows,
        heading=labels["heading"],
        footer=f"{data.company} · {data.number}",
    )


def render_pdf(letter: Letter) -> bytes:
    return render_letter(
        title=letter.title,
        paragraphs=letter.before,
        table_heading=letter.heading,
        table_rows=letter.rows,
        after_table=letter.after,
        footer=letter.footer,
    )
