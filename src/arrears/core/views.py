"""The audit trail's pages (/audit/): browse, filter and export; sign-in locks for admins.

Only `audit.read` (administrator, auditor) may browse and export: anyone else gets 403, a
designed answer — the page's existence is no secret, its content is. Lifting sign-in locks
needs `user.manage` (administrator).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from arrears.core.audit import request_ip
from arrears.core.forms import AuditFilterForm
from arrears.core.logins import UnlockError, locks_in_force, login_unlock
from arrears.core.selectors import audit_choices, audit_diff, audit_entries, audit_readable
from arrears.core.services import (
    EXPORT_FORMATS,
    AuditExportError,
    audit_chain_status,
    audit_export,
    audit_verify_record,
)

PAGE_SIZE = 50


@require_safe
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = audit_readable(request.user)
    choices = audit_choices(user=user)
    form = AuditFilterForm(
        request.GET or None,
        object_types=choices["object_types"],
        events=choices["events"],
        people=choices["people"],
    )
    entries = audit_entries(user=user, filters=form.filters()).select_related(None)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    from arrears.core.audit_labels import event_label, object_label
    from arrears.core.forms import SOURCE_LABELS

    names = dict(choices["people"])
    rows = []
    for entry in page.object_list:
        entry.event_words = event_label(entry.event)
        entry.object_words = object_label(entry.object_type) if entry.object_type else ""
        entry.who_name = (
            _("The system")
            if entry.actor_name in ("", "system") and not entry.actor_id
            else names.get(entry.actor_name, entry.actor_name)
        )
        entry.source_words = SOURCE_LABELS.get(entry.source, entry.source)
        # A user is shown by name; other objects by their id (loan ID, case number, …).
        entry.object_shown = (
            names.get(entry.object_id, entry.object_id)
            if entry.object_type == "user"
            else entry.object_id
        )
        rows.append((entry, audit_diff(entry.before, entry.after)))
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "choices": choices,
            "chain": audit_chain_status(live_max=settings.ARREARS_AUDIT_VERIFY_LIVE_MAX),
            "can_unlock": user.can("user.manage"),
        },
    )


@require_safe
@login_required
def audit_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    user = audit_readable(request.user)
    if fmt not in EXPORT_FORMATS:
        return HttpResponse(status=404)
    choices = audit_choices(user=user)
    form = AuditFilterForm(
        request.GET or None,
        object_types=choices["object_types"],
        events=choices["events"],
        people=choices["people"],
    )
    filters = form.filters()
    if form.is_bound and form.errors:
        messages.error(request, _("Fix the filters before exporting."))
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    try:
        export = audit_export(
            user=user, filters=filters, fmt=fmt, source="web", ip=request_ip(request)
        )
    except AuditExportError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    """Check the whole chain now (recorded as `audit.verify`), then back to the list."""
    user = audit_readable(request.user)
    report = audit_verify_record(user=user, source="web", ip=request_ip(request))
    if report.ok:
        messages.success(
            request, _("Chain intact: %(n)s entries verified.") % {"n": report.checked}
        )
    else:
        messages.error(
            request,
            _("Chain broken at entry #%(id)s: %(problem)s")
            % {"id": report.first_bad_id, "problem": report.problem},
        )
    return redirect("audit:list")


def _require_admin(request: HttpRequest):
    if not request.user.can("user.manage"):
        raise PermissionDenied(_("Only an administrator may lift sign-in locks."))
    return request.user


@require_safe
@login_required
def lock_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "core/lock_list.html", {"locks": list(locks_in_force())})


@require_POST
@login_required
def lock_unlock(request: HttpRequest) -> HttpResponse:
    user = _require_admin(request)
    kind = request.POST.get("kind")
    key = request.POST.get("key", "")
    try:
        lifted = login_unlock(
            username=key if kind == "username" else None,
            ip=key if kind == "ip" else None,
            actor=user,
            source="web",
            from_ip=request_ip(request),
        )
    except UnlockError:
        messages.error(request, _("Choose a lock to lift."))
    else:
        if lifted:
            messages.success(request, _("Unlocked %(key)s: signing in works again.") % {"key": key})
        else:
            messages.success(request, _("%(key)s was not locked.") % {"key": key})
    return redirect("audit:locks")
