"""Issue 4, "The case page and the API": one page with everything, and the quick forms.

Every case-work app puts its section on the case page (activities, promises, plans, documents,
notices), each with its form for someone who works the case, and the sticky header leads to the
quick forms to log an outcome, a promise or a note. A read-only role sees the same sections
without a form.
"""

from __future__ import annotations

import pytest

from arrears.cases.tests.conftest import client_for

pytestmark = pytest.mark.django_db

SECTIONS = ("activities", "promises", "plans", "documents", "notices")
FORMS = (
    "/activities/case/{pk}/log/",  # log an outcome (with a promise, an attachment)
    "/activities/case/{pk}/note/",  # a note
    "/promises/case/{pk}/new/",  # a promise on its own
    "/documents/case/{pk}/",  # a document (the upload posts under it)
)


def test_every_section_and_quick_form_is_on_the_case_page(people, case):
    html = client_for(people["carl"]).get(f"/cases/{case.pk}/").content.decode()
    for key in SECTIONS:
        assert f'id="panel-{key}"' in html, key
    for anchor in ("panel-activities", "act-note", "panel-promises", "panel-plans", "profile"):
        assert f'href="#{anchor}"' in html, anchor  # the header's quick actions
    for action in FORMS:
        assert action.format(pk=case.pk) in html, action
    assert 'name="log-outcome"' in html and 'name="log-promise_amount"' in html
    assert 'name="note-note"' in html and "ptp-form" in html


def test_the_auditor_sees_the_sections_without_forms(people, case):
    html = client_for(people["aud"]).get(f"/cases/{case.pk}/").content.decode()
    for key in SECTIONS:
        assert f'id="panel-{key}"' in html, key
    assert 'name="log-outcome"' not in html and 'name="note-note"' not in html
    assert "ptp-form" not in html
