"""The pre-due reminder page (/predue/): installments falling due in the next days.

Thin: parse, call the selector, render. Phones are masked; the roles that may reveal one
do so from the row (audited, as on the borrower page).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from arrears.core.scoping import may_reveal, show_phone
from arrears.eod.reminders import pre_due_for, pre_due_max_days

PAGE_SIZE = 50


def _days(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


@require_safe
@login_required
def predue_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.can("predue.read"):
        raise PermissionDenied(_("Your role does not send pre-due reminders."))
    found = pre_due_for(user, days=_days(request.GET.get("days")))
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, show_phone(user, r.loan.borrower.phone)) for r in page.object_list]
    return render(
        request,
        "eod/predue.html",
        {
            "found": found,
            "page": page,
            "rows": rows,
            "day_choices": range(0, pre_due_max_days() + 1),
            "can_reveal": may_reveal(user, "phone"),
        },
    )
