"""The trip report in the reports registry (`arrears report trip`, GET /api/v1/reports/trip,
the web reports list; JSON, CSV one row per figure, XLSX, PDF)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _build(request) -> dict:
    from arrears.field.trip_report import trip_report

    return trip_report(
        user=request.user,
        region=request.option("region") or "",
        date_from=request.date_from,
        date_to=request.date_to,
    )


FIGURES = (
    ("borrowers", _("Borrowers with an overdue loan")),
    ("visited", _("Visited")),
    ("notices_signed", _("Signed a notice")),
    ("cash_households", _("Paid cash")),
    ("cash_principal", _("Cash: principal")),
    ("cash_interest", _("Cash: interest")),
    ("cash_penalty", _("Cash: penalty")),
    ("intention_households", _("Stated a repayment intention")),
    ("intention_principal", _("Their loans' principal")),
)
UNSIGNED = (
    ("time_barred", _("Time-barred")),
    ("moved_away", _("Moved away")),
    ("refused", _("Refused")),
    ("not_found", _("Not found or not at home")),
    ("other", _("Other")),
)
MONEY = {"cash_principal", "cash_interest", "cash_penalty", "intention_principal"}


def _tables(data: dict) -> list:
    from arrears.reports.registry import Column, Table

    figures = Table(
        key="figures",
        title=_("The week in figures"),
        columns=(Column("figure", _("Figure")), Column("value", _("Value"))),
        rows=[{"figure": str(label), "value": str(data[key])} for key, label in FIGURES],
    )
    villages = Table(
        key="villages",
        title=_("Village committees"),
        columns=(
            Column("name", _("Village")),
            Column("borrowers", _("Borrowers"), "int"),
            Column("population", _("Population"), "int"),
        ),
        rows=[
            {"name": v["name"], "borrowers": v["borrowers"], "population": v["population"]}
            for v in data["villages"]
        ],
    )
    unsigned = Table(
        key="unsigned",
        title=_("Visited, neither signed nor paid"),
        columns=(Column("reason", _("Reason")), Column("households", _("Households"), "int")),
        rows=[{"reason": str(label), "households": data["unsigned"][k]} for k, label in UNSIGNED],
    )
    officials = Table(
        key="needs_officials",
        title=_("Needs help from local officials"),
        columns=(
            Column("loan_id", _("Loan")),
            Column("borrower", _("Borrower")),
            Column("village", _("Village")),
            Column("note", _("Note")),
        ),
        rows=list(data["needs_officials"]),
    )
    plan = Table(
        key="next_plan",
        title=_("Next 7 days"),
        columns=(Column("town", _("Town")), Column("cases", _("Cases"))),
        rows=[
            {"town": p["town"], "cases": " ".join(str(c) for c in p["cases"])}
            for p in data["next_plan"]
        ],
    )
    return [figures, villages, unsigned, officials, plan]


def _csv(data: dict):
    from arrears.field.trip_report import report_rows

    return ("figure", "value"), report_rows(data)


def register() -> None:
    """Add the `trip` report (called from FieldConfig.ready)."""
    try:
        from arrears.reports.registry import Param, Report, report_register
    except ImportError:  # the reports app is not installed
        return
    report_register(
        Report(
            name="trip",
            label=_("Field trip report"),
            description=_(
                "A region's field visits over a period: households visited, notices signed, "
                "cash collected, repayment intentions, why the others did not sign."
            ),
            build=_build,
            tables=_tables,
            params=(
                Param(
                    "region",
                    _("Region"),
                    help=_(
                        "a prefix of the borrowers' region paths, e.g. 四川省/青林县/卧水镇 "
                        "(blank: everywhere)"
                    ),
                ),
            ),
            period=True,
            csv=_csv,
            order=60,
        )
    )
