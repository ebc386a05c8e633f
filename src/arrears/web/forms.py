"""Forms of the web pages: the loan-list filters and the payment form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from arrears.book.errors import BookError
from arrears.book.models import Loan, Payment, RepaymentMethod
from arrears.core.dates import DateError, parse_date
from arrears.core.money import MoneyError, to_fen

OVERDUE_CHOICES = [("", _("Any")), ("yes", _("Overdue")), ("no", _("Not overdue"))]

# BookError codes shown in the reader's language; an unknown code falls back to its message.
BOOK_ERROR_MESSAGES = {
    "payment_id_missing": _("A payment ID (流水号) is required."),
    "amount_not_positive": _("The amount must be greater than zero."),
    "paid_before_disbursement": _("The payment date is before the loan was disbursed."),
    "paid_in_future": _("The payment date is in the future."),
    "duplicate_payment_id": _(
        "This payment ID was already posted with a different loan, date or amount."
    ),
    "unknown_channel": _("Choose a channel from the list."),
}


class LoanFilterForm(forms.Form):
    """Search and filters of the loan list (a GET form; bad values are simply ignored)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Loan.Status.choices]
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)
    method = forms.ChoiceField(
        label=_("Repayment method"),
        required=False,
        choices=[("", _("Any")), *RepaymentMethod.choices],
    )
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=OVERDUE_CHOICES)

    def __init__(self, *args, counties: list[str], towns: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Loan ID, name, borrower ID or phone tail"), "type": "search"}
        )
        self.fields["county"].choices = [("", _("Any")), *((c, c) for c in counties)]
        self.fields["town"].choices = [("", _("Any")), *((t, t) for t in towns)]

    def selector_kwargs(self) -> dict:
        """Keyword arguments for book.selectors.loan_list from the valid fields."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "county": data.get("county") or "",
            "town": data.get("town") or "",
            "method": data.get("method") or "",
            "overdue": overdue,
        }


class BorrowerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, counties: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, borrower ID or phone tail"), "type": "search"}
        )
        self.fields["county"].choices = [("", _("Any")), *((c, c) for c in counties)]


class PaymentForm(forms.Form):
    """Post one payment to a loan. Dates and amounts are read as lenders write them."""

    payment_id = forms.CharField(label=_("Payment ID (流水号)"), max_length=64)
    paid_on = forms.CharField(
        label=_("Paid on"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "2026-11-28", "inputmode": "numeric"}),
    )
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "1,000.00", "inputmode": "decimal"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Payment.Channel.choices, initial=Payment.Channel.CASH
    )

    def clean_paid_on(self):
        try:
            return parse_date(self.cleaned_data["paid_on"])
        except DateError as exc:
            raise forms.ValidationError(
                _("Enter a real date, such as 2026-11-28."), code="bad_date"
            ) from exc

    def clean_amount(self):
        try:
            fen = to_fen(self.cleaned_data["amount"])
        except MoneyError as exc:
            raise forms.ValidationError(
                _("Enter an amount in yuan, such as 1,234.56."), code="bad_amount"
            ) from exc
        if fen <= 0:
            raise forms.ValidationError(BOOK_ERROR_MESSAGES["amount_not_positive"])
        return fen

    def add_book_error(self, error: BookError) -> None:
        """Show a refusal of the loan book on the field it names (or on the whole form)."""
        message = BOOK_ERROR_MESSAGES.get(error.code, error.message)
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(message, code=error.code))


class LoginForm(AuthenticationForm):
    """The sign-in form: one message for a wrong name or password, one for a lock.

    Neither says whether the user name exists (core/logins.py locks unknown names too).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password."),
        "locked": _(
            "Too many failed sign-in attempts. Signing in is locked until %(until)s; "
            "an administrator can unlock it sooner."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            refusal = getattr(self.request, "arrears_signin_refusal", None)
            if refusal:
                raise forms.ValidationError(refusal, code="address_refused") from None
            lock = getattr(self.request, "arrears_login_lock", None)
            if lock is None:
                raise
            until = formats.time_format(timezone.localtime(lock.until), "H:i")
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"until": until}
            ) from None
