"""Pages of the documents app: download, upload on a case, and the category list.

Thin: parse, call a selector or service, render. A document or case outside the user's scope
is a 404; a write the role may not do is a 403, checked before anything is looked up.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core.audit import request_ip
from arrears.documents import selectors
from arrears.documents.caselinks import case_for, case_url
from arrears.documents.forms import CategoryForm, UploadForm, add_refusal
from arrears.documents.models import DocumentCategory
from arrears.documents.responses import document_response
from arrears.documents.services import (
    DocumentMissing,
    category_create,
    category_update,
    document_file,
)
from arrears.documents.storage import DocumentRefused


def can_file(user) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can("document.file")


def upload_form(data=None, files=None) -> UploadForm:
    return UploadForm(data, files, categories=selectors.categories())


def panel_context(request: HttpRequest, case) -> dict:
    """The documents section of the case page (cases.panels)."""
    user = request.user
    language = get_language()
    documents = list(selectors.case_documents(user, case))
    for d in documents:
        d.category_label = d.category.name_for(language)
    return {
        "case": case,
        "documents": documents,
        "form": upload_form() if can_file(user) else None,
        "language": language,
    }


@require_safe
@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_user(request.user, pk)
    try:
        return document_response(document, actor=request.user, source="web", ip=request_ip(request))
    except DocumentMissing as exc:
        raise Http404(_("The file is missing from the document store.")) from exc


def _render_case(request: HttpRequest, case, form: UploadForm | None, status: int = 200):
    panel = panel_context(request, case)
    if form is not None:
        panel["form"] = form
    context = {"panel": panel, "case": case, "back_url": case_url(case, "documents:case")}
    return render(request, "documents/case_documents.html", context, status=status)


@require_safe
@login_required
def case_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's documents on a page of their own (and where a refused upload is shown)."""
    return _render_case(request, case_for(request.user, case_id), None)


@require_POST
@login_required
def case_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    if not can_file(request.user):
        raise PermissionDenied(_("Your role may not file documents."))
    case = case_for(request.user, case_id)
    form = upload_form(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = document_file(
                fileobj=upload,
                filename=upload.name,
                declared_type=upload.content_type,
                category_code=form.cleaned_data["category"],
                actor=request.user,
                case=case,
                note=form.cleaned_data["note"],
                source="web",
            )
        except DocumentRefused as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request, _("%(name)s filed on the case.") % {"name": document.filename}
            )
            return redirect(case_url(case, "documents:case"))
    return _render_case(request, case, form, status=400)


def _require_manager(user) -> None:
    if user.is_read_only or not user.can("document.categories"):
        raise PermissionDenied(_("Your role may not edit document categories."))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def category_list(request: HttpRequest) -> HttpResponse:
    """The category list with a form to add one (managers and admins)."""
    _require_manager(request.user)
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                category = category_create(
                    code=data["code"],
                    name_zh=data["name_zh"],
                    name_en=data["name_en"],
                    allowed_types=data["allowed_types"],
                    sort_order=data["sort_order"],
                    actor=request.user,
                )
            except DocumentRefused as exc:
                form.add_refusal(exc)
            else:
                messages.success(request, _("Category %(code)s added.") % {"code": category.code})
                return redirect("documents:categories")
        status = 400
    return render(
        request,
        "documents/categories.html",
        {
            "categories": list(selectors.categories(include_retired=True)),
            "form": form,
            "language": get_language(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, change the accepted types, reorder, retire or bring back one category."""
    _require_manager(request.user)
    category = get_object_or_404(DocumentCategory, pk=pk)
    initial = {
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "allowed_types": category.allowed_types,
        "sort_order": category.sort_order,
        "active": category.active,
    }
    form = CategoryForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                category_update(
                    category=category,
                    name_zh=data["name_zh"],
                    name_en=data["name_en"],
                    allowed_types=data["allowed_types"],
                    sort_order=data["sort_order"],
                    active=data["active"],
                    actor=request.user,
                )
            except DocumentRefused as exc:
                form.add_refusal(exc)
            else:
                messages.success(request, _("Category %(code)s saved.") % {"code": category.code})
                return redirect("documents:categories")
        status = 400
    return render(
        request,
        "documents/category_edit.html",
        {"category": category, "form": form, "language": get_language()},
        status=status,
    )
