"""Web pages of the agencies app (/agencies/): agencies and contracts, placing a batch,
batches and recalls, reconciliation, statements (PDF, XLSX) and performance. Thin: every
write is a services function, every read a scoped selector."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arrears.agencies import forms, selectors, services
from arrears.agencies.errors import AgencyError
from arrears.agencies.models import AgencyPayment, Placement
from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.core.roles import Role


def _may(user, capability: str) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can(capability)


def _reader(request: HttpRequest):
    if not selectors.may_read(request.user):
        raise PermissionDenied
    return request.user


def _agency(user, pk: int):
    agency = selectors.agencies_for(user).filter(pk=pk).first()
    if agency is None:
        raise Http404(_("No such agency."))
    return agency


# ------------------------------------------------------------------------ case panel


def case_panel_context(request: HttpRequest, case) -> dict | None:
    """The case page's agency section: the placement history (an agency user: only its own
    active placement) and, for an agency user, the form to report a payment."""
    user = request.user
    placements = selectors.case_placements(user, case)
    can_report = (
        user.role == Role.AGENCY
        and _may(user, services.REPORT)
        and any(p.status == Placement.Status.ACTIVE for p in placements)
    )
    if not placements and not can_report:
        return None
    return {
        "case": case,
        "placements": placements,
        "can_report": can_report,
        "form": forms.ReportForm(initial={"paid_on": local_today()}) if can_report else None,
    }


@require_POST
@login_required
def report(request: HttpRequest, case_pk: int) -> HttpResponse:
    """An agency user reports a payment on a case placed with their agency."""
    from arrears.core.scoping import cases_for

    user = request.user
    case = cases_for(user).filter(pk=case_pk).select_related("loan").first()
    if case is None or user.role != Role.AGENCY or not user.agency_id:
        raise Http404(_("No such case."))
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.agency_payment_report(
                agency=user.agency,
                payment_id=d["payment_id"],
                loan=case.loan,
                paid_on=d["paid_on"],
                amount_fen=d["amount"],
                reference=d["reference"],
                actor=user,
                source="web",
            )
            messages.success(request, _("Payment reported; the lender will reconcile it."))
        except AgencyError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#agency")


# ------------------------------------------------------------------------ agencies


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    today = local_today()
    rows = []
    for agency in selectors.agencies_for(user).order_by("name"):
        contract = services.contract_in_force(agency, today)
        rows.append(
            {
                "agency": agency,
                "contract": contract,
                "refusal": services.placement_refusal(agency, today),
                "active": Placement.objects.filter(
                    agency=agency, status=Placement.Status.ACTIVE
                ).count(),
                "to_check": AgencyPayment.objects.filter(
                    agency=agency, status=AgencyPayment.Status.PENDING
                ).count(),
            }
        )
    return render(
        request,
        "agencies/list.html",
        {
            "rows": rows,
            "batches": selectors.batches_for(user)[:20],
            "can_manage": _may(user, services.MANAGE),
            "month": f"{today:%Y-%m}",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    agency = _agency(user, pk)
    can_manage = _may(user, services.MANAGE)
    contract_form = forms.ContractForm(prefix="c")
    review_form = forms.ReviewForm(prefix="r", initial={"reviewed_on": local_today()})
    ip_form = forms.IpRangesForm(
        prefix="ip",
        initial={"networks": "\n".join(agency.ip_ranges.values_list("network", flat=True))},
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if "contract" in request.POST:
                contract_form = forms.ContractForm(request.POST, prefix="c")
                if contract_form.is_valid():
                    d = contract_form.cleaned_data
                    existing = agency.contracts.filter(number=d["number"]).first()
                    services.contract_save(
                        agency=agency,
                        number=d["number"],
                        valid_from=d["valid_from"],
                        valid_to=d["valid_to"],
                        approved=d["approved"],
                        last_review_on=d["last_review_on"],
                        tier_key=d["tier_key"],
                        basis=d["basis"],
                        tiers=d["tiers_parsed"],
                        actor=user,
                        contract=existing,
                    )
                    messages.success(request, _("Contract saved."))
                    return redirect("agencies:detail", pk=agency.pk)
            elif "review" in request.POST:
                review_form = forms.ReviewForm(request.POST, prefix="r")
                if review_form.is_valid():
                    services.agency_review_record(
                        agency=agency,
                        reviewed_on=review_form.cleaned_data["reviewed_on"],
                        actor=user,
                    )
                    messages.success(request, _("Review recorded."))
                    return redirect("agencies:detail", pk=agency.pk)
            elif "ip" in request.POST:
                ip_form = forms.IpRangesForm(request.POST, prefix="ip")
                if ip_form.is_valid():
                    services.agency_ip_ranges_set(
                        agency=agency,
                        networks=ip_form.cleaned_data["networks"].splitlines(),
                        actor=user,
                    )
                    messages.success(request, _("Sign-in addresses saved."))
                    return redirect("agencies:detail", pk=agency.pk)
        except AgencyError as exc:
            form = {"contract": contract_form, "review": review_form}.get(
                next((k for k in ("contract", "review") if k in request.POST), ""), ip_form
            )
            field = {"tiers": "tiers", "number": "number", "valid_to": "valid_to"}.get(
                exc.field or ""
            )
            form.add_error(field if field in form.fields else None, exc.message)
    contracts = []
    for c in agency.contracts.prefetch_related("tiers").order_by("-valid_from"):
        contracts.append({"contract": c, "tiers": list(c.tiers.all())})
    today = local_today()
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "contracts": contracts,
            "refusal": services.placement_refusal(agency, today),
            "networks": list(agency.ip_ranges.values_list("network", flat=True)),
            "batches": selectors.batches_for(user).filter(agency=agency)[:50],
            "can_manage": can_manage,
            "contract_form": contract_form,
            "review_form": review_form,
            "ip_form": ip_form,
            "month": f"{today:%Y-%m}",
        },
    )


# ------------------------------------------------------------------------ placing


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def place(request: HttpRequest) -> HttpResponse:
    """Place a batch: cases by number, by the case list's filter, or from hand-overs."""
    from arrears.cases import selectors as case_selectors

    user = request.user
    if not _may(user, services.MANAGE):
        raise PermissionDenied
    form = forms.PlaceForm(request.POST or None, user=user)
    candidates = services.placement_candidates(user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ids = set(d["case_ids"])
        if d["by_filter"]:
            qs = case_selectors.case_list(
                user=user,
                q=d["q"],
                status="open",
                bucket=d["bucket"],
                collector=None,
                debtor_type="",
                escalation="",
            )
            placed = Placement.objects.filter(status=Placement.Status.ACTIVE).values("case_id")
            ids |= set(qs.exclude(pk__in=placed).values_list("pk", flat=True)[: d["limit"]])
        if d["handovers"]:
            ids |= set(candidates)
        try:
            batch = services.batch_place(
                agency=d["agency"],
                number=d["number"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                case_ids=ids,
                actor=user,
            )
            messages.success(
                request,
                _("Batch %(n)s placed: %(count)s cases.")
                % {"n": batch.number, "count": batch.placements.count()},
            )
            return redirect("agencies:batch", pk=batch.pk)
        except AgencyError as exc:
            form.add_error("agency" if exc.field == "agency" else None, exc.message)
    return render(request, "agencies/place.html", {"form": form, "candidates": len(candidates)})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    batch = get_object_or_404(selectors.batches_for(user), pk=pk)
    if request.method == "POST":
        if not _may(user, services.MANAGE):
            raise PermissionDenied
        ids = [int(i) for i in request.POST.getlist("placement") if i.isdigit()]
        try:
            if ids:
                n = services.placements_recall(
                    placements=list(batch.placements.filter(pk__in=ids)), actor=user
                )
            else:
                n = services.placements_recall(batch=batch, actor=user)
            messages.success(request, _("%(n)s cases recalled.") % {"n": n})
        except AgencyError as exc:
            messages.error(request, exc.message)
        return redirect("agencies:batch", pk=batch.pk)
    placements = list(batch.placements.select_related("case__borrower", "loan").order_by("id"))
    return render(
        request,
        "agencies/batch.html",
        {
            "batch": batch,
            "placements": placements,
            "active": sum(1 for p in placements if p.status == Placement.Status.ACTIVE),
            "owed_fen": sum(p.owed_fen for p in placements),
            "can_manage": _may(user, services.MANAGE),
        },
    )


# ------------------------------------------------------------------------ reconciliation


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """回款核对: upload what an agency reports; decide on what does not match."""
    from arrears.agencies.imports import import_agency_payments

    user = request.user
    if not (selectors.may_read(user) or _may(user, services.REPORT)):
        raise PermissionDenied
    upload = forms.UploadForm()
    report = None
    if request.method == "POST":
        if not _may(user, services.REPORT):
            raise PermissionDenied
        upload = forms.UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            f = upload.cleaned_data["file"]
            suffix = Path(f.name).suffix.lower() or ".csv"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"agency-payments{suffix}"
                with path.open("wb") as out:
                    for chunk in f.chunks():
                        out.write(chunk)
                try:
                    report = import_agency_payments(path=path, actor=user, source="web")
                except Exception as exc:  # an unreadable file: say so, change nothing
                    from arrears.ingest.errors import ImportFileError

                    if not isinstance(exc, (ImportFileError, AgencyError)):
                        raise
                    upload.add_error("file", str(getattr(exc, "message", exc)))
            if report is not None and report.ok:
                messages.success(
                    request,
                    _(
                        "%(new)s payments recorded (%(ok)s matched, %(check)s to check), "
                        "%(same)s reported before."
                    )
                    % {
                        "new": report.created,
                        "ok": report.counts.get("confirmed", 0),
                        "check": report.counts.get("to_check", 0),
                        "same": report.unchanged,
                    },
                )
                return redirect("agencies:reconciliation")
    pending = list(selectors.to_check(user).order_by("paid_on", "id")[:200])
    decided = list(
        selectors.agency_payments_for(user)
        .exclude(status=AgencyPayment.Status.PENDING)
        .order_by("-decided_at", "-id")[:50]
    )
    return render(
        request,
        "agencies/reconciliation.html",
        {
            "upload": upload,
            "report": report,
            "pending": pending,
            "decided": decided,
            "can_decide": _may(user, services.MANAGE),
        },
    )


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not _may(user, services.MANAGE):
        raise PermissionDenied
    item = get_object_or_404(selectors.agency_payments_for(user), pk=pk)
    try:
        services.agency_payment_decide(
            report=item,
            decision=request.POST.get("decision", ""),
            ledger_payment_id=request.POST.get("ledger_payment_id", "")[:64],
            note=request.POST.get("note", ""),
            actor=user,
        )
        messages.success(request, _("Decision recorded."))
    except AgencyError as exc:
        messages.error(request, f"{item.payment_id}: {exc.message}")
    return redirect("agencies:reconciliation")


# ------------------------------------------------------------------------ statements


def _statement_rows(st):
    return [
        (
            line.payment_id,
            line.loan_id,
            line.case_id,
            line.batch,
            line.paid_on,
            line.amount_fen,
            f"{(line.rate * 100).normalize():f}%",
            line.commission_fen,
        )
        for line in st.lines
    ]


@login_required
def statement(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    """An agency's monthly commission statement; ?format=pdf or xlsx downloads it."""
    from arrears.core.money import fen_to_yuan

    user = _reader(request)
    agency = _agency(user, pk)
    try:
        st = selectors.statement(user, agency, month)
    except ValueError:
        raise Http404(_("No such month.")) from None
    fmt = request.GET.get("format", "")
    header = [
        _("Payment ID"),
        _("Loan"),
        _("Case"),
        _("Batch"),
        _("Paid on"),
        _("Amount"),
        _("Rate"),
        _("Commission"),
    ]
    if fmt == "xlsx":
        from arrears.core.spreadsheets import file_chunks, xlsx_file

        rows = [(*r[:5], fen_to_yuan(r[5]), r[6], fen_to_yuan(r[7])) for r in _statement_rows(st)]
        rows.append(
            (
                "",
                "",
                "",
                "",
                _("Total"),
                fen_to_yuan(st.money_fen),
                "",
                fen_to_yuan(st.commission_fen),
            )
        )
        resp = StreamingHttpResponse(
            file_chunks(xlsx_file(header, rows, title=f"{month}")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = f'attachment; filename="statement-{agency.pk}-{month}.xlsx"'
        return resp
    if fmt == "pdf":
        from arrears.core.pdf import render_letter

        pdf = render_letter(
            title=f"委外佣金结算单 {month}",
            paragraphs=[
                f"委外机构：{agency.name}",
                f"结算期间：{st.first} 至 {st.last}",
                f"回款笔数：{len(st.lines)}",
            ],
            table_heading=("项目", "金额（元）"),
            table_rows=[
                *(
                    (
                        f"{line.paid_on} {line.payment_id} {line.loan_id} × "
                        f"{(line.rate * 100).normalize():f}% 回款 {format_yuan(line.amount_fen)}",
                        line.commission_fen,
                    )
                    for line in st.lines
                ),
                ("回款合计", st.money_fen),
                ("佣金合计", st.commission_fen),
            ],
            footer=f"{agency.name} · {month}",
        )
        resp = HttpResponse(pdf, content_type="application/pdf")
        resp["Content-Disposition"] = f'attachment; filename="statement-{agency.pk}-{month}.pdf"'
        return resp
    return render(
        request,
        "agencies/statement.html",
        {"agency": agency, "st": st, "month": month, "lines": st.lines},
    )


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    today = local_today()
    form = forms.PeriodForm(request.GET or None)
    date_from, date_to = today.replace(day=1) - dt.timedelta(days=90), today
    if form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    rows = selectors.agency_performance(user, date_from, date_to)
    return render(
        request,
        "agencies/performance.html",
        {"rows": rows, "form": form, "date_from": date_from, "date_to": date_to},
    )
