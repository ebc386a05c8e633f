"""The reports: one registry read by the web page, the API, the command line and the jobs.

A report is a function from a `ReportRequest` (who asks, the as-of date, the period, the
report's own options) to a JSON-ready dict — that dict is the report's contract, what
`GET /api/v1/reports/NAME` and `arrears report NAME --format json` answer — and a function
from that dict to `Table`s, which the web page, CSV, XLSX and PDF show. One computation, so a
figure never has two answers. An app registers its reports in its AppConfig.ready():

    from arrears.reports.registry import Report, report_register
    report_register(Report(name="aging", label=_("Aging"), build=aging, tables=aging_tables,
                           params=(Param("team", _("Team")),)))

`build` must respect the reader's scope (`request.user`; None is the command-line operator
with the whole book) and be set-based. Amounts in the dict are strings of yuan with two
decimals (`money`), counts integers, dates YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _g

from arrears.core.dates import DateError, local_today, parse_date
from arrears.core.money import fen_to_yuan

if TYPE_CHECKING:
    from arrears.core.models import User

FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# A report option's value is short text (a region path, a team name); longer is a mistake.
MAX_OPTION_LENGTH = 200


class ReportError(ValueError):
    """A report asked for wrongly: names the field and says why (400/422, a form error)."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Param:
    """One option of a report beyond as-of and period (`--region PATH`, `?region=`)."""

    name: str
    label: str | Promise
    kind: str = "text"  # text | date | int | choice
    choices: tuple[tuple[str, str | Promise], ...] = ()
    required: bool = False
    help: str | Promise = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = "text"  # text | int | money | percent | date


@dataclass(frozen=True)
class Chart:
    """How a table is drawn beside itself: `kind` bar | line | stacked, `x` the column on the
    horizontal axis, `series` the columns drawn (numbers or money)."""

    kind: str
    x: str
    series: tuple[str, ...]


@dataclass
class Table:
    """Figures of a report as rows (dicts keyed by column key), for page, CSV, XLSX and PDF."""

    key: str
    title: str | Promise
    columns: Sequence[Column]
    rows: list[Mapping[str, Any]]
    chart: Chart | None = None
    note: str | Promise = ""


@dataclass(frozen=True)
class ReportRequest:
    user: User | None
    as_of: dt.date
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        value = self.options.get(name)
        return default if value in (None, "") else value


@dataclass(frozen=True)
class Report:
    name: str
    label: str | Promise
    build: Callable[[ReportRequest], dict]
    tables: Callable[[dict], list[Table]]
    description: str | Promise = ""
    params: tuple[Param, ...] = ()
    # Takes a period (--from/--to). Without them it defaults to the month to the as-of date.
    period: bool = False
    capability: str = "report.read"
    # CSV as other than the tables one after another (e.g. one row per figure):
    # a function of the dict giving (header, rows).
    csv: Callable[[dict], tuple[Sequence[str], Iterable[Sequence[Any]]]] | None = None
    # Long over a big book: the web page offers to run it as a background job.
    background: bool = False
    order: int = 100


REPORTS: dict[str, Report] = {}


def report_register(report: Report) -> None:
    """Add (or replace, by name) a report."""
    REPORTS[report.name] = report


def reports_for(user: User | None) -> list[Report]:
    """The reports a user may read, in their order."""
    found = [r for r in REPORTS.values() if user is None or user.can(r.capability)]
    return sorted(found, key=lambda r: (r.order, r.name))


def report_get(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        known = ", ".join(sorted(REPORTS)) or "none"
        raise ReportError(
            _g("No such report: %(name)s (reports: %(known)s).") % {"name": name, "known": known},
            field="name",
            code="not_found",
        )
    return report


def _date(raw: Any, field_name: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return parse_date(str(raw))
    except DateError as exc:
        raise ReportError(
            _g("%(field)s: %(reason)s") % {"field": field_name, "reason": exc},
            field=field_name,
        ) from exc


def report_request(report: Report, *, user: User | None, raw: Mapping[str, Any]) -> ReportRequest:
    """Parse what a form, a query string or the command line gave (`as_of`, `from`, `to` and
    the report's params) into a request, or raise ReportError naming the field."""
    as_of = _date(raw.get("as_of"), "as_of") or local_today()
    date_from = date_to = None
    if report.period:
        date_to = _date(raw.get("to"), "to") or as_of
        date_from = _date(raw.get("from"), "from") or date_to.replace(day=1)
        if date_from > date_to:
            raise ReportError(
                _g("from: %(start)s is after to: %(end)s")
                % {"start": date_from.isoformat(), "end": date_to.isoformat()},
                field="from",
            )
        if (date_to - date_from).days > 3660:
            raise ReportError(_g("from: a period is at most ten years"), field="from")
    options: dict[str, Any] = {}
    for param in report.params:
        value = raw.get(param.name)
        if value in (None, ""):
            if param.required:
                raise ReportError(
                    _g("%(field)s: required") % {"field": param.name}, field=param.name
                )
            continue
        text = str(value)
        if len(text) > MAX_OPTION_LENGTH or any(ord(c) < 32 for c in text):
            raise ReportError(
                _g("%(field)s: at most %(n)s characters of text")
                % {"field": param.name, "n": MAX_OPTION_LENGTH},
                field=param.name,
            )
        if param.kind == "date":
            options[param.name] = _date(text, param.name)
        elif param.kind == "int":
            try:
                options[param.name] = int(text)
            except ValueError as exc:
                raise ReportError(
                    _g("%(field)s: not a whole number: %(value)s")
                    % {"field": param.name, "value": text},
                    field=param.name,
                ) from exc
        elif param.kind == "choice":
            allowed = [c for c, _label in param.choices]
            if text not in allowed:
                raise ReportError(
                    _g("%(field)s: one of %(allowed)s")
                    % {"field": param.name, "allowed": ", ".join(allowed)},
                    field=param.name,
                )
            options[param.name] = text
        else:
            options[param.name] = text.strip()
    return ReportRequest(
        user=user, as_of=as_of, date_from=date_from, date_to=date_to, options=options
    )


def report_run(
    name: str, *, user: User | None, raw: Mapping[str, Any] | None = None
) -> tuple[Report, ReportRequest, dict]:
    """Check the reader may read it, parse the request, build the report's dict."""
    if user is not None and not user.can("report.read"):
        # Refused before the lookup, so a refusal says nothing about which reports exist.
        raise ReportError(
            _g("Your role (%(role)s) may not read reports.") % {"role": user.role},
            code="forbidden",
        )
    report = report_get(name)
    if user is not None and not user.can(report.capability):
        raise ReportError(
            _g("Your role (%(role)s) may not read this report.") % {"role": user.role},
            code="forbidden",
        )
    request = report_request(report, user=user, raw=raw or {})
    return report, request, report.build(request)


# --- helpers for report authors ---------------------------------------------------------


def money(fen: int | None) -> str:
    """Fen as the reports' amount: a string of yuan with two decimals ("1234.50")."""
    return f"{fen_to_yuan(int(fen or 0)):.2f}"


def rate(part: int | Decimal, whole: int | Decimal, places: int = 4) -> str | None:
    """A ratio as a decimal string (0.8125), None when the whole is zero."""
    if not whole:
        return None
    q = Decimal(1).scaleb(-places)
    return str((Decimal(part) / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP))
