"""Compliance pages: which rule pack each product follows and the LPR table (administrators),
and the report of overrides (managers, auditors, administrators).

Thin: the writes are compliance.services.product_rulepack_set and lpr_set, each audited in
its transaction. The pack and LPR pages need `rulepack.edit` (403 otherwise, reading
included: the command line `arrears rulepack` is there for everyone else); the override
report needs `compliance.overrides.read`. A pack's own page (its rules and version history)
is read by whoever may read the override report as well; editing one rule there
(`rule_edit`, through compliance.services.rulepack_revise) needs `rulepack.edit`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arrears.book.models import Product
from arrears.compliance import errors
from arrears.compliance.errors import ComplianceError
from arrears.compliance.forms import (
    CalendarDayForm,
    LprForm,
    OverrideFilterForm,
    ProductPackForm,
    RuleEditForm,
)
from arrears.compliance.models import LprRate, ProductRulePack, RuleOverride, RulePack
from arrears.compliance.selectors import (
    default_pack_code,
    lpr_in_force,
    override_entries,
    override_rows,
    override_summary,
    overrides_readable,
    pack_current,
    packs_current,
)
from arrears.compliance.services import (
    OVERRIDE_EXPORT_FORMATS,
    lpr_set,
    override_export,
    product_rulepack_set,
    rulepack_revise,
)
from arrears.core.audit import request_ip
from arrears.core.dates import local_today


def _require_editor(request: HttpRequest) -> None:
    if request.user.is_read_only or not request.user.can("rulepack.edit"):
        raise PermissionDenied(_("Only an administrator may change rule packs and the LPR table."))


def _render_packs(request: HttpRequest, failed: tuple[int, ProductPackForm] | None = None):
    packs = packs_current()
    by_code = {p.code: p for p in packs}
    chosen = dict(ProductRulePack.objects.values_list("product_id", "pack_code"))
    default = default_pack_code()
    rows = []
    for product in Product.objects.order_by("code"):
        code = chosen.get(product.pk, default)
        if failed is not None and failed[0] == product.pk:
            form = failed[1]
        else:
            form = ProductPackForm(initial={"pack": code}, packs=packs, prefix=f"p{product.pk}")
        rows.append(
            {
                "product": product,
                "pack": by_code.get(code),
                "code": code,
                "is_default": product.pk not in chosen,
                "form": form,
            }
        )
    return render(
        request,
        "compliance/packs.html",
        {"rows": rows, "packs": packs, "default_code": default, "can_edit": _can_edit(request)},
        status=400 if failed else 200,
    )


@require_http_methods(["GET", "HEAD"])
@login_required
def packs(request: HttpRequest) -> HttpResponse:
    """Every product with the pack it follows, and a form to change it; the packs themselves.
    Managers and auditors read it without the forms."""
    _require_pack_reader(request)
    return _render_packs(request)


@require_POST
@login_required
def product_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """Make one product follow another (switched-on) pack; audited as `rulepack.assign`."""
    _require_editor(request)
    product = get_object_or_404(Product, pk=pk)
    form = ProductPackForm(request.POST, packs=packs_current(), prefix=f"p{product.pk}")
    if form.is_valid():
        try:
            product_rulepack_set(
                product=product,
                code=form.cleaned_data["pack"],
                actor=request.user,
                source="web",
                ip=request_ip(request),
            )
        except ComplianceError as exc:
            form.add_refusal(exc)
        else:
            messages.success(
                request,
                _("Product %(product)s now follows %(pack)s.")
                % {"product": product.code, "pack": form.cleaned_data["pack"]},
            )
            return redirect("compliance:packs")
    return _render_packs(request, (product.pk, form))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def lpr(request: HttpRequest) -> HttpResponse:
    """The one-year and five-year LPR by month, and a form to enter or correct a month (the
    table is read-only for managers and auditors)."""
    _require_pack_reader(request)
    can_edit = _can_edit(request)
    if request.method == "POST":
        _require_editor(request)
    form = LprForm(request.POST or None) if can_edit else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = lpr_set(
                    month=data["month"],
                    one_year_rate=data["one_year_rate"],
                    five_year_rate=data["five_year_rate"],
                    source=data["source"],
                    published_on=data["published_on"],
                    actor=request.user,
                    audit_source="web",
                    ip=request_ip(request),
                )
            except ComplianceError as exc:
                form.add_refusal(exc)
            else:
                messages.success(
                    request,
                    _("LPR for %(month)s saved: one-year %(rate)s.")
                    % {"month": f"{row.month:%Y-%m}", "rate": f"{row.one_year_rate:.2%}"},
                )
                return redirect("compliance:lpr")
        status = 400
    today = local_today()
    in_force = lpr_in_force(today)
    return render(
        request,
        "compliance/lpr.html",
        {
            "form": form,
            "rates": [
                {"row": r, "one": f"{r.one_year_rate:.2%}", "five": f"{r.five_year_rate:.2%}"}
                for r in LprRate.objects.order_by("-month")
            ],
            "in_force": in_force,
            "in_force_rate": f"{in_force.one_year_rate:.2%}" if in_force else "",
            "today": today,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The State Council holiday calendar that moves limitation deadlines (Civil Code art. 203),
    by year, and a form to enter, correct or remove a day (audited; the next end-of-day run
    is full)."""
    from arrears.compliance.selectors import calendar_years_missing
    from arrears.compliance.services import calendar_day_remove, calendar_day_set
    from arrears.core.dates import local_today
    from arrears.core.models import CalendarDay

    _require_editor(request)
    form = CalendarDayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] == "remove":
                    calendar_day_remove(
                        day=data["day"],
                        actor=request.user,
                        audit_source="web",
                        ip=request_ip(request),
                    )
                else:
                    calendar_day_set(
                        day=data["day"],
                        kind=data["kind"],
                        name=data["name"],
                        source=data["source"],
                        actor=request.user,
                        audit_source="web",
                        ip=request_ip(request),
                    )
            except ComplianceError as exc:
                form.add_refusal(exc)
            else:
                messages.success(
                    request,
                    _("Calendar saved for %(day)s; the next end-of-day run reads the book in full.")
                    % {"day": data["day"].isoformat()},
                )
                return redirect("compliance:calendar")
        status = 400
    years: dict[int, list] = {}
    for row in CalendarDay.objects.order_by("-day"):
        years.setdefault(row.day.year, []).append(row)
    return render(
        request,
        "compliance/calendar.html",
        {
            "form": form,
            "years": sorted(years.items(), reverse=True),
            "missing_years": calendar_years_missing(local_today()),
        },
        status=status,
    )


# --------------------------------------------------------------------------- one pack and its rules

PACK_READ = ("rulepack.edit", "rulepack.read", "compliance.overrides.read")


def _can_edit(request: HttpRequest) -> bool:
    return not request.user.is_read_only and request.user.can("rulepack.edit")


def _require_pack_reader(request: HttpRequest) -> None:
    # Administrators, managers and auditors read a pack (the rules their work is checked by).
    if not any(request.user.can(cap) for cap in PACK_READ):
        raise PermissionDenied(_("You may not read rule packs here."))


def _pack_or_404(code: str) -> RulePack:
    pack = pack_current(code)
    if pack is None:
        raise Http404(code)
    return pack


@require_http_methods(["GET", "HEAD"])
@login_required
def pack_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The current version's rules of one pack, and its version history."""
    _require_pack_reader(request)
    pack = _pack_or_404(code)
    can_edit = not request.user.is_read_only and request.user.can("rulepack.edit")
    rules = []
    for rule in pack.rules.order_by("rule_id"):
        rules.append(
            {
                "rule": rule,
                "params": [
                    {"key": k, "value": _param_text(v)} for k, v in (rule.parameters or {}).items()
                ],
                "description": rule.description_zh
                if request.LANGUAGE_CODE.startswith("zh")
                else rule.description_en,
            }
        )
    history = RulePack.objects.filter(code=code).select_related("created_by").order_by("-version")
    return render(
        request,
        "compliance/pack.html",
        {"pack": pack, "rules": rules, "history": history, "can_edit": can_edit},
    )


def _param_text(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return ", ".join(value) or "—"
        return _("%(count)s entries") % {"count": len(value)}
    if isinstance(value, dict):
        return _("%(count)s entries") % {"count": len(value)}
    return str(value)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rule_edit(request: HttpRequest, code: str, rule_id: str) -> HttpResponse:
    """Change one rule of a pack (block/warn and its parameters) with a note; saved as the
    next version by rulepack_revise (audited `rulepack.revise`)."""
    _require_editor(request)
    pack = _pack_or_404(code)
    rule = get_object_or_404(pack.rules, rule_id=rule_id)
    form = RuleEditForm(
        request.POST or None,
        rule=rule,
        initial={"version": pack.version, "mode": rule.mode},
    )
    stale = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            edited = form.cleaned_data["version"]
            base = RulePack.objects.filter(code=code, version=edited).first() or pack
            try:
                if edited != pack.version:
                    raise ComplianceError(errors.STALE_VERSION, f"{code} v{edited} is not current")
                new = rulepack_revise(
                    pack=base,
                    changes={"rules": {rule.rule_id: form.changes}},
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ComplianceError as exc:
                if exc.code != errors.STALE_VERSION:
                    form.add_error(None, exc.message)
                else:
                    # Someone saved first: keep what was typed, on top of the current version.
                    stale = pack_current(code)
                    data = request.POST.copy()
                    data["version"] = str(stale.version)
                    rule = stale.rules.filter(rule_id=rule.rule_id).first() or rule
                    form = RuleEditForm(data, rule=rule)
                    form.is_valid()
                    pack = stale
                    status = 409
            else:
                messages.success(
                    request,
                    _("%(rule)s saved: %(pack)s is now version %(version)s.")
                    % {"rule": rule.rule_id, "pack": code, "version": new.version},
                )
                return redirect(f"{reverse('compliance:pack', args=[code])}#rule-{rule.rule_id}")
    return render(
        request,
        "compliance/rule_edit.html",
        {
            "pack": pack,
            "rule": rule,
            "form": form,
            "stale": stale,
            "readonly_params": [
                {"key": k, "value": _param_text(v)}
                for k, v in (rule.parameters or {}).items()
                if k not in form.params
            ],
        },
        status=status,
    )


# --------------------------------------------------------------------------- the override report

OVERRIDE_PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD"])
@login_required
def overrides(request: HttpRequest) -> HttpResponse:
    """Every recorded override (who, which rule, on what, why), filtered, with counts per rule
    and per person; for managers, auditors and administrators (403 for everyone else)."""
    user = overrides_readable(request.user)
    form = OverrideFilterForm(request.GET or None)
    qs = override_entries(user=user, filters=form.filters())
    page = Paginator(qs, OVERRIDE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "compliance/overrides.html",
        {
            "form": form,
            "page": page,
            "rows": override_rows(page.object_list),
            "summary": override_summary(qs),
            "rule_ids": sorted(
                set(RuleOverride.objects.order_by().values_list("rule_id", flat=True).distinct())
            ),
        },
    )


@require_http_methods(["GET", "HEAD"])
@login_required
def overrides_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered overrides as CSV or XLSX (audited `compliance.overrides.export`)."""
    user = overrides_readable(request.user)
    if fmt not in OVERRIDE_EXPORT_FORMATS:
        return HttpResponse(status=404)
    form = OverrideFilterForm(request.GET or None)
    filters = form.filters()
    back = f"{reverse('compliance:overrides')}?{request.GET.urlencode()}"
    if form.is_bound and form.errors:
        messages.error(request, _("Fix the filters before exporting."))
        return redirect(back)
    export = override_export(
        user=user, filters=filters, fmt=fmt, source="web", ip=request_ip(request)
    )
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
