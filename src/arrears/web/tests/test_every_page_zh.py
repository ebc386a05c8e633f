"""Every page, for every role, in zh-Hans is Chinese (issue 13, "Chinese pages in Chinese").

The demo-like book (400 loans, three weeks of case work through the services: promises,
plans, complaints, deaths, notices, documents, overrides) is built once; each demo user opens
every page of the app (tests/pages.py walks the URL patterns) in Chinese. A page fails when
its visible text holds an English message of the project's catalogs or an English label of a
TextChoices enum (where the Chinese differs), or a user's login name where their name belongs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from arrears.web.tests.pages import (
    english_pattern,
    english_strings,
    page_urls,
    unfilled_patterns,
    visible_text,
)

pytestmark = [pytest.mark.slow]

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture
def demo(db):
    """The demo book with its case work (400 loans, three weeks), rolled back after the test."""
    from arrears.demo.casework import demo_casework
    from arrears.demo.generator import demo_generate

    demo_generate(loans=400, seed=7, as_of=AS_OF, chunk_size=150, reset=True)
    demo_casework(as_of=AS_OF, seed=7)
    from arrears.demo.field import demo_field

    demo_field(as_of=AS_OF)  # visits, regions and a trip for the field pages


def test_every_page_pattern_can_be_filled():
    assert unfilled_patterns() == []


def test_the_english_list_knows_the_enums_and_the_catalogs():
    strings = english_strings()
    assert "Relative" in strings  # book.Relation
    assert "Right-party contact" in strings  # activities.Outcome
    assert "Log an outcome" in strings  # a template msgid


def test_every_zh_page_is_chinese_for_every_role(demo):
    from arrears.core.models import User
    from arrears.demo.users import DEMO_USERS

    pattern = english_pattern(english_strings())
    usernames = [u.username for u in DEMO_USERS]
    login = re.compile(r"(?<![\w.@/-])(?:" + "|".join(usernames) + r")(?![\w.@/-])")
    problems: list[str] = []
    seen = 0
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        limit = 40 if spec.username == "admin" else 3
        for url in page_urls(user, limit_cases=limit):
            response = client.get(url)
            if response.status_code in (403, 404, 405):
                continue
            assert response.status_code == 200, (spec.username, url, response.status_code)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            seen += 1
            text = visible_text(response.content.decode())
            for kind, regex in (("English", pattern), ("login name", login)):
                for m in {m.group(0): m for m in regex.finditer(text)}.values():
                    around = text[max(0, m.start() - 25) : m.end() + 25].replace("\n", " ⏎ ")
                    problems.append(f"{spec.username} {url}: {kind} “{m.group(0)}” in …{around}…")
    assert seen > 100
    assert problems == [], "\n" + "\n".join(problems[:300]) + f"\n({len(problems)} in all)"


def test_every_enum_label_has_a_chinese_label():
    """An English label of a TextChoices with no zh translation would show on a zh page."""
    from django.db import models
    from django.utils import translation

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    same = []
    for cls in subclasses(models.TextChoices):
        if not cls.__module__.startswith("arrears."):
            continue
        with translation.override("en"):
            english = [str(label) for label in cls.labels]
        with translation.override("zh-hans"):
            chinese = [str(label) for label in cls.labels]
        same += [
            f"{cls.__module__}.{cls.__name__}: {en}"
            for en, zh in zip(english, chinese, strict=True)
            if en == zh and re.search(r"[a-z]{3}", en) and en not in ("English",)
        ]
    assert same == []
