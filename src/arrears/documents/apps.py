"""Documents filed on a borrower, loan or case: categories, storage, scoped downloads."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "arrears.documents"
    label = "documents"

    def ready(self) -> None:
        from arrears.cases.panels import CasePanel, register_case_panel
        from arrears.documents.views import panel_context
        from arrears.web.navigation import NavItem, nav_register

        register_case_panel(
            CasePanel("documents", "documents/_case_panel.html", panel_context, order=60)
        )
        nav_register(
            NavItem(
                "document_categories",
                _("Document categories"),
                "documents:categories",
                order=90,
                capability="document.categories",
                prefix="/documents/categories/",
            )
        )
