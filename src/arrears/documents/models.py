"""Documents filed on a borrower, loan or case, and the editable list of their categories.

The bytes live on disk, content-addressed by SHA-256 (documents/storage.py); a row here is one
filing of a stored file: what it is, where it is filed, who filed it. Several rows may share one
stored file (the same photo filed on two cases is stored once). Rows are never updated in place
to point at other content: a replacement is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentCategory(models.Model):
    """An editable category (contract, identity, notice receipt, …) with its allowed types."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    # MIME types accepted for this category (see documents/storage.py); empty = all known types.
    allowed_types = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name_plural = "document categories"

    def __str__(self) -> str:
        return self.code

    def name_for(self, language: str | None) -> str:
        return self.name_zh if (language or "").startswith("zh") else self.name_en


class Document(models.Model):
    """One filed document: a stored file, its category and what it is filed on."""

    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(_("file name"), max_length=255)
    category = models.ForeignKey(DocumentCategory, on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey(
        "book.Borrower", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    loan = models.ForeignKey(
        "book.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    note = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=0), name="document_size_nonneg"),
            models.CheckConstraint(
                condition=Q(borrower__isnull=False) | Q(loan__isnull=False) | Q(case__isnull=False),
                name="document_filed_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.category_id})"
