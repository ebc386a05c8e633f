"""The promises panel of the case page and the "record a promise" action. Thin: parse, call
the selector or service, render or redirect.

The panel shows on the case page (cases:detail); the form posts here and comes back to it. A
case outside the user's scope is a 404; a role that may not record promises gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.promises import selectors, services
from arrears.promises.errors import PromiseForbidden, PromiseInvalid
from arrears.promises.forms import PromiseForm


def case_url(case_id: int, anchor: str = "panel-promises") -> str:
    """The case page (built by the cases app), at the promises panel."""
    try:
        url = reverse("cases:detail", args=[case_id])
    except NoReverseMatch:
        url = f"/cases/{case_id}/"  # the contract's path, until the cases app routes it
    return f"{url}#{anchor}" if anchor else url


def may_record(user, case) -> bool:
    return user.can(services.WORK_CAPABILITY) and not user.is_read_only and case.status == "open"


def case_panel_context(request: HttpRequest, case, *, form: PromiseForm | None = None) -> dict:
    """The promises section of the case page: the case's promises with what has been paid
    towards the pending ones so far, the borrower's record, and the quick form."""
    user = request.user
    today = local_today()
    can_record = may_record(user, case)
    return {
        "case": case,
        "promises": selectors.case_promises(user, case, today=today),
        "counts": selectors.promise_counts(case.borrower),
        "can_record": can_record,
        "form": form or (PromiseForm() if can_record else None),
        "today": today,
        "max_days": selectors.max_days(),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def record(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Record a promise (POST from the case page); the form on its own page shows errors."""
    user = request.user
    case = selectors.case_for(user, case_pk)
    if case is None:
        raise Http404(_("No such case."))
    if user.is_read_only or not user.can(services.WORK_CAPABILITY):
        raise PermissionDenied(_("Your role may not record promises to pay."))
    status = 200
    if request.method == "POST":
        form = PromiseForm(request.POST)
        if form.is_valid():
            try:
                promise = services.promise_record(
                    case=case,
                    amount_fen=form.cleaned_data["amount"],
                    promised_on=form.cleaned_data["promised_on"],
                    actor=user,
                    source="web",
                )
            except PromiseInvalid as exc:
                form.add_promise_error(exc)
            except PromiseForbidden as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(
                    request,
                    _("Promise recorded: %(amount)s yuan by %(date)s.")
                    % {
                        "amount": format_yuan(promise.amount_fen),
                        "date": promise.promised_on.isoformat(),
                    },
                )
                return redirect(case_url(case.pk))
        status = 400
    else:
        form = PromiseForm()
    return render(
        request,
        "promises/record.html",
        {
            "case": case,
            "form": form,
            "case_url": case_url(case.pk),
            "max_days": selectors.max_days(),
        },
        status=status,
    )
