"""Strategy pages: the list, a strategy with its versions and per-path results, the YAML editor,
the hand-over list, and the case page's treatment panel. Thin: services and selectors decide."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arrears.core.dates import local_today
from arrears.strategy import definition as d
from arrears.strategy import selectors, services
from arrears.strategy.errors import StrategyError
from arrears.strategy.forms import StrategyYamlForm
from arrears.strategy.models import HandOver

CHANNEL_LABELS = {
    "call": gettext_lazy("Phone call"),
    "sms": gettext_lazy("Text message"),
    "letter": gettext_lazy("Letter"),
    "visit": gettext_lazy("Field visit"),
    "email": gettext_lazy("Email"),
    "agency_placement": gettext_lazy("Agency placement"),
    "legal_review": gettext_lazy("Legal review"),
}
ROLE_LABELS = {
    "collector": gettext_lazy("Phone collector"),
    "field_agent": gettext_lazy("Field collector"),
    "team_lead": gettext_lazy("Team lead"),
    "legal": gettext_lazy("Legal officer"),
    "agency": gettext_lazy("Agency"),
    "manager": gettext_lazy("Collection manager"),
}
TRIGGER_LABELS = {
    "promise_broken": gettext_lazy("a promise broken"),
    "plan_broken": gettext_lazy("a plan broken"),
}


def _can_edit(user) -> bool:
    return user.is_authenticated and not user.is_read_only and user.can("strategy.edit")


def _require_reader(request: HttpRequest) -> None:
    if not selectors.may_read(request.user):
        raise PermissionDenied(_("Your role may not see the strategies."))


def _name(obj_or_dict) -> str:
    zh = get_language() and get_language().startswith("zh")
    if isinstance(obj_or_dict, dict):
        return obj_or_dict.get("name_zh" if zh else "name_en") or obj_or_dict.get("key", "")
    return obj_or_dict.name_zh if zh else obj_or_dict.name_en


def condition_text(node, top: bool = True) -> str:
    """A condition in one line: `dpd between 1–30 and rural is_true`, nested groups bracketed."""
    if not node:
        return str(_("every other case")) if top else ""
    if not isinstance(node, dict):
        return str(node)
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        joiner = f" {_('and')} " if kind == "all" else f" {_('or')} "
        parts = [condition_text(c, top=False) for c in node[kind] or []]
        text = joiner.join(p for p in parts if p)
        return text if top or len(parts) < 2 else f"({text})"
    value = node.get("value")
    if isinstance(value, list):
        value = (
            "–".join(map(str, value)) if node.get("op") == "between" else ", ".join(map(str, value))
        )
    return " ".join(str(x) for x in (node.get("field"), node.get("op"), value) if x is not None)


def _segments(definition: dict) -> list[dict]:
    """The segments for display: name, condition in words, holding days, paths and steps."""
    out = []
    for i, seg in enumerate(definition.get("segments", [])):
        paths = []
        for path in seg.get("paths", []):
            steps = [
                {
                    "key": s.get("key"),
                    "when": (
                        _("day %(n)s") % {"n": s["offset_days"]}
                        if s.get("offset_days") is not None
                        else _("after %(event)s")
                        % {"event": TRIGGER_LABELS.get(s.get("trigger"), s.get("trigger"))}
                    ),
                    "once": s.get("once", False),
                    "channel": CHANNEL_LABELS.get(s.get("channel"), s.get("channel")),
                    "role": ROLE_LABELS.get(s.get("role"), s.get("role")),
                    "template": s.get("template") or "",
                }
                for s in path.get("steps") or []
            ]
            paths.append({"key": path.get("key"), "share": path.get("share", 100), "steps": steps})
        out.append(
            {
                "n": i + 1,
                "key": seg.get("key"),
                "name": _name(seg),
                "when": condition_text(seg.get("when") or {}),
                "holding_days": seg.get("holding_days", 0),
                "paths": paths,
                "split": len(paths) > 1,
            }
        )
    return out


def _strategy_or_404(request: HttpRequest, code: str):
    _require_reader(request)
    strategy = selectors.strategy_get(request.user, code)
    if strategy is None:
        raise Http404(_("No such strategy."))
    return strategy


@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    """Every strategy, the active one first, with its latest version."""
    _require_reader(request)
    rows = [
        {"strategy": s, "latest": s.latest(), "name": _name(s)}
        for s in selectors.strategies(request.user)
    ]
    return render(
        request, "strategy/list.html", {"rows": rows, "can_edit": _can_edit(request.user)}
    )


@login_required
def strategy_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A strategy: its segments and paths, results per path, version history with what changed,
    and the steps the rule pack refused for the next working day."""
    strategy = _strategy_or_404(request, code)
    versions = list(selectors.versions(strategy))
    history = []
    for i, v in enumerate(versions):
        older = versions[i + 1].definition if i + 1 < len(versions) else None
        history.append({"version": v, "changes": d.diff_summary(older, v.definition)})
    latest = versions[0] if versions else None
    results = selectors.path_results(request.user, latest) if latest else []
    names = {
        seg.get("key"): _name(seg)
        for seg in (latest.definition if latest else {}).get("segments", [])
    }
    split = {
        seg.get("key")
        for seg in (latest.definition if latest else {}).get("segments", [])
        if len(seg.get("paths", [])) > 1
    }
    tomorrow = local_today() + dt.timedelta(days=1)
    skipped = (
        list(selectors.skipped_actions(request.user, tomorrow)[:50]) if strategy.is_active else []
    )
    return render(
        request,
        "strategy/detail.html",
        {
            "strategy": strategy,
            "name": _name(strategy),
            "latest": latest,
            "segments": _segments(latest.definition) if latest else [],
            "history": history,
            "results": [
                {
                    "r": r,
                    "segment": names.get(r.segment_key, r.segment_key),
                    "split": r.segment_key in split,
                }
                for r in results
            ],
            "skipped": [
                {"a": a, "channel": CHANNEL_LABELS.get(a.channel, a.channel)} for a in skipped
            ],
            "tomorrow": tomorrow,
            "can_edit": _can_edit(request.user),
        },
    )


@login_required
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One saved version, as YAML and as segments."""
    strategy = _strategy_or_404(request, code)
    version = strategy.versions.filter(number=number).first()
    if version is None:
        raise Http404(_("No such version."))
    return render(
        request,
        "strategy/version.html",
        {
            "strategy": strategy,
            "name": _name(strategy),
            "version": version,
            "yaml": services.definition_to_yaml(version),
            "segments": _segments(version.definition),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def strategy_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The editor: the latest version as YAML; saving validates and makes a new version (the
    next end-of-day uses it). Errors name the segment, path, step and field."""
    strategy = _strategy_or_404(request, code)
    if not _can_edit(request.user):
        raise PermissionDenied(_("Your role may not change strategies."))
    latest = strategy.latest()
    problems: list = []
    if request.method == "POST" and request.POST.get("form") == "rows" and latest is not None:
        # Bound to the current YAML so the page can show the problems on it.
        form = StrategyYamlForm({"definition": services.definition_to_yaml(latest), "note": ""})
        form.is_valid()
        try:
            version = services.strategy_save(
                code=strategy.code,
                definition=arrange(latest.definition, request.POST),
                actor=request.user,
                note=(request.POST.get("note") or "")[:300],
                source="web",
            )
        except StrategyError as exc:
            problems = exc.problems
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Saved as version %(n)s; the next end-of-day uses it.") % {"n": version.number},
            )
            return redirect(reverse("strategy:detail", args=[strategy.code]))
    elif request.method == "POST":
        form = StrategyYamlForm(request.POST)
        if form.is_valid():
            try:
                data = services.definition_from_yaml(form.cleaned_data["definition"])
                version = services.strategy_save(
                    code=strategy.code,
                    definition={"segments": data.get("segments")},
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    source="web",
                )
            except StrategyError as exc:
                problems = exc.problems
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Saved as version %(n)s; the next end-of-day uses it.")
                    % {"n": version.number},
                )
                return redirect(reverse("strategy:detail", args=[strategy.code]))
    else:
        text = services.definition_to_yaml(latest) if latest else "segments: []\n"
        form = StrategyYamlForm(initial={"definition": text})
    return render(
        request,
        "strategy/edit.html",
        {
            "strategy": strategy,
            "name": _name(strategy),
            "latest": latest,
            "form": form,
            "problems": problems,
            "rows": _rows(latest.definition) if latest else [],
            "fields": sorted(d.FIELDS),
            "ops": d.ALL_OPS,
            "channels": d.CHANNELS,
        },
    )


def arrange(definition: dict, post) -> dict:
    """The definition with the segment order, holding days and path shares from the editor's
    form rows (`pos-<i>`, `hold-<i>`, `share-<i>-<j>`, i and j the current positions). A value
    that is not a whole number is kept as typed, so validation names it."""

    def number(name, default):
        raw = (post.get(name) or "").strip()
        try:
            return int(raw)
        except ValueError:
            return raw if raw else default

    segments = []
    for i, seg in enumerate(definition.get("segments", [])):
        seg = dict(seg)
        seg["holding_days"] = number(f"hold-{i}", seg.get("holding_days", 0))
        paths = []
        for j, path in enumerate(seg.get("paths", [])):
            paths.append(dict(path, share=number(f"share-{i}-{j}", path.get("share", 100))))
        seg["paths"] = paths
        pos = number(f"pos-{i}", i + 1)
        segments.append((pos if isinstance(pos, int) else i + 1, i, seg))
    segments.sort(key=lambda t: (t[0], t[1]))
    return {"segments": [seg for _pos, _i, seg in segments]}


def _rows(definition: dict) -> list[dict]:
    return [
        {
            "i": i,
            "pos": i + 1,
            "key": seg.get("key"),
            "name": _name(seg),
            "holding_days": seg.get("holding_days", 0),
            "paths": [
                {"j": j, "key": p.get("key"), "share": p.get("share", 100)}
                for j, p in enumerate(seg.get("paths", []))
            ],
        }
        for i, seg in enumerate(definition.get("segments", []))
    ]


@require_POST
@login_required
def strategy_activate_view(request: HttpRequest, code: str) -> HttpResponse:
    _strategy_or_404(request, code)
    try:
        services.strategy_activate(code=code, actor=request.user)
    except StrategyError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This strategy is active from the next end-of-day."))
    return redirect(reverse("strategy:detail", args=[code]))


# --------------------------------------------------------------------------- hand-overs


def _handover_rows(items) -> list[dict]:
    return [{"h": h, "channel": CHANNEL_LABELS.get(h.channel, h.channel)} for h in items]


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    """Live hand-overs on the cases the user sees: field visits, placements, legal reviews."""
    channel = request.GET.get("channel") or ""
    if channel not in d.HANDOVER_CHANNELS:
        channel = ""
    items = selectors.open_handovers(request.user, channel or None)[:200]
    return render(
        request,
        "strategy/handovers.html",
        {
            "rows": _handover_rows(items),
            "channel": channel,
            "channels": [(c, CHANNEL_LABELS[c]) for c in d.HANDOVER_CHANNELS],
            "can_work": not request.user.is_read_only and request.user.can("case.work"),
        },
    )


def _back(request: HttpRequest, item_case_id: int | None) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(reverse("strategy:handovers"))


@require_POST
@login_required
def handover_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.handover_take(handover_id=pk, actor=request.user)
    except StrategyError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You took the hand-over."))
    return _back(request, None)


@require_POST
@login_required
def handover_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = request.POST.get("outcome") or HandOver.Status.DONE
    try:
        services.handover_close(
            handover_id=pk,
            actor=request.user,
            outcome=outcome,
            ref=request.POST.get("ref", ""),
            note=request.POST.get("note", ""),
        )
    except StrategyError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The hand-over is closed."))
    return _back(request, None)


# --------------------------------------------------------------------------- the case page


def case_panel_context(request: HttpRequest, case) -> dict | None:
    """The treatment panel of the case page: segment and path, since when, the steps due next,
    any the rule pack refused, and the hand-overs (the escalation items of the case)."""
    user = request.user
    treatment = selectors.case_treatment(user, case.pk)
    handovers = list(selectors.case_handovers(user, case.pk)[:20])
    if treatment is None and not handovers:
        return None
    segment = path = None
    if treatment is not None:
        definition = treatment.strategy_version.definition
        seg = next(
            (s for s in definition.get("segments", []) if s.get("key") == treatment.segment_key),
            None,
        )
        segment = _name(seg) if seg else treatment.segment_key
        path = treatment.path_key if seg and len(seg.get("paths", [])) > 1 else None
    actions = [
        {
            "a": a,
            "channel": CHANNEL_LABELS.get(a.channel, a.channel),
            "role": ROLE_LABELS.get(a.role, a.role),
        }
        for a in selectors.case_due_actions(user, case.pk)
    ]
    return {
        "treatment": treatment,
        "segment": segment,
        "path": path,
        "actions": actions,
        "handovers": _handover_rows(handovers),
        "can_work": not user.is_read_only and user.can("case.work"),
        "next": request.get_full_path(),
    }
