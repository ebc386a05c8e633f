"""Web pages of the field app. Thin: parse, call a selector or service, render.

The visit page (/field/visit/) is made for a phone in a village without signal: the browser
keeps each visit it records (with a visit ID it makes itself, the time and, when the phone
offers it, the position) in its own storage and sends it to POST /api/v1/visits when the
signal is there — at once, when the signal returns, or when the page is next opened — and
forgets it only when the server has answered. The API is idempotent by the visit ID, so a
send interrupted half-way and sent again is recorded once. A service worker (/field/sw.js,
served by Arrears, no CDN) keeps the page and its script so the page opens offline.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from arrears.core.models import User
from arrears.core.scoping import cases_for
from arrears.field import selectors, services
from arrears.field.errors import VisitInvalid
from arrears.field.models import NoticeSigned, Region, VisitOutcome

SW_FILE = Path(__file__).resolve().parent / "static" / "field" / "sw.js"
CASES_ON_FORM = 500


def _may_work(user: User) -> bool:
    return user.can(services.WORK_CAPABILITY) and not user.is_read_only


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Field work: the visit page, the latest visits, the trips and the regions."""
    visits = selectors.visits_for(request.user)[:50]
    trips = selectors.trips_for(request.user)[:20]
    return render(
        request,
        "field/home.html",
        {
            "visits": visits,
            "trips": trips,
            "may_work": _may_work(request.user),
            "towns": Region.objects.filter(level=Region.Level.TOWN),
            "people": _teammates(request.user),
        },
    )


def _teammates(user: User):
    """The people one may go out with: the same team, and the field agents."""
    team = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if user.team_id:
        team = team.filter(team_id=user.team_id) | team.filter(role="field_agent")
    else:
        team = team.filter(role__in=("field_agent", "team_lead", "collector"))
    return team.order_by("username").distinct()[:50]


@login_required
@require_http_methods(["POST"])
def trip_new(request: HttpRequest) -> HttpResponse:
    """Plan a trip to a town: you and the people ticked, the town's cases with an assist
    request (and the strategy's visit steps when wired), in route order."""
    import datetime as dt

    from arrears.core.dates import DateError, parse_date

    if not _may_work(request.user):
        raise PermissionDenied
    town = Region.objects.filter(pk=request.POST.get("town") or 0, level="town").first()
    try:
        starts_on = parse_date(request.POST.get("starts_on", ""))
        ends_on = (
            parse_date(request.POST.get("ends_on", ""))
            if request.POST.get("ends_on")
            else starts_on + dt.timedelta(days=4)
        )
        if town is None:
            raise VisitInvalid("town", _("Choose a town."))
        members = [
            request.user,
            *User.objects.filter(username__in=request.POST.getlist("members"), is_active=True),
        ]
        trip = services.trip_create(
            name=request.POST.get("name") or town.name,
            starts_on=starts_on,
            ends_on=ends_on,
            members=members,
            regions=[town],
            actor=request.user,
            source="web",
        )
    except DateError as exc:
        messages.error(request, str(exc))
        return redirect("field:home")
    except VisitInvalid as exc:
        messages.error(request, exc.message)
        return redirect("field:home")
    return redirect("field:trip", pk=trip.pk)


@login_required
def visit_form(request: HttpRequest) -> HttpResponse:
    """The phone page: record a visit, kept on the phone until it is sent."""
    if not _may_work(request.user):
        raise PermissionDenied(_("Your role may not record visits."))
    cases = (
        cases_for(request.user)
        .filter(status="open")
        .select_related("loan", "borrower")
        .order_by("borrower__town", "borrower__village", "borrower__name", "pk")[:CASES_ON_FORM]
    )
    return render(
        request,
        "field/visit_form.html",
        {
            "cases": cases,
            "people": _teammates(request.user),
            "outcomes": VisitOutcome.choices,
            "signed_choices": NoticeSigned.choices,
        },
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the visit page for offline use (scope /field/)."""
    response = HttpResponse(SW_FILE.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/field/"
    return response


@login_required
def visit_detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = selectors.visit_get(request.user, visit_id)
    if visit is None:
        raise Http404
    return render(request, "field/visit_detail.html", {"visit": visit})


@login_required
def regions(request: HttpRequest) -> HttpResponse:
    """The region tree; POST builds it again from the borrowers' region paths."""
    if request.method == "POST":
        if not _may_work(request.user):
            raise PermissionDenied
        added = services.regions_rebuild(actor=request.user, source="web")
        messages.success(request, _("%(n)s regions added.") % {"n": added})
        return redirect("field:regions")
    return render(request, "field/regions.html", {"regions": selectors.regions()})


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise VisitInvalid("latitude", _("not a number")) from exc


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Population, coordinates and a note of one region."""
    region = get_object_or_404(Region, pk=pk)
    error = None
    if request.method == "POST":
        if not _may_work(request.user):
            raise PermissionDenied
        try:
            population = request.POST.get("population", "").strip()
            if population and not population.isdigit():
                raise VisitInvalid("population", _("a whole number"))
            services.region_update(
                region=region,
                actor=request.user,
                population=int(population) if population else None,
                latitude=_decimal(request.POST.get("latitude", "")),
                longitude=_decimal(request.POST.get("longitude", "")),
                note=request.POST.get("note", ""),
                source="web",
            )
        except VisitInvalid as exc:
            error = exc.message
        else:
            messages.success(request, _("Region saved."))
            return redirect("field:regions")
    return render(request, "field/region_edit.html", {"region": region, "error": error})


@login_required
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A trip's visit list, grouped by village in route order, with each household's dues."""
    trip = selectors.trips_for(request.user).filter(pk=pk).first()
    if trip is None:
        raise Http404
    from arrears.field.route import route_rows

    return render(
        request, "field/trip.html", {"trip": trip, "villages": route_rows(trip, request.user)}
    )


@login_required
def trip_route_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable route sheet (PDF, Noto Sans SC embedded)."""
    trip = selectors.trips_for(request.user).filter(pk=pk).first()
    if trip is None:
        raise Http404
    from arrears.field.route import route_pdf

    response = HttpResponse(route_pdf(trip, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="trip-{trip.pk}.pdf"'
    return response
