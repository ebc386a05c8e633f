"""Forms of the notices pages: issue, serve, deliver, sign, and the template editor."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arrears.core.dates import DateError, local_today, parse_date
from arrears.notices.errors import NoticeInvalid
from arrears.notices.models import Notice, NoticeTemplate

PAY_BY_DAYS = 14

# NoticeInvalid codes in the reader's language; others fall back to the service's message.
MESSAGES = {
    "template_inactive": _("This template is not active."),
    "case_closed": _("The case is closed."),
    "nothing_due": _("Nothing is due on the loan as of this date."),
    "pay_by_past": _("The pay-by date must be today or later."),
    "as_of_in_future": _("The amounts' date cannot be after the issue date."),
    "already_served": _("This notice has already been served."),
    "already_delivered": _("This notice's delivery is already recorded."),
    "already_signed": _("This notice has already been signed for."),
    "not_served": _("Record how the notice was served first."),
    "served_on_in_future": _("The date cannot be in the future."),
    "delivered_on_in_future": _("The date cannot be in the future."),
    "signed_on_in_future": _("The date cannot be in the future."),
    "served_before_issue": _("A notice cannot be served before it was issued."),
    "delivered_before_served": _("A notice cannot be delivered before it was served."),
    "signed_before_served": _("A notice cannot be signed for before it was served."),
    "unknown_variable": None,  # the service's message names the variable
    "duplicate_code": _("A template with this code exists already."),
}


class DayField(forms.CharField):
    """A date as lenders write it: 2026-11-28, 2026/11/28 or 2026年11月28日."""

    widget = forms.TextInput(attrs={"placeholder": "2026-11-28", "inputmode": "numeric"})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        # The text is checked as text (length, required), then read as a date.
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except DateError as exc:
            raise forms.ValidationError(
                _("Enter a real date, such as 2026-11-28."), code="bad_date"
            ) from exc


class _NoticeForm(forms.Form):
    def add_invalid(self, error: NoticeInvalid) -> None:
        """Show a refusal on the field it names (or on the whole form)."""
        message = MESSAGES.get(error.code) or error.message
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(message, code=error.code))


class TemplateSelect(forms.Select):
    """Options that carry their template's language (lang="en" on an English template)."""

    languages: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        language = self.languages.get(str(value))
        if language:
            option["attrs"]["lang"] = language
        return option


class IssueForm(_NoticeForm):
    template = forms.ChoiceField(label=_("Template"), widget=TemplateSelect)
    as_of = DayField(label=_("Amounts as of"))
    pay_by = DayField(label=_("Pay by"))

    def __init__(self, *args, templates, **kwargs) -> None:
        today = local_today()
        kwargs.setdefault(
            "initial",
            {
                "as_of": today.isoformat(),
                "pay_by": (today + dt.timedelta(days=PAY_BY_DAYS)).isoformat(),
            },
        )
        super().__init__(*args, **kwargs)
        # The page's language first: a Chinese page offers the Chinese notice first (and
        # preselects it); the others follow, each marked with its language.
        page_zh = (get_language() or "").lower().startswith("zh")
        templates = sorted(
            templates, key=lambda t: (t.language.lower().startswith("zh") != page_zh, t.title)
        )
        self.templates = {str(t.pk): t for t in templates}
        self.fields["template"].choices = [
            (pk, f"{t.title} ({t.code} v{t.version})") for pk, t in self.templates.items()
        ]
        widget = self.fields["template"].widget
        widget.languages = {pk: t.language for pk, t in self.templates.items()}
        if templates and not self.is_bound:
            self.initial.setdefault("template", str(templates[0].pk))

    def clean_template(self) -> NoticeTemplate:
        return self.templates[self.cleaned_data["template"]]


class ServeForm(_NoticeForm):
    method = forms.ChoiceField(label=_("Served by way of"), choices=Notice.ServedMethod.choices)
    served_on = DayField(label=_("Served on"))
    delivered_on = DayField(
        label=_("Delivered on"),
        required=False,
        help_text=_("By post, courier or email: the day it arrived, if known."),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"served_on": local_today().isoformat()})
        super().__init__(*args, **kwargs)


class DeliverForm(_NoticeForm):
    delivered_on = DayField(label=_("Delivered on"))


class SignForm(_NoticeForm):
    signed_on = DayField(label=_("Signed for on"))
    receipt = forms.FileField(label=_("Signed receipt (scan or photo)"))


class TemplateForm(_NoticeForm):
    """A new template, or (without the code) the next version of one."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    language = forms.ChoiceField(label=_("Language"), choices=NoticeTemplate.Language.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Paragraphs separated by blank lines. Variables: {borrower} {loan} {as_of} {pay_by} "
            "{company} {issued_on} {dpd} {principal} {interest} {penalty} {fees} {total_due}; "
            "a paragraph {amounts} places the table of amounts."
        ),
    )
    note = forms.CharField(label=_("Change note"), max_length=300, required=False)

    def __init__(self, *args, revising: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["code"]
