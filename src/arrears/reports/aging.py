"""`aging`: loans and balances by bucket and by five-category class, from the end-of-day
snapshot of the as-of date, with the previous month-end beside them.

The figures are the snapshot's own (GROUP BY over eod_loansnapshot), so aging totals equal the
snapshot's sums: the same rows `arrears export snapshot` writes, with the same bucket and
class codes.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from arrears.eod.labels import class_label
from arrears.eod.retention import snapshot_day_on_or_before
from arrears.reports.basis import (
    PRODUCT,
    REGION,
    loan_filter_sql,
    ordered_buckets,
    ordered_classes,
    rows,
    snapshot_day,
)
from arrears.reports.registry import Chart, Column, Report, ReportRequest, Table, money


def aging_figures(request: ReportRequest, day: dt.date) -> dict:
    """One day's aging in the contract's shape (as_of, buckets, classes, total)."""
    scope, params = loan_filter_sql(request)
    found = rows(
        "SELECT s.bucket, s.classification, COUNT(*), SUM(s.outstanding_principal_fen),"
        " SUM(s.total_due_fen) FROM eod_loansnapshot s"
        f" WHERE s.as_of = %s{scope} GROUP BY s.bucket, s.classification",
        [day, *params],
    )
    buckets: dict[str, list[int]] = {}
    classes: dict[str, list[int]] = {}
    for bucket, cls, n, principal, due in found:
        b = buckets.setdefault(bucket, [0, 0, 0])
        c = classes.setdefault(cls, [0, 0])
        b[0] += n
        b[1] += int(principal or 0)
        b[2] += int(due or 0)
        c[0] += n
        c[1] += int(principal or 0)
    total = [sum(v[i] for v in buckets.values()) for i in range(3)]
    return {
        "as_of": day.isoformat(),
        "buckets": [
            {
                "bucket": code,
                "loans": buckets.get(code, [0, 0, 0])[0],
                "outstanding_principal": money(buckets.get(code, [0, 0, 0])[1]),
                "total_due": money(buckets.get(code, [0, 0, 0])[2]),
            }
            for code in ordered_buckets(set(buckets))
        ],
        "classes": [
            {
                "class": code,
                "loans": classes.get(code, [0, 0])[0],
                "outstanding_principal": money(classes.get(code, [0, 0])[1]),
            }
            for code in ordered_classes(set(classes))
        ],
        "total": {
            "loans": total[0],
            "outstanding_principal": money(total[1]),
            "total_due": money(total[2]),
        },
    }


def aging(request: ReportRequest) -> dict:
    day = snapshot_day(request.as_of)
    data = aging_figures(request, day)
    previous = snapshot_day_on_or_before(day.replace(day=1) - dt.timedelta(days=1))
    data["previous_month_end"] = None if previous is None else aging_figures(request, previous)
    return data


def aging_tables(data: dict) -> list[Table]:
    prev = data.get("previous_month_end") or {}
    prev_buckets = {b["bucket"]: b for b in prev.get("buckets", [])}
    prev_classes = {c["class"]: c for c in prev.get("classes", [])}
    since = (
        _("Previous month-end: %(day)s.") % {"day": prev["as_of"]}
        if prev
        else _("No month-end snapshot before this month.")
    )
    bucket_rows = [
        {
            **b,
            "prev_loans": prev_buckets.get(b["bucket"], {}).get("loans") if prev else None,
            "prev_principal": (
                prev_buckets.get(b["bucket"], {}).get("outstanding_principal", "0.00")
                if prev
                else None
            ),
        }
        for b in data["buckets"]
    ]
    total = data["total"]
    total_row = {
        "label": str(_("All loans")),
        **total,
        "prev_loans": prev["total"]["loans"] if prev else None,
        "prev_principal": prev["total"]["outstanding_principal"] if prev else None,
    }
    class_rows = [
        {
            "class": class_label(c["class"]),
            "loans": c["loans"],
            "outstanding_principal": c["outstanding_principal"],
            "prev_loans": prev_classes.get(c["class"], {}).get("loans") if prev else None,
            "prev_principal": (
                prev_classes.get(c["class"], {}).get("outstanding_principal", "0.00")
                if prev
                else None
            ),
        }
        for c in data["classes"]
    ]
    prev_cols = (
        Column("prev_loans", _("Loans at the previous month-end"), "int"),
        Column("prev_principal", _("Outstanding principal at the previous month-end"), "money"),
    )
    return [
        Table(
            key="buckets",
            title=_("By bucket"),
            columns=(
                Column("bucket", _("Bucket")),
                Column("loans", _("Loans"), "int"),
                Column("outstanding_principal", _("Outstanding principal"), "money"),
                Column("total_due", _("Total due"), "money"),
                *prev_cols,
            ),
            rows=bucket_rows,
            chart=Chart("bar", "bucket", ("outstanding_principal", "prev_principal")),
            note=_("End-of-day snapshot of %(day)s. %(since)s")
            % {"day": data["as_of"], "since": since},
        ),
        Table(
            key="classes",
            title=_("By five-category class"),
            columns=(
                Column("class", _("Class")),
                Column("loans", _("Loans"), "int"),
                Column("outstanding_principal", _("Outstanding principal"), "money"),
                *prev_cols,
            ),
            rows=class_rows,
            chart=Chart("bar", "class", ("outstanding_principal", "prev_principal")),
        ),
        Table(
            key="total",
            title=_("Total"),
            columns=(
                Column("label", ""),
                Column("loans", _("Loans"), "int"),
                Column("outstanding_principal", _("Outstanding principal"), "money"),
                Column("total_due", _("Total due"), "money"),
                *prev_cols,
            ),
            rows=[total_row],
        ),
    ]


AGING = Report(
    name="aging",
    label=_("Aging"),
    description=_(
        "Loans and balances by bucket and five-category class from the end-of-day snapshot, "
        "with the previous month-end beside them."
    ),
    build=aging,
    tables=aging_tables,
    params=(REGION, PRODUCT),
    order=10,
)
