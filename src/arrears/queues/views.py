"""The workbench (the collector's home page), "next case", the cases left out of the queues
and the probability and minutes tables. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core.dates import DateError, local_today, parse_date
from arrears.queues import selectors, services
from arrears.queues.errors import QueueError
from arrears.queues.models import QueueChannel

PAGE_SIZE = 50


def _zh() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _day(request: HttpRequest):
    text = request.GET.get("on", "")
    if not text:
        return local_today()
    try:
        return parse_date(text)
    except DateError:
        return local_today()


def case_url(case_id: int, anchor: str = "") -> str:
    url = reverse("cases:detail", args=[case_id])
    return f"{url}#{anchor}" if anchor else url


@require_safe
@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Today's queue in order, promises due, callbacks, plans awaiting the borrower."""
    from arrears.cases.selectors import work_today
    from arrears.queues.contact import contact_now

    user = request.user
    today = local_today()
    queue = selectors.my_queue(user=user, on=today)
    open_entries = [e for e in queue if not e.done]
    now = contact_now(open_entries[:100])
    zh = _zh()
    for e in queue:
        state = now.get((e.case_id, e.channel))
        e.contact = state
        e.contact_reason = (state.reason_zh if zh else state.reason_en) if state else ""
    work = (
        work_today(user=user, today=today)
        if user.can("case.work") and not user.is_read_only
        else None
    )
    context = {
        "today": today,
        "queue": queue,
        "left": len(open_entries),
        "next": open_entries[0] if open_entries else None,
        "work": work,
        "plans": selectors.plans_awaiting_borrower(user=user),
    }
    return render(request, "queues/workbench.html", context)


@require_safe
@login_required
def next_case(request: HttpRequest) -> HttpResponse:
    """Open the case of the first entry of today's queue not yet done."""
    entry = selectors.next_entry(user=request.user, on=local_today())
    if entry is None:
        messages.success(request, _("Your queue for today is done."))
        return redirect("queues:workbench")
    return redirect(case_url(entry.case_id, "panel-activities"))


@require_safe
@login_required
def exclusion_list(request: HttpRequest) -> HttpResponse:
    """The cases left out of the day's queues and why (team leads: their team's)."""
    user = request.user
    if not selectors.may_oversee(user):
        raise PermissionDenied(_("Your role does not oversee the queues."))
    day = _day(request)
    channel = request.GET.get("channel", "")
    if channel not in QueueChannel.values:
        channel = ""
    person = _int(request.GET.get("person", ""))
    rows = selectors.exclusions(user=user, on=day, channel=channel, person=person)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    zh = _zh()
    for x in page.object_list:
        x.reason = x.reason_zh if zh else x.reason_en
    return render(
        request,
        "queues/exclusions.html",
        {
            "page": page,
            "day": day,
            "channel": channel,
            "channels": QueueChannel.choices,
            "summary": selectors.exclusion_summary(user=user, on=day),
            "person": selectors.coverage_people(user=user).filter(pk=person).first()
            if person
            else None,
        },
    )


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


@require_safe
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Per person, the day's queue and how far it is worked (team leads: their team; managers:
    everyone, or one team); `?format=csv|xlsx` downloads the same rows."""
    from django.http import StreamingHttpResponse

    from arrears.core.audit import request_ip
    from arrears.queues.exports import COVERAGE_FORMATS, coverage_export

    user = request.user
    if not selectors.may_oversee(user):
        raise PermissionDenied(_("Your role does not oversee the queues."))
    day = _day(request)
    if request.GET.get("on") and day == local_today() and request.GET["on"] != day.isoformat():
        messages.error(request, _("Day: not a date (like 2026-12-06); showing today."))
    teams = list(selectors.coverage_teams(user=user))
    team = _int(request.GET.get("team", ""))
    if team not in {t.pk for t in teams}:
        team = None
    fmt = request.GET.get("format", "")
    if fmt in COVERAGE_FORMATS:
        export = coverage_export(
            user=user, on=day, team_id=team, fmt=fmt, source="web", ip=request_ip(request)
        )
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    query = {"on": day.isoformat(), **({"team": team} if team else {})}
    return render(
        request,
        "queues/coverage.html",
        {
            "coverage": selectors.queue_coverage(user=user, on=day, team_id=team),
            "day": day,
            "teams": teams,
            "team": team,
            "query": urlencode(query),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def probabilities(request: HttpRequest) -> HttpResponse:
    """The probability table and the channel minutes: read by overseers, edited by managers."""
    user = request.user
    if not (user.can("queue.tables") or selectors.may_oversee(user)):
        raise PermissionDenied(_("Your role does not see the queue tables."))
    editable = user.can("queue.tables") and not user.is_read_only
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Your role may not change the queue tables."))
        try:
            if "minutes" in request.POST:
                services.channel_effort_set(
                    channel=request.POST.get("channel", ""),
                    minutes=request.POST.get("minutes", ""),
                    actor=user,
                )
            else:
                services.probability_set(
                    row_id=request.POST.get("row", ""),
                    probability=request.POST.get("probability", ""),
                    actor=user,
                )
            messages.success(request, _("Saved."))
        except QueueError as exc:
            messages.error(request, exc.message)
        return redirect("queues:probabilities")
    fit = None
    if request.GET.get("fit"):
        fit = services.probability_fit(as_of=local_today())
    rows = list(selectors.probability_table())
    language = get_language()
    fits = {f.row_id: f for f in fit.rows} if fit else {}
    for r in rows:
        r.type_name = r.debtor_type.name_for(language) if r.debtor_type_id else ""
        r.fit = fits.get(r.pk)
    return render(
        request,
        "queues/probabilities.html",
        {
            "rows": rows,
            "efforts": selectors.channel_efforts(),
            "channel_labels": dict(QueueChannel.choices),
            "editable": editable,
            "fit": fit,
        },
    )


@require_POST
@login_required
def probabilities_refit(request: HttpRequest) -> HttpResponse:
    """Apply the fit from the book's own history to the rows that have enough of it."""
    user = request.user
    if not user.can("queue.tables") or user.is_read_only:
        raise PermissionDenied(_("Your role may not change the queue tables."))
    try:
        changed = services.probability_refit_apply(as_of=local_today(), actor=user)
    except QueueError as exc:
        messages.error(request, exc.message)
        return redirect("queues:probabilities")
    messages.success(
        request, _("%(n)s probabilities refitted from the book's history.") % {"n": changed}
    )
    return redirect("queues:probabilities")


@require_POST
@login_required
def case_colour(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's colour control (案件标色)."""
    from arrears.cases.colours import case_colour_set, may_colour
    from arrears.cases.errors import CaseError
    from arrears.cases.selectors import case_for_user

    user = request.user
    if not may_colour(user):
        raise PermissionDenied(_("Your role may not mark cases with a colour."))
    case = case_for_user(user, case_id)  # 404 outside the user's scope
    try:
        case_colour_set(case=case, colour=request.POST.get("colour", ""), actor=user)
    except CaseError as exc:
        messages.error(request, exc.message)
    return redirect(case_url(case.pk, "panel-colour"))


def colour_panel_context(request: HttpRequest, case) -> dict | None:
    """The case page's colour panel."""
    from arrears.cases.colours import may_colour
    from arrears.cases.models import ColourFlag

    return {
        "case": case,
        "colours": ColourFlag.choices,
        "current": case.colour_flag,
        "current_label": dict(ColourFlag.choices).get(case.colour_flag, ""),
        "can_colour": may_colour(request.user),
    }


def queue_panel_context(request: HttpRequest, case) -> dict | None:
    """On the case page: where the case stands in the user's queue today, and "next case"."""
    today = local_today()
    entries = [e for e in selectors.my_queue(user=request.user, on=today) if e.case_id == case.pk]
    if not entries:
        return None
    nxt = selectors.next_entry(user=request.user, on=today)
    return {
        "entries": entries,
        "size": selectors.queue_size(user=request.user, on=today),
        "next": nxt if nxt is not None and nxt.case_id != case.pk else None,
    }
