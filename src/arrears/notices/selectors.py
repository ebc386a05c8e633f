"""Reads of the notices app. Notices go through the user's scope (a notice is seen by whoever
sees its loan); templates are configuration every role reads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from arrears.core.models import User
from arrears.core.scoping import loan_scope_q
from arrears.notices.models import Notice, NoticeTemplate


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(loan_scope_q(user, "loan__")).select_related(
        "template", "case", "loan", "borrower", "issued_by", "served_by", "document", "receipt"
    )


def notice_for_user(user: User, pk: int) -> Notice:
    """One notice the user may see; Http404 when missing or out of scope alike."""
    notice = notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise Http404("no such notice")
    return notice


def case_notices(user: User, case) -> QuerySet[Notice]:
    return notices_for(user).filter(case=case)


def templates_active() -> QuerySet[NoticeTemplate]:
    """The versions notices can be issued from, one per code."""
    return NoticeTemplate.objects.filter(active=True).order_by("code")


def templates_current() -> list[NoticeTemplate]:
    """The latest version of every template code (active or not), by code."""
    latest: dict[str, NoticeTemplate] = {}
    for template in NoticeTemplate.objects.order_by("code", "-version"):
        latest.setdefault(template.code, template)
    return list(latest.values())


def template_versions(code: str) -> QuerySet[NoticeTemplate]:
    return NoticeTemplate.objects.filter(code=code).order_by("-version")
