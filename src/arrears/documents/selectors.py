"""Reads of the documents app, always through the requesting user's scope.

A document is seen by whoever can see what it is filed on, judged by its most specific filing:
the case if it has one, else the loan, else the borrower. So a photo filed on carl's case is
not visible to cora because she works another loan of the same borrower.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from arrears.core.models import User
from arrears.core.roles import READ_ALL_ROLES
from arrears.core.scoping import borrowers_for, cases_for, loans_for
from arrears.documents.models import Document, DocumentCategory


def documents_for(user: User) -> QuerySet[Document]:
    """The documents `user` may see and download."""
    qs = Document.objects.select_related("category", "uploaded_by", "case", "loan", "borrower")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in READ_ALL_ROLES or user.is_superuser:
        return qs
    return qs.filter(
        Q(case__isnull=False, case__in=cases_for(user).values("pk"))
        | Q(case__isnull=True, loan__isnull=False, loan__in=loans_for(user).values("pk"))
        | Q(
            case__isnull=True,
            loan__isnull=True,
            borrower__in=borrowers_for(user).values("pk"),
        )
    )


def document_for_user(user: User, pk: int) -> Document:
    """One document the user may see; Http404 when it is missing or out of scope alike."""
    document = documents_for(user).filter(pk=pk).first()
    if document is None:
        raise Http404("no such document")
    return document


def case_documents(user: User, case) -> QuerySet[Document]:
    """What the case page lists: documents on the case, and those filed on its loan or its
    borrower without a case (a contract, an ID card), that the user may see."""
    return documents_for(user).filter(
        Q(case=case)
        | Q(case__isnull=True, loan=case.loan_id)
        | Q(case__isnull=True, loan__isnull=True, borrower=case.borrower_id)
    )


def categories(*, include_retired: bool = False) -> QuerySet[DocumentCategory]:
    """The category list (configuration, not personal data: no user needed). Uploads offer only
    the active ones."""
    qs = DocumentCategory.objects.all()
    return qs if include_retired else qs.filter(active=True)
