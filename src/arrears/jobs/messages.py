"""Row errors of an import in the page's language.

The import messages (ingest/errors.py) are English, as the command line prints them and
the API returns them. The upload page shows them in the reader's language: each message
template is looked up in the catalogue (this module lists the templates so `makemessages`
finds them) and filled with the error's parameters; one without a translation stays English.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from arrears.ingest.errors import MESSAGES

TRANSLATED = (
    N_("required column is missing (name it {names})"),
    N_("column {field} appears more than once (also {other})"),
    N_("a value is required"),
    N_("longer than {max} characters"),
    N_("not a date (write 2026-11-28, 2026/11/28 or 2026年11月28日)"),
    N_("impossible date"),
    N_("date is in the future"),
    N_("not an amount of money"),
    N_("more than two decimal places"),
    N_("amount must be greater than zero"),
    N_("amount must not be negative"),
    N_("not a rate"),
    N_("not a whole number"),
    N_("unknown product code"),
    N_("not a mainland mobile or landline number"),
    N_("no such loan"),
    N_("payment date is before loan {loan} was disbursed ({disbursed})"),
    N_(
        "payment ID appears more than once in this file with a different loan, date or "
        "amount (first on row {first})"
    ),
    N_(
        "payment ID was already imported with a different loan, date or amount "
        "({loan}, {paid_on}, {amount})"
    ),
    N_("loan ID appears more than once in this file (first on row {first})"),
)


def row_error_text(error: dict) -> str:
    """The reason of one row error (a RowError.as_dict() with its params) in the language
    of the request; the English message when the template is not translated."""
    template = MESSAGES.get(error.get("code", ""))
    if template is None or "params" not in error:
        return error.get("message", "")
    translated = gettext(template)
    if translated == template:
        return error.get("message", "")
    try:
        return translated.format(**error["params"])
    except (KeyError, IndexError, ValueError):
        return error.get("message", "")
