"""A trip's visit list as people read it: by village in route order, each household with
what it owes today (book.selectors.loan_positions: the ledger, all loans read at once), and
the same as a printable route sheet (core.pdf, Noto Sans SC embedded)."""

from __future__ import annotations

from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.scoping import cases_for


def route_rows(trip, user: User) -> list[dict]:
    """[{"name": village path, "households": [{case_id, borrower, address, principal,
    interest, penalty, total}]}] in the trip's order; cases the user may not see are left out."""
    from arrears.book.selectors import loan_positions

    visible = set(
        cases_for(user).filter(pk__in=trip.stops.values("case_id")).values_list("pk", flat=True)
    )
    stops = [
        s
        for s in trip.stops.select_related("case__borrower", "case__loan").order_by("order", "pk")
        if s.case_id in visible
    ]
    today = local_today()
    positions = loan_positions({s.case.loan_id: today for s in stops})
    villages: list[dict] = []
    for stop in stops:
        if not villages or villages[-1]["name"] != stop.village_path:
            villages.append({"name": stop.village_path, "households": []})
        pos = positions[stop.case.loan_id]
        villages[-1]["households"].append(
            {
                "case_id": stop.case_id,
                "loan_id": stop.case.loan.external_id,
                "borrower": stop.case.borrower.name,
                "address": stop.case.borrower.address,
                "principal": pos.overdue_principal,
                "interest": pos.overdue_interest,
                "penalty": pos.penalty,
                "total": pos.total_due,
            }
        )
    return villages


def route_pdf(trip, user: User) -> bytes:
    """The route sheet: villages in route order, households and their amounts due (fen)."""
    from arrears.core.pdf import render_letter

    rows: list[tuple[str, str | int]] = []
    for village in route_rows(trip, user):
        rows.append((f"【{village['name']}】", ""))
        for h in village["households"]:
            rows.append((f"{h['borrower']}（{h['loan_id']}）{h['address']}", h["total"]))
    members = "、".join(m.get_full_name() or m.username for m in trip.members.all())
    return render_letter(
        title=f"外访路线单：{trip.name}",
        paragraphs=[
            f"日期：{trip.starts_on.isoformat()} 至 {trip.ends_on.isoformat()}",
            f"外访人员：{members}",
            f"应还金额截至 {local_today().isoformat()}（逾期本金、利息、罚息及费用）。",
        ],
        table_heading=("村 / 户", "应还合计（元）"),
        table_rows=rows,
        footer="Arrears · 外访路线单",
    )
