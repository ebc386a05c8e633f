"""Documents filed on a borrower, loan or case: categories, storage, scoped downloads."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "arrears.documents"
    label = "documents"
