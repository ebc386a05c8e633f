"""The pages. Thin: parse, call a selector or service, render.

Loans and borrowers are always fetched through the user's scope; one outside it is a 404,
never a 403, so a page does not reveal that it exists. Writes need a capability (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from arrears.book import selectors as book
from arrears.book.errors import BookError
from arrears.book.pii import pii_reveal
from arrears.book.services import payment_post
from arrears.core.audit import request_ip
from arrears.core.dates import DateError
from arrears.core.money import MoneyError, format_yuan
from arrears.core.scoping import may_reveal
from arrears.eod.labels import NON_PERFORMING
from arrears.eod.selectors import borrower_states
from arrears.web import selectors
from arrears.web.forms import BorrowerFilterForm, LoanFilterForm, LoginForm, PaymentForm

PAGE_SIZE = 50


class _LoginView(auth_views.LoginView):
    """The sign-in page. Checking the password is not in a transaction: the attempt is
    counted in its own short one first (core/logins.py), so on SQLite no write lock is held
    while the password is hashed. Signing in is atomic: last_login, the throttle reset and
    the audit entry land together."""

    def form_valid(self, form):
        with transaction.atomic():
            return super().form_valid(form)


login_view = _LoginView.as_view(
    template_name="web/login.html",
    redirect_authenticated_user=True,
    authentication_form=LoginForm,
)
# Atomic: a sign-out and its audit entry land together (core/logins.py writes it).
logout_view = transaction.atomic(auth_views.LogoutView.as_view())


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    figures = selectors.dashboard(user=request.user)
    work = None
    if request.user.can("case.work") and not request.user.is_read_only:
        # Today's callbacks and promises due, until the strategies' workbench replaces it.
        from arrears.cases.selectors import work_today

        work = work_today(user=request.user)
    morning = None
    if request.user.can("report.read"):
        # The morning dashboard for managers and team leads (dashboard app), in their scope.
        from arrears.core.dates import local_today
        from arrears.dashboard.selectors import morning as morning_figures

        morning = morning_figures(user=request.user, today=local_today())
    return render(request, "web/home.html", {"figures": figures, "work": work, "morning": morning})


@require_safe
@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    counties, towns = selectors.region_choices(
        user=request.user, county=request.GET.get("county", "")
    )
    form = LoanFilterForm(request.GET or None, counties=counties, towns=towns)
    loans = book.loan_list(user=request.user, **form.selector_kwargs())
    page = Paginator(book.loan_totals(loans), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/loan_list.html", {"form": form, "page": page})


@require_safe
@login_required
def borrower_list(request: HttpRequest) -> HttpResponse:
    counties, _towns = selectors.region_choices(user=request.user)
    form = BorrowerFilterForm(request.GET or None, counties=counties)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    borrowers = selectors.borrower_list(
        user=request.user, q=data.get("q") or "", county=data.get("county") or ""
    )
    page = Paginator(borrowers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/borrower_list.html", {"form": form, "page": page})


def _render_loan(request: HttpRequest, external_id: str, form: PaymentForm | None, status=200):
    page = selectors.loan_page(user=request.user, external_id=external_id)
    if page is None:
        raise Http404(_("No such loan."))
    can_post = request.user.can("payment.post")
    if can_post and form is None:
        form = PaymentForm()
    return render(
        request,
        "web/loan_detail.html",
        {
            "page": page,
            "loan": page.loan,
            # Who works the loan: its latest case, else its home assignment (loan_holder).
            "holder": page.case or page.loan,
            "p": page.position,
            "payoff": page.payoff,
            "payment_form": form,
            "state": page.state,
            "case": page.case,
            "bucket_history": page.bucket_history,
            "arrangements": page.arrangements,
            "non_performing": NON_PERFORMING,
        },
        status=status,
    )


@require_safe
@login_required
def loan_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    return _render_loan(request, external_id, None)


@require_POST
@login_required
def loan_payment(request: HttpRequest, external_id: str) -> HttpResponse:
    # Capability first: a role that may not post learns nothing about which loans exist.
    if not request.user.can("payment.post"):
        raise PermissionDenied(_("Your role may not post payments."))
    loan = book.loan_get(user=request.user, external_id=external_id)
    if loan is None:
        raise Http404(_("No such loan."))
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment, created = payment_post(
                loan=loan,
                external_id=data["payment_id"],
                paid_on=data["paid_on"],
                amount_fen=data["amount"],
                channel=data["channel"],
                actor=request.user,
                source="web",
            )
        except BookError as exc:
            form.add_book_error(exc)
        except DateError:
            form.add_error("paid_on", _("Enter a real date, such as 2026-11-28."))
        except MoneyError:
            form.add_error("amount", _("Enter an amount in yuan, such as 1,234.56."))
        else:
            if created:
                messages.success(
                    request,
                    _("Payment %(id)s of %(amount)s posted and allocated.")
                    % {"id": payment.external_id, "amount": format_yuan(payment.amount_fen)},
                )
            else:
                messages.info(
                    request,
                    _("Payment %(id)s was already posted; nothing changed.")
                    % {"id": payment.external_id},
                )
            url = reverse("web:loan_detail", args=[loan.external_id])
            return redirect(f"{url}#payment-{payment.pk}")
    return _render_loan(request, external_id, form, status=400)


def _render_borrower(
    request: HttpRequest, external_id: str, revealed: dict | None = None
) -> HttpResponse:
    borrower = book.borrower_get(user=request.user, external_id=external_id)
    if borrower is None:
        raise Http404(_("No such borrower."))
    loans = list(book.loan_totals(book.borrower_loans(user=request.user, borrower=borrower)))
    # The latest end-of-day figures of the loans shown (only those the user may see).
    states = {s.loan_id: s for s in borrower_states(borrower)}
    for loan in loans:
        loan.eod_state = states.get(loan.pk)
    context = {
        "borrower": borrower,
        "person": selectors.borrower_person(request.user, borrower),
        "contacts": selectors.contact_people(request.user, borrower),
        "guarantors": selectors.guarantor_people(request.user, loans),
        "loans": loans,
        # Numbers are masked for everyone; these roles get a button to reveal one (audited).
        "can_reveal_phone": may_reveal(request.user, "phone"),
        "can_reveal_id": may_reveal(request.user, "id_number"),
        "revealed": set(),
    }
    for row in (*context["contacts"], *context["guarantors"]):
        row["revealed"] = set()  # which of this person's numbers the page shows in full
    if revealed:
        selectors.apply_reveal(context, **revealed)
    return render(request, "web/borrower_detail.html", context)


@require_safe
@login_required
def borrower_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    return _render_borrower(request, external_id)


def _id_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@require_POST
@login_required
def borrower_reveal(request: HttpRequest, external_id: str) -> HttpResponse:
    """Show one masked number in full: a deliberate act, audited as `pii.reveal`.

    403 for a role that may not reveal that kind of number, 404 outside the user's scope.
    """
    field = request.POST.get("field", "")
    contact_id = _id_or_none(request.POST.get("contact"))
    guarantor_id = _id_or_none(request.POST.get("guarantor"))
    try:
        value = pii_reveal(
            user=request.user,
            borrower_id=external_id,
            field=field,
            contact_id=contact_id,
            guarantor_id=guarantor_id,
            source="web",
            ip=request_ip(request),
        )
    except BookError as exc:
        return HttpResponseBadRequest(exc.message)
    return _render_borrower(
        request,
        external_id,
        {"field": field, "contact_id": contact_id, "guarantor_id": guarantor_id, "value": value},
    )
