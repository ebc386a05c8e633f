"""Every page of the app, for the tests that check them all (Chinese, phone width).

`page_urls(user)` walks the URL patterns (the API aside) and fills each pattern's arguments
from the data in the database (the demo-like book the tests build), so a page added later is
checked without anyone listing it here. Patterns whose arguments nothing here knows how to
fill are reported by `unfilled_patterns()` so the test can fail on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Not pages: downloads, exports, sign-in/out, the language switch, the API, and "next case"
# (a redirect to a case page).
SKIP_ROUTES = re.compile(
    r"^(api/|i18n/|login/|logout/|queues/next/)|/(pdf|download)/$|export\.|/reveal/$|/unlock/$"
)


def walk(patterns=None, prefix: str = "", namespace: str | None = None) -> Iterator[tuple]:
    """(route, name, pattern) of every URL pattern."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            yield prefix + str(p.pattern), name, p


def _samples(user, limit_cases: int) -> dict:
    """Values to put in URL arguments, from what `user` may see (and a few beyond)."""
    from arrears.activities.models import Activity, RecordedFact
    from arrears.book.models import Product
    from arrears.cases.models import (
        Absence,
        AllocationRule,
        CollectionAdvice,
        Complaint,
        DeathReport,
        DebtorType,
    )
    from arrears.compliance.models import RulePack
    from arrears.core.models import ApiToken, Team
    from arrears.core.scoping import borrowers_for, cases_for, loans_for
    from arrears.documents.models import DocumentCategory as Category
    from arrears.field.models import Region
    from arrears.field.selectors import trips_for, visits_for
    from arrears.jobs.models import Job
    from arrears.notices.models import Notice, NoticeTemplate
    from arrears.plans.models import Plan
    from arrears.reports.registry import REPORTS
    from arrears.strategy.models import HandOver, Strategy
    from arrears.writeoff.models import WriteOffProposal

    cases = list(cases_for(user).order_by("-id").values_list("pk", flat=True)[:limit_cases])
    pack = RulePack.objects.order_by("code").first()
    rule_ids = []
    if pack is not None:
        spec = pack.spec() if hasattr(pack, "spec") else None
        rule_ids = [r.rule_id for r in spec.rules][:1] if spec else []
    return {
        "case": cases,
        "loan": list(loans_for(user).order_by("id").values_list("external_id", flat=True)[:2]),
        "borrower": list(
            borrowers_for(user).order_by("id").values_list("external_id", flat=True)[:2]
        ),
        "activity": list(
            Activity.objects.filter(case_id__in=cases).values_list("pk", flat=True)[:1]
        ),
        "debtor_type": list(DebtorType.objects.values_list("pk", flat=True)[:1]),
        "advice": list(CollectionAdvice.objects.values_list("pk", flat=True)[:1]),
        "complaint": list(Complaint.objects.values_list("pk", flat=True)[:1]),
        "death_report": list(DeathReport.objects.values_list("pk", flat=True)[:1]),
        "plan": list(Plan.objects.values_list("pk", flat=True)[:1]),
        "writeoff_proposal": list(WriteOffProposal.objects.values_list("pk", flat=True)[:2]),
        "category": list(Category.objects.values_list("pk", flat=True)[:1]),
        "notice": list(Notice.objects.filter(case_id__in=cases).values_list("pk", flat=True)[:2])
        or list(Notice.objects.values_list("pk", flat=True)[:1]),
        "template": list(NoticeTemplate.objects.values_list("pk", flat=True)[:2]),
        "pack": [pack.code] if pack is not None else [],
        "rule": rule_ids,
        "product": list(Product.objects.values_list("pk", flat=True)[:1]),
        "fact": list(RecordedFact.objects.values_list("pk", flat=True)[:1]),
        "user": [user.pk],
        "team": list(Team.objects.values_list("pk", flat=True)[:1]),
        "token": list(ApiToken.objects.values_list("pk", flat=True)[:1]),
        "job": list(Job.objects.values_list("pk", flat=True)[:1]),
        "which": ["errors"],
        "visit": list(visits_for(user).values_list("visit_id", flat=True)[:1]),
        "region": list(Region.objects.values_list("pk", flat=True)[:1]),
        "trip": list(trips_for(user).values_list("pk", flat=True)[:1]),
        "report": sorted(REPORTS),
        "strategy": list(Strategy.objects.order_by("code").values_list("code", flat=True)[:1]),
        "version": [1],
        "handover": list(
            HandOver.objects.filter(case_id__in=cases).values_list("pk", flat=True)[:1]
        ),
        "allocation_rule": list(AllocationRule.objects.values_list("pk", flat=True)[:1]),
        "absence": list(Absence.objects.values_list("pk", flat=True)[:1]),
        **_agency_samples(),
    }


def _agency_samples() -> dict:
    from arrears.agencies.models import AgencyPayment, PlacementBatch
    from arrears.core.dates import local_today
    from arrears.core.models import Agency

    return {
        "agency": list(Agency.objects.order_by("pk").values_list("pk", flat=True)[:1]),
        "placement_batch": list(PlacementBatch.objects.values_list("pk", flat=True)[:1]),
        "agency_payment": list(AgencyPayment.objects.values_list("pk", flat=True)[:1]),
        "month": [f"{local_today():%Y-%m}"],
    }


# Which sample fills which argument, by URL name (namespace) and argument.
def _kind(name: str, arg: str) -> str | None:
    ns, _, view = name.partition(":")
    if ns == "strategy":
        return {"code": "strategy", "number": "version", "pk": "handover"}.get(arg)
    if arg in ("case_id", "case_pk"):
        return "case"
    if arg == "external_id":
        return "loan" if view.startswith("loan") else "borrower"
    if arg == "activity_id":
        return "activity"
    if arg == "code":
        return "pack"
    if arg == "rule_id":
        return "rule"
    if arg == "fact_id":
        return "fact"
    if arg == "token_id":
        return "token"
    if arg == "job_id":
        return "job"
    if arg == "which":
        return "which"
    if arg == "visit_id":
        return "visit"
    if arg == "name" and ns == "reports":
        return "report"
    if arg == "month":
        return "month"
    if arg == "absence_pk":
        return "absence"
    if arg == "pk":
        return {
            "cases": (
                "allocation_rule"
                if view in ("allocation_rule_edit", "allocation_rule_delete")
                else "team"
                if view == "team_rotation"
                else "user"
                if view in ("person", "absence_change", "absence_cancel")
                else "debtor_type"
                if view.startswith("debtor_type")
                else "advice"
                if view.startswith("advice")
                else "complaint"
                if view.startswith("complaint")
                else "death_report"
                if view.startswith("death_report")
                else "case"
            ),
            "plans": "plan",
            "writeoff": "writeoff_proposal",
            "documents": "category" if view.startswith("category") else None,
            "notices": "template" if view.startswith("template") else "notice",
            "compliance": "product",
            "accounts": "team" if view.startswith("team") else "user",
            "field": "region" if view.startswith("region") else "trip",
            "agencies": (
                "placement_batch"
                if view == "batch"
                else "agency_payment"
                if view == "decide"
                else "agency"
            ),
        }.get(ns)
    return None


def unfilled_patterns() -> list[str]:
    """Routes with an argument this module cannot fill (a new page: teach `_kind` about it)."""
    missing = []
    for route, name, p in walk():
        if SKIP_ROUTES.search(route):
            continue
        for arg in p.pattern.regex.groupindex:
            if _kind(name, arg) is None:
                missing.append(f"{route} ({name}: {arg})")
    return missing


def page_urls(user, *, limit_cases: int = 3, one_per_pattern: bool = False) -> list[str]:
    """Every GET-able page address for `user` (some may answer 403/404/405: callers skip)."""
    samples = _samples(user, limit_cases)
    urls: list[str] = []
    for route, name, p in walk():
        if SKIP_ROUTES.search(route):
            continue
        args = list(p.pattern.regex.groupindex)
        if not args:
            urls.append("/" + route)
            continue
        kinds = [_kind(name, a) for a in args]
        if any(k is None for k in kinds):
            continue
        if len(args) == 1:
            values = samples[kinds[0]]
            if one_per_pattern:
                values = values[:1]
            for v in values:
                urls.append("/" + re.sub(r"<[^>]+>", str(v), route))
        else:  # a pack and one of its rules
            filled = route
            for a, k in zip(args, kinds, strict=True):
                if not samples[k]:
                    break
                filled = re.sub(r"<[^>]*" + a + ">", str(samples[k][0]), filled)
            else:
                urls.append("/" + filled)
    return list(dict.fromkeys(urls))


# --- what a person reads on a page ----------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a person reads: text nodes, titles, placeholders, labels of buttons; without
    scripts and styles, and without anything marked with another language (the language
    switch's "English" is lang="en" on purpose)."""

    # Code-like text is shown as written on purpose (a notice template's source, a rule id).
    SKIP = {"script", "style", "template", "code", "pre", "textarea", "kbd", "samp"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, page_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping)
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        skip = (
            self.skipping
            or tag in self.SKIP
            # A stored record shown as it was written (an audit entry's before and after).
            or attrs.get("translate") == "no"
            or bool(lang and not lang.startswith(self.page_language[:2]))
        )
        if not skip:
            for a in ("placeholder", "title", "aria-label", "alt", "data-label"):
                if attrs.get(a):
                    self.parts.append(attrs[a])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())

    def text(self) -> str:
        return "\n".join(self.parts)


def visible_text(html: str, language: str = "zh") -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return parser.text()


# --- the English a Chinese page must not show -----------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{[^}]*\}")
# Words the same in both languages (abbreviations, codes, the brand).
SAME_IN_BOTH = {"Arrears", "DPD", "API", "PDF", "CSV", "XLSX", "LPR", "SMS", "ID", "OK"}


def english_strings() -> set[str]:
    """Every English message of the project's catalogs and every TextChoices label, as the
    literal fragments a page would show (placeholders cut out), where the Chinese differs."""
    from babel.messages.pofile import read_po
    from django.db import models
    from django.utils import translation

    import arrears

    found: set[str] = set()

    def add(text: str, zh: str | None = None) -> None:
        if zh is not None and zh.strip() == text.strip():
            return  # the same in both (codes, abbreviations)
        for fragment in PLACEHOLDER.split(text):
            fragment = fragment.strip(" .,:;()/·—-–\n\t“”\"'")
            if len(re.findall(r"[A-Za-z]", fragment)) < 3 or fragment in SAME_IN_BOTH:
                continue
            if not re.search(r"[A-Za-z]{3,}", fragment):
                continue
            # A lone lowercase word ("loan", "default") is a field's verbose name: it matches
            # code-like text (template variables, keys) far more often than a sentence.
            if re.fullmatch(r"[a-z]+", fragment):
                continue
            found.add(fragment)

    root = Path(arrears.__file__).parent
    for po_path in root.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        with po_path.open("rb") as f:
            catalog = read_po(f)  # babel: obsolete entries are kept apart, not iterated
        for message in catalog:
            if not message.id:
                continue  # the header
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            zh = strings[0] if strings else ""
            for msgid in ids:
                add(msgid, zh or None)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    with translation.override("en"):
        english = {c: [str(label) for label in c.labels] for c in subclasses(models.TextChoices)}
    with translation.override("zh-hans"):
        for cls, labels in english.items():
            if not cls.__module__.startswith("arrears."):
                continue
            for en, zh in zip(labels, (str(label) for label in cls.labels), strict=True):
                add(en, zh)
    return found


def english_pattern(strings: set[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")
