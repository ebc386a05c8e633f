"""`collections`: money received in a period, split as the ledger allocated it, by channel and by
collector, team and agency.

The rules (stated on the page and in docs/reports.md):

- Money counted: payments dated in the period (`paid_on` from–to), less waivers (减免 is not
  money), on a loan that was in collection that day — a case opened on or before the payment
  day and closed on or after it (or closed by write-off: recoveries after write-off count).
  Each payment is split as the ledger allocated it (book.Allocation): principal, interest,
  penalty, fees, and what was held as credit (overpaid); `total` is the sum of the parts.
- Who collected it: the collector, team and agency of that case.
- Channel: `agency` when the payment came through an agency or the case sat with one;
  otherwise the channel (call, sms, letter, visit, email) of the last activity on the loan in
  the ARREARS_SELF_PAID_DAYS days up to and including the payment day; `self_paid` when there
  was none.

Set-based: four queries (payments, their allocations grouped per component, the cases and the
activities of those loans) joined and grouped in Polars.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.core.dates import local_zone
from arrears.core.scoping import loan_scope_q
from arrears.reports.frames import frame
from arrears.reports.registry import Chart, Column, ReportRequest, Table, money

CONTACT_CHANNELS = ("call", "sms", "letter", "visit", "email")
CHANNELS = (*CONTACT_CHANNELS, "agency", "self_paid")
CHANNEL_LABELS = {
    "call": _("Call"),
    "sms": _("SMS"),
    "letter": _("Letter"),
    "visit": _("Visit"),
    "email": _("Email"),
    "agency": _("Agency"),
    "self_paid": _("Paid with no contact"),
}
# Allocation components → the report's parts (credit: paid beyond what was owed, held).
PARTS = ("principal", "interest", "penalty", "fees", "credit")
COMPONENT_PART = {
    "principal": "principal",
    "interest": "interest",
    "penalty": "penalty",
    "fee": "fees",
    "credit": "credit",
}
PART_LABELS = {
    "principal": _("Principal"),
    "interest": _("Interest"),
    "penalty": _("Penalty interest"),
    "fees": _("Fees"),
    "credit": _("Overpaid (credit)"),
    "total": _("Total"),
}


def self_paid_days() -> int:
    return int(getattr(settings, "ARREARS_SELF_PAID_DAYS", 30))


def attributed(user, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per payment and part received in the period on a loan in collection, in the
    reader's scope: payment_id, loan_id, paid_on, case_id, collector_id, team_id, agency_id,
    channel, part, fen. The one computation behind `collections`, `performance`'s amount
    collected and the dashboard's collections."""
    from arrears.activities.models import Activity
    from arrears.book.models import WAIVER_CHANNELS, Allocation, Payment
    from arrears.cases.models import Case

    payments = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end).exclude(
        channel__in=WAIVER_CHANNELS
    )
    if user is not None:
        payments = payments.filter(loan_scope_q(user, "loan__"))
    pay = frame(
        payments,
        {"id": pl.Int64, "loan_id": pl.Int64, "paid_on": pl.Date, "channel": pl.String},
    ).rename({"id": "payment_id", "channel": "pay_channel"})
    empty = pl.DataFrame(
        schema={
            "payment_id": pl.Int64,
            "loan_id": pl.Int64,
            "paid_on": pl.Date,
            "case_id": pl.Int64,
            "collector_id": pl.Int64,
            "team_id": pl.Int64,
            "agency_id": pl.Int64,
            "channel": pl.String,
            "part": pl.String,
            "fen": pl.Int64,
        }
    )
    if pay.is_empty():
        return empty
    loans = payments.values("loan_id")
    cases = frame(
        Case.objects.filter(loan_id__in=loans, opened_on__lte=end).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=start) | Q(close_reason="written_off")
        ),
        {
            "id": pl.Int64,
            "loan_id": pl.Int64,
            "opened_on": pl.Date,
            "closed_on": pl.Date,
            "close_reason": pl.String,
            "collector_id": pl.Int64,
            "team_id": pl.Int64,
            "agency_id": pl.Int64,
        },
    ).rename({"id": "case_id"})
    # The case the loan was in on the payment day (the latest opened, if two qualify).
    in_case = (
        pay.join(cases, on="loan_id", how="inner")
        .filter(
            (pl.col("opened_on") <= pl.col("paid_on"))
            & (
                pl.col("closed_on").is_null()
                | (pl.col("closed_on") >= pl.col("paid_on"))
                | (pl.col("close_reason") == "written_off")
            )
        )
        .sort(["payment_id", "opened_on", "case_id"], descending=[False, True, True])
        .unique(subset="payment_id", keep="first", maintain_order=True)
        .drop("opened_on", "closed_on", "close_reason")
    )
    if in_case.is_empty():
        return empty
    days = self_paid_days()
    zone = local_zone()
    since = dt.datetime.combine(start - dt.timedelta(days=days), dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    acts = frame(
        Activity.objects.filter(
            loan_id__in=loans,
            channel__in=CONTACT_CHANNELS,
            occurred_at__gte=since,
            occurred_at__lt=until,
        ),
        {
            "loan_id": pl.Int64,
            "occurred_at": pl.Datetime("us", "UTC"),
            "id": pl.Int64,
            "channel": pl.String,
        },
    )
    last = (
        acts.with_columns(
            pl.col("occurred_at").dt.convert_time_zone(str(zone)).dt.date().alias("act_on")
        )
        .sort(["loan_id", "act_on", "occurred_at", "id"])
        # The day's last activity stands for the day.
        .unique(subset=["loan_id", "act_on"], keep="last", maintain_order=True)
        .select("loan_id", "act_on", pl.col("channel").alias("act_channel"))
        .sort("act_on")
    )
    joined = in_case.sort("paid_on").join_asof(
        last,
        left_on="paid_on",
        right_on="act_on",
        by="loan_id",
        strategy="backward",
        check_sortedness=False,
    )
    joined = joined.with_columns(
        pl.when((pl.col("pay_channel") == "agency") | pl.col("agency_id").is_not_null())
        .then(pl.lit("agency"))
        .when(
            pl.col("act_channel").is_not_null()
            & ((pl.col("paid_on") - pl.col("act_on")).dt.total_days() <= days)
        )
        .then(pl.col("act_channel"))
        .otherwise(pl.lit("self_paid"))
        .alias("channel")
    ).drop("pay_channel", "act_on", "act_channel")
    allocations = frame(
        Allocation.objects.filter(payment_id__in=payments.values("pk"))
        .values("payment_id", "component")
        .annotate(fen=Sum("amount_fen"))
        .order_by(),
        {"payment_id": pl.Int64, "component": pl.String, "fen": pl.Int64},
    ).with_columns(pl.col("component").replace_strict(COMPONENT_PART, default="fees").alias("part"))
    return joined.join(allocations.drop("component"), on="payment_id", how="inner").select(
        empty.columns
    )


def _parts(df: pl.DataFrame) -> dict[str, int]:
    sums = {p: 0 for p in PARTS}
    for part, fen in df.group_by("part").agg(pl.col("fen").sum()).iter_rows():
        sums[part] = int(fen)
    return sums


def _money_parts(fen: dict[str, int]) -> dict[str, str]:
    out = {p: money(fen[p]) for p in PARTS}
    out["total"] = money(sum(fen.values()))
    return out


def _grouped(df: pl.DataFrame, key: str) -> list[tuple[object, int, dict[str, int]]]:
    """(key value, payments, fen per part) per group, largest total first."""
    if df.is_empty():
        return []
    wide = (
        df.group_by(key)
        .agg(
            pl.col("payment_id").n_unique().alias("payments"),
            *[pl.col("fen").filter(pl.col("part") == p).sum().alias(p) for p in PARTS],
        )
        .with_columns(pl.sum_horizontal(list(PARTS)).alias("_total"))
        .sort(["_total", key], descending=[True, False], nulls_last=True)
    )
    return [
        (row[key], int(row["payments"]), {p: int(row[p] or 0) for p in PARTS})
        for row in wide.iter_rows(named=True)
    ]


def _names(model, ids, label) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    return {obj.pk: label(obj) for obj in model.objects.filter(pk__in=ids)} if ids else {}


def user_name(user) -> str:
    return user.get_full_name() or user.username


def collections_build(request: ReportRequest) -> dict:
    from arrears.core.models import Agency, Team, User

    df = attributed(request.user, request.date_from, request.date_to)
    received = _money_parts(_parts(df))
    received["payments"] = int(df["payment_id"].n_unique()) if not df.is_empty() else 0
    by_channel_found = {c: (n, fen) for c, n, fen in _grouped(df, "channel")}
    by_channel = []
    for code in CHANNELS:
        n, fen = by_channel_found.get(code, (0, {p: 0 for p in PARTS}))
        by_channel.append(
            {"channel": code, "label": str(CHANNEL_LABELS[code]), "payments": n} | _money_parts(fen)
        )
    collectors = _grouped(df, "collector_id")
    users = _names(User, [k for k, _n, _f in collectors], user_name)
    teams_g = _grouped(df, "team_id")
    teams = _names(Team, [k for k, _n, _f in teams_g], str)
    agencies_g = _grouped(df, "agency_id")
    agencies = _names(Agency, [k for k, _n, _f in agencies_g], str)
    nobody = _g("(nobody)")
    return {
        "from": request.date_from.isoformat(),
        "to": request.date_to.isoformat(),
        "self_paid_days": self_paid_days(),
        "received": received,
        "by_channel": by_channel,
        "by_collector": [
            {"collector_id": k, "collector": users.get(k, nobody), "payments": n}
            | _money_parts(fen)
            for k, n, fen in collectors
        ],
        "by_team": [
            {"team_id": k, "team": teams.get(k, _g("(no team)")), "payments": n} | _money_parts(fen)
            for k, n, fen in teams_g
        ],
        "by_agency": [
            {"agency_id": k, "agency": agencies.get(k, _g("(in house)")), "payments": n}
            | _money_parts(fen)
            for k, n, fen in agencies_g
        ],
    }


def _part_columns() -> list[Column]:
    return [
        Column("payments", _("Payments"), "int"),
        *[Column(p, PART_LABELS[p], "money") for p in (*PARTS, "total")],
    ]


def collections_tables(data: dict) -> list[Table]:
    received = dict(data["received"], label=_g("Received in the period"))
    rule = _g(
        "Money received on loans in collection, split as the ledger allocated it. Channel: "
        "agency when an agency collected or held the case; else the channel of the last "
        "contact with the loan in the %(days)s days up to the payment day; paid with no "
        "contact when there was none."
    ) % {"days": data["self_paid_days"]}
    return [
        Table(
            key="received",
            title=_("Received"),
            columns=[Column("label", _("Item")), *_part_columns()],
            rows=[received],
            note=rule,
        ),
        Table(
            key="by_channel",
            title=_("By channel"),
            columns=[Column("label", _("Channel")), *_part_columns()],
            rows=data["by_channel"],
            chart=Chart("stacked", "label", ("principal", "interest", "penalty", "fees")),
        ),
        Table(
            key="by_collector",
            title=_("By collector"),
            columns=[Column("collector", _("Collector"), "who"), *_part_columns()],
            rows=data["by_collector"],
            chart=Chart("bar", "collector", ("total",)),
        ),
        Table(
            key="by_team",
            title=_("By team"),
            columns=[Column("team", _("Team")), *_part_columns()],
            rows=data["by_team"],
        ),
        Table(
            key="by_agency",
            title=_("By agency"),
            columns=[Column("agency", _("Agency")), *_part_columns()],
            rows=data["by_agency"],
        ),
    ]
