"""Pre-due reminders over HTTP: GET /api/v1/predue?days=N (scoped, phones masked)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from arrears.api.errors import ApiError, error_responses
from arrears.api.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    PageMeta,
    Yuan,
    page_of,
)
from arrears.core.money import fen_to_yuan
from arrears.core.scoping import show_phone
from arrears.eod.models import PreDue
from arrears.eod.reminders import pre_due_for

predue = Router(tags=["eod"])


class PreDueOut(Schema):
    loan_id: str
    borrower_id: str
    borrower_name: str
    phone: str = Field(description="masked (138****5678); reveal through /borrowers/{id}/reveal")
    installment_number: int
    due_on: dt.date
    amount_due: Yuan = Field(description="what the reminder asks for, in yuan")
    collector: str | None


class PreDuePage(PageMeta):
    as_of: dt.date | None = Field(description="the end-of-day run the list comes from")
    days: int = Field(description="days ahead of as_of that the list covers")
    items: list[PreDueOut]


class PreDueFilters(Schema):
    days: int | None = Field(
        None, ge=0, le=366, description="days ahead (default and at most ARREARS_EOD_PRE_DUE_DAYS)"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _row(user, r: PreDue) -> dict:
    loan = r.loan
    return {
        "loan_id": loan.external_id,
        "borrower_id": loan.borrower.external_id,
        "borrower_name": loan.borrower.name,
        "phone": show_phone(user, loan.borrower.phone),
        "installment_number": r.installment_number,
        "due_on": r.due_on,
        "amount_due": f"{fen_to_yuan(r.amount_fen)}",
        "collector": loan.collector.username if loan.collector_id else None,
    }


@predue.get("", response={200: PreDuePage, **error_responses(403)}, summary="Falling due soon")
def predue_list(request: HttpRequest, filters: Query[PreDueFilters]):
    """Installments falling due in the next `days` days of the latest end-of-day run, on the
    loans you may see, soonest first: the reminder list (到期提醒)."""
    user = request.user
    if not user.can("predue.read"):
        raise ApiError(403, "forbidden", f"your role ({user.role}) does not send reminders")
    found = pre_due_for(user, days=filters.days)
    page = page_of(found.rows, filters.page, filters.page_size)
    page["items"] = [_row(user, r) for r in page["items"]]
    return {**page, "as_of": found.as_of, "days": found.days}
