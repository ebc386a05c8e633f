"""The user and team pages (/users/) and a user's own password (/account/password/).

Administrators (`user.manage`) add and edit users (role, team, agency, case capacity),
deactivate them, reset passwords, issue and revoke API tokens, add and rename teams.
Managers (`user.read`) see the same pages read-only: who works in which team and carries how
many cases. Everyone else gets 403. Every change is a service of core.accounts (audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrears.core import accounts
from arrears.core.account_forms import PasswordSetForm, TeamForm, TokenForm, UserForm
from arrears.core.audit import request_ip
from arrears.core.models import ApiToken, Team, User


def _reader(request: HttpRequest) -> User:
    if not (request.user.can("user.read") or request.user.can("user.manage")):
        raise PermissionDenied(_("Only administrators and managers may see the users."))
    return request.user


def _admin(request: HttpRequest) -> User:
    if not request.user.can("user.manage"):
        raise PermissionDenied(_("Only an administrator may change users and teams."))
    return request.user


def _team_load_url() -> str | None:
    """The team-load page, when the case-assignment app provides one (`cases:team_load`)."""
    try:
        return reverse("cases:team_load")
    except NoReverseMatch:
        return None


def _form_error(form, exc: accounts.AccountError) -> None:
    field = {"agency_role": "agency", "user": None}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.translated())


@require_safe
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    users = User.objects.select_related("team", "agency").order_by("-is_active", "username")
    role = request.GET.get("role", "")
    if role:
        users = users.filter(role=role)
    return render(
        request,
        "core/users/user_list.html",
        {
            "users": users,
            "role": role,
            "roles": User._meta.get_field("role").choices,
            "can_manage": user.can("user.manage"),
            "team_load_url": _team_load_url(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def user_add(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = UserForm(request.POST or None, adding=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, password = accounts.user_add(
                username=d["username"],
                role=d["role"],
                team=d["team"],
                agency=d["agency"],
                password=d["password"] or None,
                case_capacity=d["case_capacity"],
                first_name=d["first_name"],
                actor=actor,
                source="web",
                ip=request_ip(request),
            )
        except accounts.AccountError as exc:
            _form_error(form, exc)
        else:
            if d["password"]:
                messages.success(request, _("User %(name)s added.") % {"name": user.username})
            else:
                messages.success(
                    request,
                    _("User %(name)s added. Password (shown once): %(pw)s")
                    % {"name": user.username, "pw": password},
                )
            return redirect("accounts:user", user.pk)
    return render(request, "core/users/user_add.html", {"form": form})


def _initial(user: User) -> dict:
    return {
        "first_name": user.first_name,
        "role": user.role,
        "team": user.team_id,
        "agency": user.agency_id,
        "case_capacity": user.case_capacity,
    }


@require_http_methods(["GET", "POST"])
@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _reader(request)
    person = get_object_or_404(User.objects.select_related("team", "agency"), pk=pk)
    can_manage = viewer.can("user.manage")
    form = UserForm(
        request.POST if request.method == "POST" else None, adding=False, initial=_initial(person)
    )
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                accounts.user_update(
                    user=person,
                    role=d["role"],
                    team=d["team"],
                    agency=d["agency"],
                    case_capacity=d["case_capacity"],
                    first_name=d["first_name"],
                    actor=viewer,
                    source="web",
                    ip=request_ip(request),
                )
            except accounts.AccountError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:user", person.pk)
    status = 400 if request.method == "POST" else 200
    tokens = ApiToken.objects.filter(user=person).order_by("-created_at")
    return render(
        request,
        "core/users/user_detail.html",
        {
            "person": person,
            "form": form,
            "can_manage": can_manage,
            "tokens": tokens,
            "token_form": TokenForm(),
            "password_form": PasswordSetForm(),
        },
        status=status,
    )


def _person(pk: int) -> User:
    return get_object_or_404(User, pk=pk)


@require_POST
@login_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = _person(pk)
    try:
        revoked = accounts.user_deactivate(
            user=person, actor=actor, source="web", ip=request_ip(request)
        )
    except accounts.AccountError as exc:
        messages.error(request, exc.translated())
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: signed out everywhere, %(n)s API token(s) revoked.")
            % {"name": person.username, "n": revoked},
        )
    return redirect("accounts:user", pk)


@require_POST
@login_required
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = _person(pk)
    accounts.user_activate(user=person, actor=actor, source="web", ip=request_ip(request))
    messages.success(request, _("%(name)s may sign in again.") % {"name": person.username})
    return redirect("accounts:user", pk)


@require_POST
@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = _person(pk)
    form = PasswordSetForm(request.POST)
    given = form.data.get("password") or None
    try:
        password = accounts.user_password_set(
            user=person, actor=actor, password=given, source="web", ip=request_ip(request)
        )
    except accounts.AccountError as exc:
        messages.error(request, exc.translated())
    else:
        if given:
            messages.success(request, _("Password set."))
        else:
            messages.success(request, _("New password (shown once): %(pw)s") % {"pw": password})
    return redirect("accounts:user", pk)


@require_POST
@login_required
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = _person(pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the token's label and days."))
        return redirect("accounts:user", pk)
    try:
        token, raw = accounts.token_create(
            user=person,
            label=form.cleaned_data["label"],
            expires_days=form.cleaned_data["expires_days"],
            actor=actor,
            source="web",
            ip=request_ip(request),
        )
    except accounts.AccountError as exc:
        messages.error(request, exc.translated())
    else:
        messages.success(request, _("API token (shown once, store it now): %(raw)s") % {"raw": raw})
    return redirect("accounts:user", pk)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int, token_id: int) -> HttpResponse:
    actor = _admin(request)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id, user_id=pk)
    if accounts.token_revoke(token=token, actor=actor, source="web", ip=request_ip(request)):
        messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": token.prefix})
    return redirect("accounts:user", pk)


@require_http_methods(["GET", "POST"])
@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            try:
                team = accounts.team_create(
                    name=form.cleaned_data["name"],
                    actor=viewer,
                    source="web",
                    ip=request_ip(request),
                )
            except accounts.AccountError as exc:
                form.add_error("name", exc.translated())
            else:
                messages.success(request, _("Team %(name)s added.") % {"name": team.name})
                return redirect("accounts:teams")
    teams = Team.objects.annotate(people=Count("user", filter=Q(user__is_active=True))).order_by(
        "name"
    )
    return render(
        request,
        "core/users/team_list.html",
        {
            "teams": teams,
            "form": form,
            "can_manage": viewer.can("user.manage"),
            "team_load_url": _team_load_url(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def team_rename(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A team name is 1 to 100 characters."))
        return redirect("accounts:teams")
    try:
        accounts.team_rename(
            team=team,
            name=form.cleaned_data["name"],
            actor=actor,
            source="web",
            ip=request_ip(request),
        )
    except accounts.AccountError as exc:
        messages.error(request, exc.translated())
    else:
        messages.success(request, _("Team renamed to %(name)s.") % {"name": team.name})
    return redirect("accounts:teams")


@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """A user changes their own password (Django's form runs the password validators)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.password_change(
                user=request.user,
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
                source="web",
                ip=request_ip(request),
            )
        except accounts.AccountError as exc:
            form.add_error(None, exc.translated())
        else:
            update_session_auth_hash(request, request.user)  # stay signed in here
            messages.success(request, _("Your password is changed."))
            return redirect("web:home")
    return render(request, "core/users/password_change.html", {"form": form})
