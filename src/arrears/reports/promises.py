"""`promises`: promises to pay made in the period, and how they stand — kept, partly kept,
broken, still pending or superseded (promises.judging decides at end-of-day) — in all, by the
collector who took them and by the case's debtor type.

A promise counts in the period it was made (`created_on`); its status is the one it has now.
Amounts: promised and, as end-of-day last counted, paid towards it. Grouped in SQL.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.core.scoping import case_scope_q
from arrears.reports.registry import Chart, Column, ReportRequest, Table, money, rate

STATUSES = ("kept", "partly_kept", "broken", "pending", "superseded")


def _promises(request: ReportRequest):
    from arrears.promises.models import Promise

    qs = Promise.objects.filter(created_on__gte=request.date_from, created_on__lte=request.date_to)
    if request.user is not None:
        qs = qs.filter(case_scope_q(request.user, "case__"))
    return qs


def _counts(qs, key: str) -> dict:
    """Per value of `key`: made, each status, promised and paid fen (one grouped query)."""
    aggregates = {
        "made": Count("pk"),
        "promised_fen": Sum("amount_fen"),
        "paid_fen": Sum("paid_fen"),
        **{s: Count("pk", filter=Q(status=s)) for s in STATUSES},
    }
    if key:
        rows = qs.values(key).annotate(**aggregates).order_by()
    else:
        rows = [qs.aggregate(**aggregates)]
    return {(r[key] if key else None): r for r in rows}


def _row(found: dict) -> dict:
    judged = found["kept"] + found["partly_kept"] + found["broken"]
    return {
        "made": found["made"],
        **{s: found[s] for s in STATUSES},
        "promised": money(found["promised_fen"]),
        "paid": money(found["paid_fen"]),
        "kept_rate": rate(found["kept"], judged),
    }


def promises_build(request: ReportRequest) -> dict:
    from arrears.cases.models import DebtorType
    from arrears.core.models import User
    from arrears.reports.collections import user_name

    qs = _promises(request)
    total = _row(_counts(qs, "")[None])
    by_user = _counts(qs, "created_by_id")
    users = {u.pk: user_name(u) for u in User.objects.filter(pk__in=[k for k in by_user if k])}
    by_type = _counts(qs, "case__debtor_type_id")
    zh = (get_language() or "").startswith("zh")
    types = {
        t.pk: (t.code, t.name_zh if zh else t.name_en)
        for t in DebtorType.objects.filter(pk__in=[k for k in by_type if k])
    }
    collectors = sorted(
        (
            {"collector_id": k, "collector": users.get(k, _g("(system)"))} | _row(v)
            for k, v in by_user.items()
        ),
        key=lambda r: (-r["made"], r["collector"]),
    )
    debtor_types = sorted(
        (
            {
                "debtor_type": types[k][0] if k in types else None,
                "label": types[k][1] if k in types else _g("(not set)"),
            }
            | _row(v)
            for k, v in by_type.items()
        ),
        key=lambda r: (-r["made"], r["label"]),
    )
    return {
        "from": request.date_from.isoformat(),
        "to": request.date_to.isoformat(),
        "total": total,
        "by_collector": collectors,
        "by_debtor_type": debtor_types,
    }


def _columns() -> list[Column]:
    return [
        Column("made", _("Made"), "int"),
        Column("kept", _("Kept"), "int"),
        Column("partly_kept", _("Partly kept"), "int"),
        Column("broken", _("Broken"), "int"),
        Column("pending", _("Pending"), "int"),
        Column("superseded", _("Superseded"), "int"),
        Column("promised", _("Promised"), "money"),
        Column("paid", _("Paid towards them"), "money"),
        Column("kept_rate", _("Kept rate"), "percent"),
    ]


def promises_tables(data: dict) -> list[Table]:
    total = dict(data["total"], label=_g("All promises made in the period"))
    note = _g(
        "Promises made in the period, with their status now. Kept rate: kept ÷ (kept + partly "
        "kept + broken); pending and superseded promises are not judged."
    )
    return [
        Table(
            key="total",
            title=_("Promises"),
            columns=[Column("label", _("Item")), *_columns()],
            rows=[total],
            note=note,
        ),
        Table(
            key="by_collector",
            title=_("By collector"),
            columns=[Column("collector", _("Collector"), "who"), *_columns()],
            rows=data["by_collector"],
            chart=Chart("stacked", "collector", ("kept", "partly_kept", "broken", "pending")),
        ),
        Table(
            key="by_debtor_type",
            title=_("By debtor type"),
            columns=[Column("label", _("Debtor type")), *_columns()],
            rows=data["by_debtor_type"],
            chart=Chart("stacked", "label", ("kept", "partly_kept", "broken", "pending")),
        ),
    ]
