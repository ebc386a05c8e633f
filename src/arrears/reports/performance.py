"""`performance`: per collector, team and agency over a period.

- attempts: activities logged in the period (corrections are not new attempts), by who logged
  them (their team and agency for the team and agency rows);
- right-party contacts: those whose outcome reached the debtor (activities.RIGHT_PARTY_OUTCOMES);
  contact rate = right-party contacts ÷ attempts;
- promises: promises to pay taken in the period by that person; kept rate = kept ÷ judged
  (kept, partly kept, broken), as the `promises` report counts them;
- collected: the `collections` report's total for the case's collector, team and agency;
- time to first contact: for cases opened in the period, days from the case opening to its
  first activity, median and average over the cases contacted, per the case's collector,
  team and agency; cases with no activity yet are counted apart.

Grouped in SQL; the medians in Polars over one row per case.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.core.dates import local_zone
from arrears.core.scoping import case_scope_q
from arrears.reports.collections import attributed, user_name
from arrears.reports.frames import frame
from arrears.reports.registry import Chart, Column, ReportRequest, Table, money, rate

DIMENSIONS = (
    # key in the dict, actor's column (activities, promises), case column
    ("collector", "created_by_id", "collector_id"),
    ("team", "created_by__team_id", "team_id"),
    ("agency", "created_by__agency_id", "agency_id"),
)


def _bounds(request: ReportRequest) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    return (
        dt.datetime.combine(request.date_from, dt.time.min, tzinfo=zone),
        dt.datetime.combine(request.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _first_contact(request: ReportRequest, column: str) -> dict:
    """Per value of the case's `column`: cases opened, contacted, median and average days."""
    from arrears.cases.models import Case

    cases = Case.objects.filter(opened_on__gte=request.date_from, opened_on__lte=request.date_to)
    if request.user is not None:
        cases = cases.filter(case_scope_q(request.user))
    df = frame(
        cases.annotate(
            first_at=Min("activities__occurred_at", filter=Q(activities__corrects__isnull=True))
        ),
        {column: pl.Int64, "opened_on": pl.Date, "first_at": pl.Datetime("us", "UTC")},
    )
    if df.is_empty():
        return {}
    df = df.with_columns(
        (pl.col("first_at").dt.convert_time_zone(str(local_zone())).dt.date() - pl.col("opened_on"))
        .dt.total_days()
        .clip(lower_bound=0)
        .alias("days")
    )
    grouped = df.group_by(column).agg(
        pl.len().alias("opened"),
        pl.col("days").count().alias("contacted"),
        pl.col("days").median().alias("median"),
        pl.col("days").mean().alias("mean"),
    )
    return {row[column]: row for row in grouped.iter_rows(named=True)}


def _days(value) -> str | None:
    return None if value is None else f"{value:.1f}"


def performance_build(request: ReportRequest) -> dict:
    from arrears.activities.models import RIGHT_PARTY_OUTCOMES, Activity
    from arrears.core.models import Agency, Team, User
    from arrears.promises.models import Promise

    start, end = _bounds(request)
    acts = Activity.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, corrects__isnull=True
    )
    promises = Promise.objects.filter(
        created_on__gte=request.date_from, created_on__lte=request.date_to
    )
    if request.user is not None:
        acts = acts.filter(case_scope_q(request.user, "case__"))
        promises = promises.filter(case_scope_q(request.user, "case__"))
    money_df = attributed(request.user, request.date_from, request.date_to)
    names = {
        "collector": lambda ids: {u.pk: user_name(u) for u in User.objects.filter(pk__in=ids)},
        "team": lambda ids: {t.pk: t.name for t in Team.objects.filter(pk__in=ids)},
        "agency": lambda ids: {a.pk: a.name for a in Agency.objects.filter(pk__in=ids)},
    }
    nobody = {
        "collector": _g("(nobody)"),
        "team": _g("(no team)"),
        "agency": _g("(in house)"),
    }
    out: dict = {"from": request.date_from.isoformat(), "to": request.date_to.isoformat()}
    for dim, actor_col, case_col in DIMENSIONS:
        attempts = {
            r[actor_col]: r
            for r in acts.values(actor_col)
            .annotate(
                attempts=Count("pk"),
                rpc=Count("pk", filter=Q(outcome__in=RIGHT_PARTY_OUTCOMES)),
            )
            .order_by()
        }
        made = {
            r[actor_col]: r
            for r in promises.values(actor_col)
            .annotate(
                made=Count("pk"),
                kept=Count("pk", filter=Q(status="kept")),
                judged=Count("pk", filter=Q(status__in=("kept", "partly_kept", "broken"))),
            )
            .order_by()
        }
        collected = {}
        if not money_df.is_empty():
            collected = {
                k: int(v)
                for k, v in money_df.group_by(case_col).agg(pl.col("fen").sum()).iter_rows()
            }
        first = _first_contact(request, case_col)
        keys = set(attempts) | set(made) | set(collected) | set(first)
        if dim != "collector":
            # Rows for the in-house work only when someone in-house did some.
            keys = {k for k in keys if k is not None} | ({None} if None in keys else set())
        labels = names[dim]([k for k in keys if k is not None])
        rows = []
        for key in keys:
            a = attempts.get(key, {"attempts": 0, "rpc": 0})
            p = made.get(key, {"made": 0, "kept": 0, "judged": 0})
            f = first.get(key)
            rows.append(
                {
                    f"{dim}_id": key,
                    dim: labels.get(key, nobody[dim]),
                    "attempts": a["attempts"],
                    "right_party_contacts": a["rpc"],
                    "contact_rate": rate(a["rpc"], a["attempts"]),
                    "promises": p["made"],
                    "promises_kept": p["kept"],
                    "promise_kept_rate": rate(p["kept"], p["judged"]),
                    "collected": money(collected.get(key, 0)),
                    "cases_opened": int(f["opened"]) if f else 0,
                    "cases_contacted": int(f["contacted"]) if f else 0,
                    "first_contact_median_days": _days(f["median"]) if f else None,
                    "first_contact_average_days": _days(f["mean"]) if f else None,
                }
            )
        rows.sort(key=lambda r: (r[f"{dim}_id"] is None, -r["attempts"], str(r[dim])))
        out[f"by_{dim}"] = rows
    return out


def _columns() -> list[Column]:
    return [
        Column("attempts", _("Attempts"), "int"),
        Column("right_party_contacts", _("Right-party contacts"), "int"),
        Column("contact_rate", _("Contact rate"), "percent"),
        Column("promises", _("Promises"), "int"),
        Column("promise_kept_rate", _("Promise-kept rate"), "percent"),
        Column("collected", _("Collected"), "money"),
        Column("cases_opened", _("Cases opened"), "int"),
        Column("first_contact_median_days", _("Days to first contact (median)"), "text"),
        Column("first_contact_average_days", _("Days to first contact (average)"), "text"),
    ]


def performance_tables(data: dict) -> list[Table]:
    note = _g(
        "Attempts, contacts and promises count who logged them; collected and time to first "
        "contact count the case's collector, team and agency. Time to first contact: days from "
        "the case opening to its first activity, for cases opened in the period."
    )
    return [
        Table(
            key="by_collector",
            title=_("By collector"),
            columns=[Column("collector", _("Collector"), "who"), *_columns()],
            rows=data["by_collector"],
            chart=Chart("bar", "collector", ("attempts", "right_party_contacts")),
            note=note,
        ),
        Table(
            key="by_team",
            title=_("By team"),
            columns=[Column("team", _("Team")), *_columns()],
            rows=data["by_team"],
        ),
        Table(
            key="by_agency",
            title=_("By agency"),
            columns=[Column("agency", _("Agency")), *_columns()],
            rows=data["by_agency"],
        ),
    ]
