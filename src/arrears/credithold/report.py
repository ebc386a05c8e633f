"""`credit-hold`: the borrowers the origination system should refuse new credit, with the
reasons (credithold.selectors), in the reader's scope. ID numbers masked."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.core.ids import mask_id_number
from arrears.core.scoping import borrowers_for
from arrears.credithold.selectors import REASON_LABELS, REASONS, held, reasons_of
from arrears.reports.registry import Column, ReportRequest, Table, money


def credit_hold_build(request: ReportRequest) -> dict:
    from arrears.book.models import Borrower
    from arrears.eod.models import LoanState

    base = Borrower.objects.all() if request.user is None else borrowers_for(request.user)
    due = (
        LoanState.objects.filter(loan__borrower_id=OuterRef("pk"))
        .order_by()
        .values("loan__borrower_id")
        .annotate(s=Sum("total_due_fen"))
        .values("s")
    )
    rows = (
        held(base)
        .annotate(total_due_fen=Coalesce(Subquery(due), 0))
        .order_by("external_id")
        .values("external_id", "name", "id_number", "total_due_fen", *REASONS)
    )
    borrowers = [
        {
            "borrower": r["external_id"],
            "name": r["name"],
            "id_number": mask_id_number(r["id_number"]),
            "reasons": reasons_of(r),
            "total_due": money(r["total_due_fen"]),
        }
        for r in rows
    ]
    counts = {code: sum(1 for b in borrowers if code in b["reasons"]) for code in REASONS}
    return {
        "as_of": request.as_of.isoformat(),
        "borrowers": borrowers,
        "count": len(borrowers),
        "by_reason": [
            {"reason": code, "label": str(REASON_LABELS[code]), "borrowers": counts[code]}
            for code in REASONS
        ],
    }


def credit_hold_tables(data: dict) -> list[Table]:
    rows = [
        dict(b, reason_labels=[str(REASON_LABELS[r]) for r in b["reasons"]])
        for b in data["borrowers"]
    ]
    return [
        Table(
            key="by_reason",
            title=_("By reason"),
            columns=[Column("label", _("Reason")), Column("borrowers", _("Borrowers"), "int")],
            rows=data["by_reason"],
            note=_g(
                "A borrower is held while any reason stands; the origination system asks "
                "POST /api/v1/credit-hold/check with the ID number."
            ),
        ),
        Table(
            key="borrowers",
            title=_("Borrowers on hold"),
            columns=[
                Column("borrower", _("Borrower ID")),
                Column("name", _("Name")),
                Column("id_number", _("ID number")),
                Column("reason_labels", _("Reasons")),
                Column("total_due", _("Total due"), "money"),
            ],
            rows=rows,
        ),
    ]
