"""Forms of the documents pages: the upload form and the category editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arrears.documents import storage
from arrears.documents.storage import DocumentRefused

TYPE_CHOICES = [
    (storage.PDF, "PDF"),
    (storage.JPEG, "JPEG"),
    (storage.PNG, "PNG"),
    (storage.MP3, "MP3"),
    (storage.M4A, "M4A"),
    (storage.WAV, "WAV"),
    (storage.AMR, "AMR"),
    (storage.TEXT, _("Plain text")),
]

# DocumentRefused codes in the reader's language; others fall back to the service's message.
REFUSAL_MESSAGES = {
    "unknown_extension": _(
        "This kind of file is not accepted (PDF, JPEG, PNG, MP3, M4A, WAV, AMR, TXT)."
    ),
    "type_not_allowed": _("This category does not accept this kind of file."),
    "empty": _("The file is empty."),
    "unrecognised_content": _("The content is not a PDF, picture, recording or text file."),
    "extension_mismatch": _("The file's name and its content do not match."),
    "declared_type_mismatch": _("The file's declared type and its content do not match."),
    "too_large": _("The file is larger than the limit."),
    "not_text": _("The file is not plain text (UTF-8 or GB18030)."),
    "category_retired": _("This category is retired; choose another."),
    "unknown_category": _("Choose a category from the list."),
}


def add_refusal(form: forms.Form, error: DocumentRefused) -> None:
    """Show a refusal on the field it names (or on the whole form)."""
    message = REFUSAL_MESSAGES.get(error.code, error.message)
    if error.code == "too_large":
        message = f"{message} ({error.message})"
    field = error.field if error.field in form.fields else None
    form.add_error(field, forms.ValidationError(message, code=error.code))


class UploadForm(forms.Form):
    """File a document on a case."""

    category = forms.ChoiceField(label=_("Category"))
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, categories, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        language = get_language()
        self.fields["category"].choices = [(c.code, c.name_for(language)) for c in categories]


class CategoryForm(forms.Form):
    """Add a category, or edit one (the code is fixed once made)."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; fixed once the category exists."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    allowed_types = forms.MultipleChoiceField(
        label=_("Accepted file types"),
        choices=TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every type Arrears can check."),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)
    active = forms.BooleanField(
        label=_("Offered for new uploads"),
        required=False,
        initial=True,
        help_text=_("Untick to retire the category: filed documents keep it."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]

    def add_refusal(self, error: DocumentRefused) -> None:
        add_refusal(self, error)
