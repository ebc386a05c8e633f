"""`limitation`: debts whose limitation period (诉讼时效) ends soon, and those already time-barred.

Read from the end-of-day figures (eod.LoanSnapshot: `limitation_deadline`, `time_barred`,
computed by eod.limitation with every restart event) of the latest end-of-day on or before the
as-of date. Counted are loans with something still owed (`total_due` > 0). The bands are
cumulative: "in 90 days" includes the loans of "in 30 days". One grouped query, and the
nearest deadlines listed (at most LIST_LIMIT).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.core.scoping import loan_scope_q
from arrears.reports.registry import Chart, Column, ReportRequest, Table, money

WINDOWS = (30, 90, 180)
LIST_LIMIT = 500


def snapshot_day(user, as_of: dt.date) -> dt.date | None:
    """The latest end-of-day on or before `as_of` (None before the first)."""
    from arrears.eod.models import LoanSnapshot

    return LoanSnapshot.objects.filter(as_of__lte=as_of).aggregate(d=Max("as_of"))["d"]


def owing(user, day: dt.date):
    """The snapshot rows of `day` in the reader's scope with something owed."""
    from arrears.eod.models import LoanSnapshot

    qs = LoanSnapshot.objects.filter(as_of=day, total_due_fen__gt=0)
    if user is not None:
        qs = qs.filter(loan_scope_q(user, "loan__"))
    return qs


def due_within(as_of: dt.date, days: int) -> Q:
    """Still running, the deadline in the next `days` days (as of day included)."""
    return Q(
        time_barred=False,
        limitation_deadline__gte=as_of,
        limitation_deadline__lte=as_of + dt.timedelta(days=days),
    )


def limitation_build(request: ReportRequest) -> dict:
    as_of = request.as_of
    day = snapshot_day(request.user, as_of)
    out: dict = {"as_of": as_of.isoformat(), "figures_of": day.isoformat() if day else None}
    if day is None:
        out.update({"windows": [], "time_barred": None, "nearest": []})
        return out
    qs = owing(request.user, day)
    aggregates = {}
    for days in WINDOWS:
        aggregates[f"n{days}"] = Count("pk", filter=due_within(as_of, days))
        aggregates[f"p{days}"] = Sum("outstanding_principal_fen", filter=due_within(as_of, days))
        aggregates[f"t{days}"] = Sum("total_due_fen", filter=due_within(as_of, days))
    barred = Q(time_barred=True)
    aggregates.update(
        nb=Count("pk", filter=barred),
        pb=Sum("outstanding_principal_fen", filter=barred),
        tb=Sum("total_due_fen", filter=barred),
    )
    found = qs.aggregate(**aggregates)
    out["windows"] = [
        {
            "days": days,
            "loans": found[f"n{days}"],
            "outstanding_principal": money(found[f"p{days}"]),
            "total_due": money(found[f"t{days}"]),
        }
        for days in WINDOWS
    ]
    out["time_barred"] = {
        "loans": found["nb"],
        "outstanding_principal": money(found["pb"]),
        "total_due": money(found["tb"]),
    }
    nearest = (
        qs.filter(due_within(as_of, WINDOWS[-1]))
        .order_by("limitation_deadline", "loan_id")
        .values(
            "loan__external_id",
            "loan__borrower__name",
            "limitation_deadline",
            "outstanding_principal_fen",
            "total_due_fen",
            "dpd",
        )[:LIST_LIMIT]
    )
    out["nearest"] = [
        {
            "loan": r["loan__external_id"],
            "borrower": r["loan__borrower__name"],
            "deadline": r["limitation_deadline"].isoformat(),
            "days_left": (r["limitation_deadline"] - as_of).days,
            "dpd": r["dpd"],
            "outstanding_principal": money(r["outstanding_principal_fen"]),
            "total_due": money(r["total_due_fen"]),
        }
        for r in nearest
    ]
    return out


def limitation_tables(data: dict) -> list[Table]:
    if data["figures_of"] is None:
        note = _g("No end-of-day has run on or before this day: nothing to read yet.")
    else:
        note = _g(
            "From the end-of-day figures of %(day)s. Bands are cumulative: within 90 days "
            "includes those within 30."
        ) % {"day": data["figures_of"]}
    windows = [dict(w, label=_g("Within %(n)s days") % {"n": w["days"]}) for w in data["windows"]]
    barred = [dict(data["time_barred"], label=_g("Time-barred"))] if data["time_barred"] else []
    money_cols = [
        Column("loans", _("Loans"), "int"),
        Column("outstanding_principal", _("Outstanding principal"), "money"),
        Column("total_due", _("Total due"), "money"),
    ]
    return [
        Table(
            key="windows",
            title=_("Deadlines ahead"),
            columns=[Column("label", _("Deadline")), *money_cols],
            rows=windows + barred,
            chart=Chart("bar", "label", ("total_due",)),
            note=note,
        ),
        Table(
            key="nearest",
            title=_("Nearest deadlines"),
            columns=[
                Column("loan", _("Loan")),
                Column("borrower", _("Borrower")),
                Column("deadline", _("Deadline"), "date"),
                Column("days_left", _("Days left"), "int"),
                Column("dpd", _("DPD"), "int"),
                Column("outstanding_principal", _("Outstanding principal"), "money"),
                Column("total_due", _("Total due"), "money"),
            ],
            rows=data["nearest"],
        ),
    ]
