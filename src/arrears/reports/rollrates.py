"""`roll-rates` (迁徙率): how loans moved between buckets from one month-end to the next,
and the cure rates, from the month-end snapshots (eod/retention.py keeps them for good).

One set-based query: the month-end snapshots joined to the next month-end's on the loan,
grouped by (month, bucket then, bucket now). Definitions (on the page, in docs/reports.md):
- roll rate of bucket B = loans in B at a month-end that are in a later bucket at the next
  month-end ÷ loans in B at the first; the principal roll rate weighs each loan by its
  outstanding principal at the first month-end (the classic 迁徙率 M1→M2 by balance);
- cure rate of bucket B = loans in B that are current (M0) at the next month-end ÷ loans in B;
- a month-end is the latest snapshot day of a calendar month that has ended by the as-of date.
"""

from __future__ import annotations

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.eod.retention import month_end_days
from arrears.reports.basis import PRODUCT, REGION, loan_filter_sql, ordered_buckets, rows
from arrears.reports.registry import (
    Chart,
    Column,
    Param,
    Report,
    ReportError,
    ReportRequest,
    Table,
    money,
    rate,
)

MAX_MONTHS = 36


def _day(value):
    import datetime as dt

    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def transitions(request: ReportRequest, ends: list) -> list[tuple]:
    """(from month-end, bucket then, bucket at the next month-end, loans, principal then)."""
    if len(ends) < 2:
        return []
    pairs = list(zip(ends, ends[1:], strict=False))
    values = ", ".join(["(%s, %s)"] * len(pairs))
    scope, params = loan_filter_sql(request, "s0.loan_id")
    found = rows(
        f"WITH m(a, b) AS (VALUES {values})"
        " SELECT s0.as_of, s0.bucket, s1.bucket, COUNT(*), SUM(s0.outstanding_principal_fen)"
        " FROM m JOIN eod_loansnapshot s0 ON s0.as_of = m.a"
        " JOIN eod_loansnapshot s1 ON s1.as_of = m.b AND s1.loan_id = s0.loan_id"
        f" WHERE 1 = 1{scope}"
        " GROUP BY s0.as_of, s0.bucket, s1.bucket",
        [d for pair in pairs for d in pair] + params,
    )
    return [(_day(a), b0, b1, int(n), int(p or 0)) for a, b0, b1, n, p in found]


def roll_rates(request: ReportRequest) -> dict:
    months = request.option("months", 6)
    if not 1 <= months <= MAX_MONTHS:
        raise ReportError(_g("months: from 1 to %(n)s") % {"n": MAX_MONTHS}, field="months")
    ends = month_end_days(until=request.as_of)[-(months + 1) :]
    found = transitions(request, ends)
    buckets = ordered_buckets({b for _a, b0, b1, _n, _p in found for b in (b0, b1)})
    order = {b: i for i, b in enumerate(buckets)}
    periods = []
    for first, then in zip(ends, ends[1:], strict=False):
        cells = [t for t in found if t[0] == first]
        out_rows = []
        for bucket in buckets:
            moves = {b1: (n, p) for _a, b0, b1, n, p in cells if b0 == bucket}
            loans = sum(n for n, _p in moves.values())
            principal = sum(p for _n, p in moves.values())
            worse = [b for b in moves if order[b] > order[bucket]]
            rolled = sum(moves[b][0] for b in worse)
            rolled_principal = sum(moves[b][1] for b in worse)
            last = order[bucket] == len(buckets) - 1
            cured = moves.get(buckets[0], (0, 0))[0]
            out_rows.append(
                {
                    "bucket": bucket,
                    "loans": loans,
                    "outstanding_principal": money(principal),
                    "to": {b: moves.get(b, (0, 0))[0] for b in buckets},
                    "roll_rate": None if last else rate(rolled, loans),
                    "principal_roll_rate": None if last else rate(rolled_principal, principal),
                    "cure_rate": None if order[bucket] == 0 else rate(cured, loans),
                }
            )
        periods.append({"from": first.isoformat(), "to": then.isoformat(), "rows": out_rows})
    return {
        "as_of": request.as_of.isoformat(),
        "months": [d.isoformat() for d in ends],
        "buckets": buckets,
        "periods": periods,
    }


NOTE = _(
    "Roll rate = loans in the bucket at the first month-end that are in a later bucket at the "
    "next ÷ loans in the bucket; by principal, weighed by outstanding principal at the first "
    "month-end. Cure rate = loans in the bucket that are current (M0) at the next month-end ÷ "
    "loans in the bucket. A month-end is the latest snapshot day of an ended month."
)


def roll_rate_tables(data: dict) -> list[Table]:
    buckets = data["buckets"]
    tables = []
    if not data["periods"]:
        tables.append(
            Table(
                key="roll",
                title=_("Roll rate by month"),
                columns=(Column("period", _("Month")),),
                rows=[],
                note=_("Fewer than two month-end snapshots up to %(day)s.")
                % {"day": data["as_of"]},
            )
        )
        return tables
    summary_cols = tuple(Column(f"b{i}", b, "percent") for i, b in enumerate(buckets))
    roll_rows = []
    cure_rows = []
    for period in data["periods"]:
        label = f"{period['from']} → {period['to']}"
        roll_rows.append(
            {"period": label, **{f"b{i}": r["roll_rate"] for i, r in enumerate(period["rows"])}}
        )
        cure_rows.append(
            {"period": label, **{f"b{i}": r["cure_rate"] for i, r in enumerate(period["rows"])}}
        )
    tables.append(
        Table(
            key="roll",
            title=_("Roll rate by month"),
            columns=(Column("period", _("Month")), *summary_cols[:-1]),
            rows=roll_rows,
            chart=Chart("line", "period", tuple(c.key for c in summary_cols[:-1])),
            note=NOTE,
        )
    )
    tables.append(
        Table(
            key="cure",
            title=_("Cure rate by month"),
            columns=(Column("period", _("Month")), *summary_cols[1:]),
            rows=cure_rows,
            chart=Chart("line", "period", tuple(c.key for c in summary_cols[1:])),
        )
    )
    for period in reversed(data["periods"]):
        matrix = [
            {
                "bucket": r["bucket"],
                "loans": r["loans"],
                "outstanding_principal": r["outstanding_principal"],
                **{f"to{i}": r["to"][b] for i, b in enumerate(buckets)},
                "roll_rate": r["roll_rate"],
                "principal_roll_rate": r["principal_roll_rate"],
                "cure_rate": r["cure_rate"],
            }
            for r in period["rows"]
        ]
        tables.append(
            Table(
                key=f"matrix-{period['to']}",
                title=_("From %(start)s to %(end)s")
                % {"start": period["from"], "end": period["to"]},
                columns=(
                    Column("bucket", _("Bucket")),
                    Column("loans", _("Loans"), "int"),
                    Column("outstanding_principal", _("Outstanding principal"), "money"),
                    *(
                        Column(f"to{i}", _("→ %(bucket)s") % {"bucket": b}, "int")
                        for i, b in enumerate(buckets)
                    ),
                    Column("roll_rate", _("Roll rate"), "percent"),
                    Column("principal_roll_rate", _("Roll rate by principal"), "percent"),
                    Column("cure_rate", _("Cure rate"), "percent"),
                ),
                rows=matrix,
            )
        )
    return tables


ROLL_RATES = Report(
    name="roll-rates",
    label=_("Roll rates (迁徙率)"),
    description=_(
        "How loans moved between buckets from one month-end to the next, with cure rates."
    ),
    build=roll_rates,
    tables=roll_rate_tables,
    params=(
        Param("months", _("Months"), kind="int", help=_("How many month-over-month steps (6)")),
        REGION,
        PRODUCT,
    ),
    background=True,
    order=30,
)
