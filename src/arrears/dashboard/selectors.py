"""The morning dashboard's figures: each one read through the report or list it links to
(the reports' build functions, the case list), so the tile and the page behind it agree.

Scoped like everything: a team lead reads the team's figures and target, a manager the book.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Subquery, Sum

from arrears.core.money import div_half_up
from arrears.core.roles import READ_ALL_ROLES
from arrears.reports.registry import REPORTS, ReportRequest


def _fen(amount: str) -> int:
    whole, _, frac = amount.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))


def month_target_fen(user, month: dt.date) -> int | None:
    """The month's target for the reader: the team's for a team lead, every team's summed for
    those who read the whole book; None when none is set."""
    from arrears.dashboard.models import CollectionTarget

    targets = CollectionTarget.objects.filter(month=month.replace(day=1))
    if user is not None and user.role not in READ_ALL_ROLES and not user.is_superuser:
        if not user.team_id:
            return None
        targets = targets.filter(team_id=user.team_id)
    found = targets.aggregate(s=Sum("amount_fen"), n=Count("pk"))
    return int(found["s"]) if found["n"] else None


def day_target_fen(month_fen: int | None, day: dt.date) -> int | None:
    """The month's target spread evenly over its calendar days (half-up to the fen)."""
    if month_fen is None:
        return None
    return div_half_up(month_fen, calendar.monthrange(day.year, day.month)[1])


def _queue_coverage(user, day: dt.date) -> dict | None:
    """Today's queues and how far they are worked, in the reader's scope:
    {"entries": n, "done": n, "people": n} — the queues app's own entries and its own rule
    for done (an activity on the entry's channel logged on its case that day), the figures
    the workbench and the queue pages show. None when the reader sees no queues (a user
    outside any scope: the tile says so)."""
    from arrears.queues.selectors import queue_entries

    if user is None:
        return None
    entries = queue_entries(user=user, on=day).order_by()
    found = {
        "entries": entries.count(),
        "done": entries.filter(done=True).count(),
        "people": entries.values("user_id").distinct().count(),
    }
    return found


@dataclass
class Rolling:
    month_end: dt.date
    previous: dt.date
    worse: int
    same: int
    better: int
    new: int


def _rank(bucket: str) -> tuple[int, str]:
    return (len(bucket), bucket)  # M0 < M1 < … < M7+


def month_ends(limit: int = 2, before: dt.date | None = None) -> list[dt.date]:
    """The latest month-end snapshot days (the last end-of-day of each month)."""
    from django.db.models.functions import TruncMonth

    from arrears.eod.models import LoanSnapshot

    qs = LoanSnapshot.objects.all()
    if before is not None:
        qs = qs.filter(as_of__lte=before)
    days = (
        qs.annotate(m=TruncMonth("as_of"))
        .values("m")
        .annotate(last=Max("as_of"))
        .order_by("-m")
        .values_list("last", flat=True)[: limit + 1]
    )
    ends = [d for d in days if (d + dt.timedelta(days=1)).day == 1]
    return ends[:limit]


def rolling(user, today: dt.date) -> Rolling | None:
    """Loans whose bucket at the latest month-end is worse, the same or better than at the
    month-end before (new: no figures then). One grouped query over the two snapshots."""
    from arrears.core.scoping import loan_scope_q
    from arrears.eod.models import LoanSnapshot

    ends = month_ends(2, before=today)
    if len(ends) < 2:
        return None
    current, previous = ends
    prev = LoanSnapshot.objects.filter(as_of=previous, loan_id=OuterRef("loan_id")).values(
        "bucket"
    )[:1]
    qs = LoanSnapshot.objects.filter(as_of=current)
    if user is not None:
        qs = qs.filter(loan_scope_q(user, "loan__"))
    pairs = (
        qs.annotate(prev=Subquery(prev)).values("prev", "bucket").annotate(n=Count("pk")).order_by()
    )
    out = Rolling(current, previous, 0, 0, 0, 0)
    for p in pairs:  # one row per pair of buckets: a dozen or so
        if p["prev"] is None:
            out.new += p["n"]
        elif _rank(p["bucket"]) > _rank(p["prev"]):
            out.worse += p["n"]
        elif _rank(p["bucket"]) < _rank(p["prev"]):
            out.better += p["n"]
        else:
            out.same += p["n"]
    return out


def morning(*, user, today: dt.date) -> dict:
    """Every tile of the dashboard, each with the figures of the page it links to."""
    from arrears.cases.selectors import case_list
    from arrears.compliance.selectors import calendar_years_missing
    from arrears.reports.collections import collections_build
    from arrears.reports.limitation import limitation_build
    from arrears.reports.promises import promises_build

    yesterday = today - dt.timedelta(days=1)
    month_start = yesterday.replace(day=1)
    day_data = collections_build(
        ReportRequest(user=user, as_of=yesterday, date_from=yesterday, date_to=yesterday)
    )
    mtd_data = collections_build(
        ReportRequest(user=user, as_of=yesterday, date_from=month_start, date_to=yesterday)
    )
    month_fen = month_target_fen(user, month_start)
    day_fen = day_target_fen(month_fen, yesterday)
    collected = _fen(day_data["received"]["total"])
    mtd = _fen(mtd_data["received"]["total"])
    promise_start = today.replace(day=1)
    promise_data = promises_build(
        ReportRequest(user=user, as_of=today, date_from=promise_start, date_to=today)
    )
    limitation = limitation_build(ReportRequest(user=user, as_of=today))
    soon = limitation["windows"][0] if limitation["windows"] else None
    return {
        "today": today,
        "yesterday": yesterday,
        # Deadlines depend on the State Council's arrangement being entered (compliance).
        "calendar_missing": calendar_years_missing(today),
        "calendar_editable": not user.is_read_only and user.can("rulepack.edit"),
        "collections": {
            "collected_fen": collected,
            "target_fen": day_fen,
            "share": None if not day_fen else min(100, round(collected * 100 / day_fen)),
            "month_fen": mtd,
            "month_target_fen": month_fen,
            "month_start": month_start,
        },
        "queues": _queue_coverage(user, today),
        "promises_due": case_list(user=user, status="open", promise="today", today=today).count(),
        "broken": promise_data["total"]["broken"],
        "promise_start": promise_start,
        "limitation": {
            "within_30": soon["loans"] if soon else None,
            "total_due": soon["total_due"] if soon else None,
            "time_barred": limitation["time_barred"]["loans"]
            if limitation["time_barred"]
            else None,
            "figures_of": limitation["figures_of"],
        },
        "rolling": rolling(user, today),
        # The roll-rate report, where one is registered (issue 17's first part).
        "rolling_report": "roll-rates" if "roll-rates" in REPORTS else "",
        "can_edit_targets": user is not None and user.can("target.edit") and not user.is_read_only,
    }
