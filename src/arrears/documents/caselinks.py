"""The case a documents or notices page is about, fetched through scope, and the way back to it."""

from __future__ import annotations

from django.http import Http404
from django.urls import NoReverseMatch, reverse

from arrears.core.scoping import cases_for


def case_for(user, pk: int):
    """The case, or Http404 when it does not exist or the user may not see it.

    The cases app's `case_for_user` is the one answer; until it exists the same rule is applied
    here through core.scoping (a case is seen by whoever sees its loan).
    """
    try:
        from arrears.cases.selectors import case_for_user
    except ImportError:
        case = cases_for(user).select_related("loan", "borrower").filter(pk=pk).first()
        if case is None:
            raise Http404("no such case") from None
        return case
    return case_for_user(user, pk)


def case_url(case, fallback: str) -> str:
    """The case page (cases:detail), or `fallback` (a url name taking the case id) while the
    case page is not routed."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return reverse(fallback, args=[case.pk])
