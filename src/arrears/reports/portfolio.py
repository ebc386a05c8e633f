"""`portfolio`: the company summary of a period (the seed's second section): loans disbursed,
the balance at the end, income, principal and interest recovery rates, the non-performing
ratio by five-category class, and written-off amounts with the recoveries on them.

Definitions (also on the page and in docs/reports.md):
- money counts on the day it was paid (paid_on in the period), split as the ledger allocated
  it; waivers (减免) are not money received;
- income = interest + penalty interest + fees received;
- principal recovery rate = principal received in the period on installments due by the end
  ÷ (overdue principal at the start + principal falling due in the period); the interest rate
  likewise. "At the start" is the snapshot of the day before the period (or the latest kept
  before it);
- non-performing = substandard + doubtful + loss; the ratio is their outstanding principal ÷
  all outstanding principal, from the snapshot at the period's end.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from arrears.eod.labels import class_label
from arrears.eod.retention import snapshot_day_on_or_before
from arrears.reports.basis import (
    COMPONENTS,
    NON_PERFORMING,
    PRODUCT,
    REGION,
    _written_off,
    loan_filter_sql,
    ordered_classes,
    rows,
    snapshot_day,
)
from arrears.reports.registry import Chart, Column, Report, ReportRequest, Table, money, rate


def _int(v) -> int:
    return int(v or 0)


def portfolio(request: ReportRequest) -> dict:
    start, end = request.date_from, request.date_to
    end_day = snapshot_day(end, "to")
    start_day = snapshot_day_on_or_before(start - dt.timedelta(days=1))

    scope_l, p_l = loan_filter_sql(request, "l.id")
    n, amount = rows(
        "SELECT COUNT(*), SUM(l.principal_fen) FROM book_loan l"
        f" WHERE l.disbursed_on >= %s AND l.disbursed_on <= %s{scope_l}",
        [start, end, *p_l],
    )[0]

    scope_s, p_s = loan_filter_sql(request)
    by_class = rows(
        "SELECT s.classification, COUNT(*), SUM(s.outstanding_principal_fen),"
        " SUM(CASE WHEN s.outstanding_principal_fen > 0 OR s.total_due_fen > 0 THEN 1 ELSE 0"
        " END), SUM(s.total_due_fen)"
        f" FROM eod_loansnapshot s WHERE s.as_of = %s{scope_s} GROUP BY s.classification",
        [end_day, *p_s],
    )
    classes = {c: (_int(k), _int(p)) for c, k, p, _o, _d in by_class}
    owing = sum(_int(o) for *_x, o, _d in by_class)
    balance = sum(p for _k, p in classes.values())
    total_due = sum(_int(d) for *_x, d in by_class)
    np_loans = sum(classes.get(c, (0, 0))[0] for c in NON_PERFORMING)
    np_principal = sum(classes.get(c, (0, 0))[1] for c in NON_PERFORMING)

    scope_a, p_a = loan_filter_sql(request, "a.loan_id")
    sums = ", ".join(
        f"SUM(CASE WHEN a.component = '{c}' THEN a.amount_fen ELSE 0 END)"
        for c in (*COMPONENTS, "credit")
    )
    received = rows(
        f"SELECT {sums},"
        " SUM(CASE WHEN a.component = 'principal' AND i.due_on <= %s THEN a.amount_fen"
        " ELSE 0 END),"
        " SUM(CASE WHEN a.component = 'interest' AND i.due_on <= %s THEN a.amount_fen"
        " ELSE 0 END)"
        " FROM book_allocation a JOIN book_payment p ON p.id = a.payment_id"
        " LEFT JOIN book_installment i ON i.id = a.installment_id"
        " WHERE p.paid_on >= %s AND p.paid_on <= %s AND p.channel <> 'waiver'"
        f"{scope_a}",
        [end, end, start, end, *p_a],
    )[0]
    principal, interest, penalty, fee, credit, principal_owed_paid, interest_owed_paid = (
        _int(v) for v in received
    )

    scope_i, p_i = loan_filter_sql(request, "i.loan_id")
    due_principal, due_interest = rows(
        "SELECT SUM(i.principal_due_fen), SUM(i.interest_due_fen) FROM book_installment i"
        f" WHERE i.due_on >= %s AND i.due_on <= %s{scope_i}",
        [start, end, *p_i],
    )[0]
    overdue_principal = overdue_interest = 0
    if start_day is not None:
        overdue_principal, overdue_interest = (
            _int(v)
            for v in rows(
                "SELECT SUM(s.overdue_principal_fen), SUM(s.overdue_interest_fen)"
                f" FROM eod_loansnapshot s WHERE s.as_of = %s{scope_s}",
                [start_day, *p_s],
            )[0]
        )
    principal_owed = overdue_principal + _int(due_principal)
    interest_owed = overdue_interest + _int(due_interest)

    written = _written_off(request, end_day)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "start_snapshot": start_day.isoformat() if start_day else None,
        "end_snapshot": end_day.isoformat(),
        "disbursed": {"loans": _int(n), "amount": money(amount)},
        "balance": {
            "loans": owing,
            "outstanding_principal": money(balance),
            "total_due": money(total_due),
        },
        "received": {
            "principal": money(principal),
            "interest": money(interest),
            "penalty": money(penalty),
            "fees": money(fee),
            "credit": money(credit),
            "total": money(principal + interest + penalty + fee + credit),
        },
        "income": {
            "interest": money(interest),
            "penalty": money(penalty),
            "fees": money(fee),
            "total": money(interest + penalty + fee),
        },
        "recovery": {
            "principal_owed": money(principal_owed),
            "principal_recovered": money(principal_owed_paid),
            "principal_rate": rate(principal_owed_paid, principal_owed),
            "interest_owed": money(interest_owed),
            "interest_recovered": money(interest_owed_paid),
            "interest_rate": rate(interest_owed_paid, interest_owed),
        },
        "classes": [
            {
                "class": c,
                "loans": classes.get(c, (0, 0))[0],
                "outstanding_principal": money(classes.get(c, (0, 0))[1]),
                "share": rate(classes.get(c, (0, 0))[1], balance),
            }
            for c in ordered_classes(set(classes))
        ],
        "non_performing": {
            "loans": np_loans,
            "outstanding_principal": money(np_principal),
            "ratio": rate(np_principal, balance),
        },
        "written_off": {
            "loans": written["loans"],
            "amount": money(written["amount_fen"]),
            "recovered": money(written["recovered_fen"]),
            "source": written["source"],
        },
    }


def portfolio_tables(data: dict) -> list[Table]:
    r, inc, rec = data["received"], data["income"], data["recovery"]
    money_rows = [
        {
            "figure": str(_("Loans disbursed")),
            "amount": data["disbursed"]["amount"],
            "loans": data["disbursed"]["loans"],
        },
        {
            "figure": str(_("Outstanding principal at the end")),
            "amount": data["balance"]["outstanding_principal"],
            "loans": data["balance"]["loans"],
        },
        {
            "figure": str(_("Total due at the end")),
            "amount": data["balance"]["total_due"],
            "loans": None,
        },
        {"figure": str(_("Principal received")), "amount": r["principal"], "loans": None},
        {"figure": str(_("Interest income")), "amount": inc["interest"], "loans": None},
        {"figure": str(_("Penalty interest income")), "amount": inc["penalty"], "loans": None},
        {"figure": str(_("Fee income")), "amount": inc["fees"], "loans": None},
        {"figure": str(_("Held as credit")), "amount": r["credit"], "loans": None},
        {"figure": str(_("Money received in all")), "amount": r["total"], "loans": None},
        {
            "figure": str(_("Written off")),
            "amount": data["written_off"]["amount"],
            "loans": data["written_off"]["loans"],
        },
        {
            "figure": str(_("Recovered on written-off loans")),
            "amount": data["written_off"]["recovered"],
            "loans": None,
        },
    ]
    rate_rows = [
        {
            "figure": str(_("Principal recovery rate")),
            "owed": rec["principal_owed"],
            "recovered": rec["principal_recovered"],
            "rate": rec["principal_rate"],
        },
        {
            "figure": str(_("Interest recovery rate")),
            "owed": rec["interest_owed"],
            "recovered": rec["interest_recovered"],
            "rate": rec["interest_rate"],
        },
    ]
    np = data["non_performing"]
    class_rows = [{**c, "class": class_label(c["class"])} for c in data["classes"]]
    class_rows.append(
        {
            "class": str(_("Non-performing (substandard + doubtful + loss)")),
            "loans": np["loans"],
            "outstanding_principal": np["outstanding_principal"],
            "share": np["ratio"],
        }
    )
    start = data["start_snapshot"] or str(_("none"))
    written_note = _(
        "Written off: loans written off in the period and the amount written off (principal, "
        "interest, penalty, fees); recovered: money received in the period on written-off "
        "loans after their write-off (the write-off register's rule)."
    )
    return [
        Table(
            key="summary",
            title=_("The period in figures"),
            columns=(
                Column("figure", _("Figure")),
                Column("loans", _("Loans"), "int"),
                Column("amount", _("Amount"), "money"),
            ),
            rows=money_rows,
            note=_(
                "%(start)s to %(end)s. Money counts on the day it was paid, as the ledger "
                "allocated it; waivers are not money received. Balances from the snapshot "
                "of %(snap)s. %(written)s"
            )
            % {
                "start": data["from"],
                "end": data["to"],
                "snap": data["end_snapshot"],
                "written": written_note,
            },
        ),
        Table(
            key="recovery",
            title=_("Recovery rates"),
            columns=(
                Column("figure", _("Figure")),
                Column("owed", _("Owed in the period"), "money"),
                Column("recovered", _("Recovered"), "money"),
                Column("rate", _("Rate"), "percent"),
            ),
            rows=rate_rows,
            note=_(
                "Owed = overdue at the start (snapshot of %(start)s) + falling due in the "
                "period; recovered = received in the period on installments due by its "
                "end."
            )
            % {"start": start},
        ),
        Table(
            key="classes",
            title=_("Non-performing ratio by five-category class"),
            columns=(
                Column("class", _("Class")),
                Column("loans", _("Loans"), "int"),
                Column("outstanding_principal", _("Outstanding principal"), "money"),
                Column("share", _("Share of the balance"), "percent"),
            ),
            rows=class_rows,
            chart=Chart("bar", "class", ("outstanding_principal",)),
        ),
    ]


PORTFOLIO = Report(
    name="portfolio",
    label=_("Portfolio"),
    description=_(
        "Loans disbursed, balance, income, recovery rates, non-performing ratio and write-offs "
        "over a period."
    ),
    build=portfolio,
    tables=portfolio_tables,
    params=(REGION, PRODUCT),
    period=True,
    order=5,
)
