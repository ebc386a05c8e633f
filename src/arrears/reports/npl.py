"""`npl-summary` (不良贷款清收汇总表): the non-performing book at the start of a period and
what collection recovered from it, by region, product, collector and channel.

Definitions (also on the page and in docs/reports.md):
- non-performing (不良) = five-category class substandard, doubtful or loss;
- **at the start**: the loans non-performing in the snapshot of the day before the period
  (or the latest kept before it; a month's report reads the previous month-end). These are
  the cases that entered collection for the period (入催): cases = loans, principal = their
  outstanding principal, amount = outstanding principal + overdue interest + penalty + fees;
- **recovered**: money received in the period on those loans (paid_on in the period, waivers
  excepted), as the ledger allocated it: principal, interest, penalty, fees;
- **written off**: those loans' written-off amount (the write-off register, basis._written_off_sql);
- **cleared**: those loans at DPD 0 in the period's end snapshot (cured or paid off);
- **new**: loans non-performing at the end that were not at the start (shown, not in rates);
- principal recovery rate (本金催回率) = principal recovered ÷ principal at the start;
  amount recovery rate = everything recovered ÷ amount at the start;
  case recovery rate = cases cleared ÷ cases at the start;
- a loan is counted under its region (borrower's, to the chosen level), product, and the
  collector and channel of its latest case: agency when placed with an agency, else legal
  when a legal officer holds it, else field when a field agent does, else phone; so each
  breakdown adds up to the total.

One query of per-loan rows for the loans non-performing at the start or the end (a small
share of the book), grouped four ways in Polars.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.utils.translation import gettext_lazy as _

from arrears.eod.retention import snapshot_day_on_or_before
from arrears.reports.basis import (
    NON_PERFORMING,
    PRODUCT,
    REGION,
    _written_off_sql,
    frame,
    loan_filter_sql,
    received_sql,
    snapshot_day,
)
from arrears.reports.registry import Chart, Column, Param, Report, ReportRequest, Table, money, rate

LEVELS = (
    ("province", _("Province")),
    ("county", _("County")),
    ("town", _("Town")),
    ("village", _("Village")),
)
CHANNELS = {
    "phone": _("Phone (in-house)"),
    "field": _("Field"),
    "legal": _("Legal"),
    "agency": _("Agency"),
    "unassigned": _("Unassigned"),
}

_SCHEMA = {
    "loan_id": pl.Int64,
    "province": pl.Utf8,
    "county": pl.Utf8,
    "town": pl.Utf8,
    "village": pl.Utf8,
    "product": pl.Utf8,
    "product_name": pl.Utf8,
    "collector_id": pl.Int64,
    "channel": pl.Utf8,
    "np_start": pl.Int64,
    "p0": pl.Int64,
    "a0": pl.Int64,
    "np_end": pl.Int64,
    "dpd_end": pl.Int64,
    "p1": pl.Int64,
    "r_principal": pl.Int64,
    "r_interest": pl.Int64,
    "r_penalty": pl.Int64,
    "r_fee": pl.Int64,
    "written": pl.Int64,
}
SUMS = (
    "cases_start",
    "principal_start",
    "amount_start",
    "recovered_principal",
    "recovered_interest",
    "recovered_penalty",
    "recovered_fees",
    "written_off",
    "cases_cleared",
    "cases_new",
    "principal_new",
)
MONEY = {
    "principal_start",
    "amount_start",
    "recovered_principal",
    "recovered_interest",
    "recovered_penalty",
    "recovered_fees",
    "recovered_total",
    "written_off",
    "principal_new",
}


def npl_loans(request: ReportRequest, start_day: dt.date | None, end_day: dt.date) -> pl.DataFrame:
    """Per loan non-performing at the start or the end: its dimensions and figures (fen)."""
    np_list = ", ".join(f"'{c}'" for c in NON_PERFORMING)
    # No start snapshot (before the first run): nothing was non-performing at the start.
    d0 = start_day or dt.date(1, 1, 1)
    recv, recv_params = received_sql(
        request.date_from, request.date_to, among="SELECT loan_id FROM pop"
    )
    written, written_params, _source = _written_off_sql(request, end_day)
    scope, scope_params = loan_filter_sql(request, "pop.loan_id")
    sql = (
        "WITH pop AS ("
        f" SELECT loan_id FROM eod_loansnapshot WHERE as_of = %s AND classification IN ({np_list})"
        " UNION"
        f" SELECT loan_id FROM eod_loansnapshot WHERE as_of = %s AND classification IN ({np_list})"
        "), latest AS ("
        " SELECT loan_id, MAX(id) AS id FROM cases_case"
        " WHERE loan_id IN (SELECT loan_id FROM pop) GROUP BY loan_id"
        ")"
        " SELECT pop.loan_id, b.province, b.county, b.town, b.village, pr.code, pr.name,"
        " c.collector_id,"
        " CASE WHEN c.id IS NULL THEN 'unassigned' WHEN c.agency_id IS NOT NULL THEN 'agency'"
        " WHEN c.legal_officer_id IS NOT NULL THEN 'legal'"
        " WHEN c.field_agent_id IS NOT NULL THEN 'field'"
        " WHEN c.collector_id IS NOT NULL OR c.team_id IS NOT NULL THEN 'phone'"
        " ELSE 'unassigned' END,"
        f" CASE WHEN s0.classification IN ({np_list}) THEN 1 ELSE 0 END,"
        " COALESCE(s0.outstanding_principal_fen, 0),"
        " COALESCE(s0.outstanding_principal_fen + s0.overdue_interest_fen + s0.penalty_fen"
        " + s0.fees_fen, 0),"
        f" CASE WHEN s1.classification IN ({np_list}) THEN 1 ELSE 0 END,"
        " COALESCE(s1.dpd, 0), COALESCE(s1.outstanding_principal_fen, 0),"
        " COALESCE(r.principal, 0), COALESCE(r.interest, 0), COALESCE(r.penalty, 0),"
        " COALESCE(r.fee, 0), COALESCE(w.amount, 0)"
        " FROM pop"
        " JOIN book_loan l ON l.id = pop.loan_id"
        " JOIN book_borrower b ON b.id = l.borrower_id"
        " JOIN book_product pr ON pr.id = l.product_id"
        " LEFT JOIN latest ON latest.loan_id = pop.loan_id"
        " LEFT JOIN cases_case c ON c.id = latest.id"
        " LEFT JOIN eod_loansnapshot s0 ON s0.as_of = %s AND s0.loan_id = pop.loan_id"
        " LEFT JOIN eod_loansnapshot s1 ON s1.as_of = %s AND s1.loan_id = pop.loan_id"
        f" LEFT JOIN ({recv}) r ON r.loan_id = pop.loan_id"
        f" LEFT JOIN ({written}) w ON w.loan_id = pop.loan_id"
        f" WHERE 1 = 1{scope}"
    )
    params = [d0, end_day, d0, end_day, *recv_params, *written_params, *scope_params]
    return frame(sql, params, _SCHEMA)


def _figures(df: pl.DataFrame) -> pl.DataFrame:
    """Per-loan figures as the report counts them (see the module docstring)."""
    start = pl.col("np_start") == 1
    return df.select(
        pl.exclude(
            "np_start",
            "p0",
            "a0",
            "np_end",
            "dpd_end",
            "p1",
            "r_principal",
            "r_interest",
            "r_penalty",
            "r_fee",
            "written",
        ),
        start.cast(pl.Int64).alias("cases_start"),
        pl.when(start).then(pl.col("p0")).otherwise(0).alias("principal_start"),
        pl.when(start).then(pl.col("a0")).otherwise(0).alias("amount_start"),
        pl.when(start).then(pl.col("r_principal")).otherwise(0).alias("recovered_principal"),
        pl.when(start).then(pl.col("r_interest")).otherwise(0).alias("recovered_interest"),
        pl.when(start).then(pl.col("r_penalty")).otherwise(0).alias("recovered_penalty"),
        pl.when(start).then(pl.col("r_fee")).otherwise(0).alias("recovered_fees"),
        pl.when(start).then(pl.col("written")).otherwise(0).alias("written_off"),
        (start & (pl.col("dpd_end") == 0)).cast(pl.Int64).alias("cases_cleared"),
        (~start & (pl.col("np_end") == 1)).cast(pl.Int64).alias("cases_new"),
        pl.when(~start & (pl.col("np_end") == 1))
        .then(pl.col("p1"))
        .otherwise(0)
        .alias("principal_new"),
    )


def _row(sums: dict) -> dict:
    out: dict = {}
    recovered = sum(
        int(sums[k])
        for k in (
            "recovered_principal",
            "recovered_interest",
            "recovered_penalty",
            "recovered_fees",
        )
    )
    sums = {**{k: int(sums.get(k) or 0) for k in SUMS}, "recovered_total": recovered}
    for key, value in sums.items():
        out[key] = money(value) if key in MONEY else value
    out["principal_recovery_rate"] = rate(sums["recovered_principal"], sums["principal_start"])
    out["amount_recovery_rate"] = rate(recovered, sums["amount_start"])
    out["case_recovery_rate"] = rate(sums["cases_cleared"], sums["cases_start"])
    return out


def _grouped(df: pl.DataFrame, keys: list[str]) -> list[dict]:
    if df.height == 0:
        return []
    grouped = df.group_by(keys).agg([pl.col(k).sum() for k in SUMS]).sort(keys, nulls_last=True)
    return [{**{k: r[k] for k in keys}, **_row(r)} for r in grouped.iter_rows(named=True)]


def npl_summary(request: ReportRequest) -> dict:
    end_day = snapshot_day(request.date_to, "to")
    start_day = snapshot_day_on_or_before(request.date_from - dt.timedelta(days=1))
    level = request.option("level", "town")
    names = [code for code, _label in LEVELS]
    parts = names[: names.index(level) + 1]
    df = _figures(npl_loans(request, start_day, end_day))
    df = df.with_columns(
        pl.concat_str([pl.col(p).fill_null("") for p in parts], separator="/")
        .str.replace_all("/+", "/")
        .str.strip_chars("/")
        .alias("region")
    )
    from arrears.core.models import User

    by_collector = _grouped(df, ["collector_id"])
    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=[r["collector_id"] for r in by_collector if r["collector_id"]]
        )
    }
    for r in by_collector:
        user = people.get(r.pop("collector_id"))
        r["collector"] = user.username if user else None
        r["collector_name"] = (user.get_full_name() or user.username) if user else None
    totals = {k: df[k].sum() if df.height else 0 for k in SUMS}
    return {
        "from": request.date_from.isoformat(),
        "to": request.date_to.isoformat(),
        "start_snapshot": start_day.isoformat() if start_day else None,
        "end_snapshot": end_day.isoformat(),
        "region_level": level,
        "total": _row(totals),
        "by_region": _grouped(df, ["region"]),
        "by_product": _grouped(df, ["product", "product_name"]),
        "by_collector": by_collector,
        "by_channel": _grouped(df, ["channel"]),
    }


def _columns(first: Column) -> tuple[Column, ...]:
    return (
        first,
        Column("cases_start", _("Cases at the start"), "int"),
        Column("principal_start", _("Principal at the start"), "money"),
        Column("amount_start", _("Amount at the start"), "money"),
        Column("recovered_principal", _("Principal recovered"), "money"),
        Column("recovered_interest", _("Interest recovered"), "money"),
        Column("recovered_penalty", _("Penalty recovered"), "money"),
        Column("recovered_fees", _("Fees recovered"), "money"),
        Column("recovered_total", _("Recovered in all"), "money"),
        Column("written_off", _("Written off"), "money"),
        Column("cases_cleared", _("Cases cleared"), "int"),
        Column("principal_recovery_rate", _("Principal recovery rate"), "percent"),
        Column("amount_recovery_rate", _("Amount recovery rate"), "percent"),
        Column("case_recovery_rate", _("Case recovery rate"), "percent"),
        Column("cases_new", _("New non-performing cases"), "int"),
        Column("principal_new", _("New non-performing principal"), "money"),
    )


NOTE = _(
    "Non-performing = substandard, doubtful or loss. At the start: the loans non-performing "
    "in the snapshot of %(start)s (cases, outstanding principal, and amount = principal + "
    "overdue interest + penalty + fees). Recovered: money paid on them from %(from)s to "
    "%(to)s, as the ledger allocated it (waivers excepted). Cleared: at DPD 0 in the snapshot "
    "of %(end)s. Principal recovery rate (本金催回率) = principal recovered ÷ principal at the "
    "start; amount recovery rate = recovered in all ÷ amount at the start; case recovery rate "
    "= cases cleared ÷ cases at the start. New: non-performing at the end, not at the start "
    "(outside the rates). A loan counts under its latest case's collector and channel "
    "(agency, else legal, else field, else phone)."
)


def npl_tables(data: dict) -> list[Table]:
    note = NOTE % {
        "start": data["start_snapshot"] or "—",
        "from": data["from"],
        "to": data["to"],
        "end": data["end_snapshot"],
    }
    unassigned = str(_("Unassigned"))
    by_product = [
        {**r, "product": f"{r['product']} {r['product_name']}"} for r in data["by_product"]
    ]
    by_collector = [
        {**r, "collector": r["collector_name"] or unassigned} for r in data["by_collector"]
    ]
    by_channel = [
        {**r, "channel": str(CHANNELS.get(r["channel"], r["channel"]))} for r in data["by_channel"]
    ]
    by_region = [{**r, "region": r["region"] or unassigned} for r in data["by_region"]]
    return [
        Table(
            key="total",
            title=_("Total"),
            columns=_columns(Column("label", "")),
            rows=[{**data["total"], "label": str(_("All non-performing loans"))}],
            note=note,
        ),
        Table(
            key="by_region",
            title=_("By region"),
            columns=_columns(Column("region", _("Region"))),
            rows=by_region,
            chart=Chart("bar", "region", ("principal_start", "recovered_total")),
        ),
        Table(
            key="by_product",
            title=_("By product"),
            columns=_columns(Column("product", _("Product"))),
            rows=by_product,
        ),
        Table(
            key="by_collector",
            title=_("By collector"),
            columns=_columns(Column("collector", _("Collector"))),
            rows=by_collector,
        ),
        Table(
            key="by_channel",
            title=_("By channel"),
            columns=_columns(Column("channel", _("Channel"))),
            rows=by_channel,
            chart=Chart("bar", "channel", ("principal_start", "recovered_total")),
        ),
    ]


NPL_SUMMARY = Report(
    name="npl-summary",
    label=_("NPL collection summary (不良贷款清收汇总表)"),
    description=_(
        "The non-performing book at the start of a period and what was recovered from it, by "
        "region, product, collector and channel, with principal, amount and case recovery "
        "rates."
    ),
    build=npl_summary,
    tables=npl_tables,
    params=(
        Param("level", _("Region level"), kind="choice", choices=LEVELS),
        REGION,
        PRODUCT,
    ),
    period=True,
    background=True,
    order=20,
)
