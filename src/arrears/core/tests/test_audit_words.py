"""The audit trail in words: events and object types named, amounts in yuan, filters by
choice, in the page's language (issue 13, "Smaller things")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import arrears
from arrears.core.audit import audit_record
from arrears.core.audit_labels import EVENT_LABELS, OBJECT_LABELS, event_label

pytestmark = pytest.mark.django_db


def test_every_event_the_code_records_has_words():
    root = Path(arrears.__file__).parent
    recorded = set()
    for path in root.glob("**/*.py"):
        if "/tests/" in str(path) or path.name == "testing.py":
            continue
        recorded |= set(re.findall(r'event="([a-z_]+\.[a-z_.]+)"', path.read_text()))
        recorded |= set(re.findall(r'"([a-z_]+\.[a-z_]+)" if ', path.read_text()))
    missing = sorted(e for e in recorded if e not in EVENT_LABELS)
    assert missing == []


def test_every_object_type_the_code_records_has_words():
    root = Path(arrears.__file__).parent
    recorded = set()
    for path in root.glob("**/*.py"):
        if "/tests/" in str(path):
            continue
        recorded |= set(re.findall(r'object_type="([A-Za-z_.]+)"', path.read_text()))
    recorded -= {"test"}
    assert sorted(t for t in recorded if t not in OBJECT_LABELS) == []


def test_the_page_shows_events_objects_people_and_yuan_in_chinese(people):
    mia = people["mia"]
    mia.first_name = "梅"
    mia.last_name = "张"
    mia.save()
    audit_record(
        actor=mia,
        event="payment.post",
        object_type="payment",
        object_id="P-1",
        before=None,
        after={"amount_fen": 58_190, "channel": "cash"},
        source="web",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people["aud"])
    html = client.get("/audit/").content.decode()
    assert "登记还款" in html  # payment.post
    assert ">还款 <span" in html  # the object type
    assert "581.90" in html and "金额（元）" in html
    assert "张梅" in html or "梅 张" in html
    # Filters are lists of choices in words.
    assert '<select name="event"' in html and ">登记还款</option>" in html
    assert '<select name="actor"' in html
    with_filter = client.get("/audit/", {"event": "payment.post"}).content.decode()
    assert "P-1" in with_filter


def test_an_unnamed_event_shows_as_its_code():
    assert event_label("nobody.named_this") == "nobody.named_this"
