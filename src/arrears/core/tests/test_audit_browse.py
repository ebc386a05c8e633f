"""Browsing, filtering and exporting the audit trail: the auditor and the administrator may,
every other role is refused (403 on the page and on the API)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from arrears.api.tests.conftest import ApiClient
from arrears.core.audit import audit_record
from arrears.core.dates import local_zone
from arrears.core.models import AuditEntry
from arrears.core.selectors import audit_diff

pytestmark = pytest.mark.django_db

ROLES = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")
READERS = {"alice", "aud"}


@pytest.fixture
def trail(people):
    """A few entries of different kinds, in the order written."""
    mia, alice = people["mia"], people["alice"]
    return {
        "payment": audit_record(
            actor=mia,
            event="payment.post",
            object_type="loan",
            object_id="L-1",
            before={"status": "active", "paid": "0.00"},
            after={"status": "paid_off", "paid": "1200.00"},
            source="web",
            ip="10.0.0.5",
        ),
        "assign": audit_record(
            actor=mia,
            event="loan.assign",
            object_type="loan",
            object_id="L-2",
            after={"collector": "carl"},
            source="api",
        ),
        "user": audit_record(
            actor=alice,
            event="user.add",
            object_type="user",
            object_id="wang",
            after={"role": "collector"},
            source="cli",
        ),
        "import": audit_record(actor=None, event="import.loans", after={"rows": 3}),
    }


def _web(client, user, path, **params):
    client.force_login(user)
    return client.get(path, params)


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ROLES)
def test_only_the_auditor_and_the_administrator_see_the_page(client, people, trail, username):
    response = _web(client, people[username], reverse("audit:list"))
    assert response.status_code == (200 if username in READERS else 403)


@pytest.mark.parametrize("username", ROLES)
def test_only_the_auditor_and_the_administrator_export_on_the_web(client, people, trail, username):
    response = _web(client, people[username], reverse("audit:export", args=["csv"]))
    assert response.status_code == (200 if username in READERS else 403)
    exports = AuditEntry.objects.filter(event="audit.export").count()
    assert exports == (1 if username in READERS else 0)


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("path", ["/audit", "/audit/export", "/audit/verify"])
def test_only_the_auditor_and_the_administrator_use_the_api(people, trail, username, path):
    response = ApiClient(people[username]).get(path)
    if username in READERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "forbidden"


def test_a_stranger_is_sent_to_sign_in_and_the_api_answers_401(client, trail):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert ApiClient(None).get("/audit").status_code == 401


@pytest.mark.parametrize("username", ROLES)
def test_the_nav_shows_the_audit_trail_to_those_who_may_read_it(client, people, username):
    html = _web(client, people[username], reverse("web:home")).content.decode()
    assert (reverse("audit:list") in html) == (username in READERS)


# --- browsing ---------------------------------------------------------------------------------


def test_the_page_lists_newest_first_with_the_before_and_after(client, people, trail):
    html = _web(client, people["aud"], reverse("audit:list")).content.decode()
    assert "审计日志" in html
    assert html.index("import.loans") < html.index("payment.post")
    # The payment's diff: status and paid changed.
    assert "<del>active</del>" in html and "<ins>paid_off</ins>" in html
    assert "<del>0.00</del>" in html and "<ins>1200.00</ins>" in html
    assert "10.0.0.5" in html


def test_the_diff_marks_changed_added_and_removed_keys():
    rows = {
        r.key: r
        for r in audit_diff({"a": 1, "b": "x", "gone": True}, {"a": 1, "b": "y", "new": [1]})
    }
    assert not rows["a"].changed
    assert (rows["b"].before, rows["b"].after, rows["b"].changed) == ("x", "y", True)
    assert (rows["gone"].before, rows["gone"].after) == ("true", "")
    assert (rows["new"].before, rows["new"].after) == ("", "[1]")
    assert audit_diff(None, None) == []
    assert [(r.before, r.after) for r in audit_diff(None, [1, 2])] == [("", "[1, 2]")]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "mia"}, {"payment", "assign"}),
        ({"actor": "system"}, {"import"}),
        ({"event": "payment.post"}, {"payment"}),
        ({"event": "loan"}, {"assign"}),  # a dotted prefix
        ({"event": "pay"}, set()),  # …not any prefix
        ({"object_type": "loan"}, {"payment", "assign"}),
        ({"object_type": "loan", "object_id": "L-2"}, {"assign"}),
        ({"source": "cli"}, {"user"}),
        ({"source": "system"}, {"import"}),
    ],
)
def test_filters_on_the_page_and_the_api(client, people, trail, params, expected):
    ids = {trail[k].pk for k in expected}
    html = _web(client, people["aud"], reverse("audit:list"), **params).content.decode()
    shown = {e.pk for e in trail.values() if f'<td data-label="#" class="key">{e.pk}</td>' in html}
    assert shown == ids
    items = ApiClient(people["aud"]).get("/audit", **params).json()["items"]
    assert {i["id"] for i in items} == ids


def _entry_at(when: dt.datetime, **kw) -> AuditEntry:
    entry = audit_record(actor=None, event="test.dated", object_type="test", **kw)
    # Moving `at` breaks the hash chain; these tests are about the dates, not the chain.
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)
    return entry


def test_the_date_range_is_local_days_with_both_ends_included(client, people):
    zone = local_zone()
    late = _entry_at(dt.datetime(2026, 1, 5, 23, 59, 59, tzinfo=zone), object_id="late")
    early = _entry_at(dt.datetime(2026, 1, 6, 0, 0, 0, tzinfo=zone), object_id="early")
    later = _entry_at(dt.datetime(2026, 1, 8, 12, 0, tzinfo=zone), object_id="later")
    api = ApiClient(people["aud"])

    def ids(**params):
        return {i["id"] for i in api.get("/audit", event="test", **params).json()["items"]}

    assert ids(date_to="2026-01-05") == {late.pk}
    assert ids(date_from="2026-01-06") == {early.pk, later.pk}
    assert ids(date_from="2026-01-06", date_to="2026-01-06") == {early.pk}
    assert ids(date_from="2026-01-05", date_to="2026-01-08") == {late.pk, early.pk, later.pk}
    html = _web(
        client,
        people["aud"],
        reverse("audit:list"),
        event="test",
        date_from="2026-01-06",
        date_to="2026-01-07",
    ).content.decode()
    assert "early" in html and "later" not in html and ">late<" not in html


def test_a_reversed_date_range_is_an_error_on_the_field(client, people, trail):
    response = ApiClient(people["aud"]).get("/audit", date_from="2026-02-01", date_to="2026-01-01")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date_to"
    html = _web(
        client, people["aud"], reverse("audit:list"), date_from="2026-02-01", date_to="2026-01-01"
    ).content.decode()
    assert "截止日期早于起始日期" in html


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_not_a_server_error(client, people, trail, day):
    api = ApiClient(people["aud"])
    assert api.get("/audit", date_from=day).status_code == 200
    assert api.get("/audit", date_to=day).status_code == 200
    assert _web(client, people["aud"], reverse("audit:list"), date_from=day).status_code == 200


def test_bad_filters_answer_422_naming_the_field(people, trail):
    api = ApiClient(people["aud"])
    response = api.get("/audit", source="telepathy")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "source"
    response = api.get("/audit", date_from="2026-13-01")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date_from"


def test_pages_of_fifty_on_the_web_and_as_asked_on_the_api(client, people):
    for n in range(61):
        audit_record(actor=None, event="test.bulk", object_id=str(n))
    html = _web(client, people["aud"], reverse("audit:list"), event="test").content.decode()
    assert "61 条记录" in html and "第 1 页，共 2 页" in html
    page2 = _web(client, people["aud"], reverse("audit:list"), event="test", page=2)
    assert page2.content.decode().count('<td data-label="#"') == 11
    body = ApiClient(people["aud"]).get("/audit", event="test", page=2, page_size=25).json()
    assert (body["count"], body["page"], len(body["items"])) == (61, 2, 25)
    assert body["items"][0]["object_id"] == "35"  # newest first: 60…36 on page 1


def test_an_api_entry_carries_everything_the_page_shows(people, trail):
    item = ApiClient(people["aud"]).get("/audit", event="payment.post").json()["items"][0]
    assert item["actor"] == "mia" and item["object_type"] == "loan" and item["object_id"] == "L-1"
    assert item["before"] == {"status": "active", "paid": "0.00"}
    assert item["after"]["status"] == "paid_off"
    assert item["source"] == "web" and item["ip"] == "10.0.0.5"
    assert item["hash"] == trail["payment"].hash and len(item["prev_hash"]) == 64


# --- the chain --------------------------------------------------------------------------------


def test_the_page_and_the_api_say_the_chain_is_intact(client, people, trail):
    html = _web(client, people["aud"], reverse("audit:list")).content.decode()
    assert "哈希链完整" in html
    body = ApiClient(people["aud"]).get("/audit/verify").json()
    assert body["ok"] is True and body["first_bad_id"] is None
    assert body["checked"] >= 4


def test_the_page_and_the_api_name_an_edited_entry(client, people, trail):
    AuditEntry.objects.filter(pk=trail["assign"].pk).update(after={"collector": "cora"})
    html = _web(client, people["aud"], reverse("audit:list")).content.decode()
    assert "哈希链已被破坏" in html and f"第 {trail['assign'].pk} 号记录" in html
    body = ApiClient(people["aud"]).get("/audit/verify").json()
    assert (body["ok"], body["first_bad_id"]) == (False, trail["assign"].pk)
    assert "edited" in body["problem"]


# --- exports ----------------------------------------------------------------------------------


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_csv_export_holds_the_filtered_entries_oldest_first_and_is_audited(client, people, trail):
    response = _web(client, people["aud"], reverse("audit:export", args=["csv"]), actor="mia")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(_content(response))
    assert [r["event"] for r in rows] == ["payment.post", "loan.assign"]
    assert json.loads(rows[0]["before"]) == {"status": "active", "paid": "0.00"}
    assert rows[0]["hash"] == trail["payment"].hash and rows[0]["ip"] == "10.0.0.5"
    export = AuditEntry.objects.get(event="audit.export")
    assert export.actor == people["aud"] and export.source == "web"
    assert export.after["rows"] == 2 and export.after["format"] == "csv"
    assert export.after["filters"] == {"actor": "mia"}


def test_an_export_does_not_contain_its_own_entry(client, people, trail):
    rows = _csv_rows(_content(_web(client, people["aud"], reverse("audit:export", args=["csv"]))))
    assert "audit.export" not in {r["event"] for r in rows}
    # Everything before the export: the trail and aud's sign-in.
    assert len(rows) == AuditEntry.objects.count() - 1 == 5
    assert AuditEntry.objects.get(event="audit.export").after["rows"] == 5


def test_an_xlsx_export_over_the_api(people, trail):
    response = ApiClient(people["alice"]).get("/audit/export", format="xlsx", event="user")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_content(response))).active
    values = list(sheet.values)
    assert values[0][:4] == ("id", "at", "actor", "event")
    assert [row[3] for row in values[1:]] == ["user.add"]
    export = AuditEntry.objects.get(event="audit.export")
    assert (export.source, export.after["format"], export.after["rows"]) == ("api", "xlsx", 1)


def test_text_typed_by_strangers_never_becomes_a_spreadsheet_formula(client, people):
    client.post("/login/", {"username": '=HYPERLINK("http://x")', "password": "x"})
    api = ApiClient(people["aud"])
    rows = _csv_rows(_content(api.get("/audit/export", event="user.login_failed")))
    assert rows[0]["object_id"].startswith("'=")
    data = _content(api.get("/audit/export", format="xlsx", event="user.login_failed"))
    cell = load_workbook(io.BytesIO(data)).active["F2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_an_unknown_export_format_is_refused(client, people, trail):
    response = ApiClient(people["aud"]).get("/audit/export", format="pdf")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "format"
    assert _web(client, people["aud"], "/audit/export.pdf").status_code == 404
    assert not AuditEntry.objects.filter(event="audit.export").exists()


def test_a_long_trail_shows_the_last_recorded_check_and_verifies_on_request(
    client, people, trail, settings
):
    settings.ARREARS_AUDIT_VERIFY_LIVE_MAX = 2
    html = _web(client, people["aud"], reverse("audit:list")).content.decode()
    assert "哈希链尚未核验" in html and "立即核验哈希链" in html
    response = client.post(reverse("audit:verify"), follow=True)
    html = response.content.decode()
    assert "哈希链完整" in html and "上次核验" in html and "aud" in html
    check = AuditEntry.objects.get(event="audit.verify")
    assert check.actor == people["aud"] and check.after["ok"] is True
    # An edit made since is caught by the next check.
    AuditEntry.objects.filter(pk=trail["user"].pk).update(object_id="li")
    html = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert f"第 {trail['user'].pk} 号记录" in html and "哈希链已被破坏" in html


@pytest.mark.parametrize("username", ["mia", "carl", "ada"])
def test_others_may_not_run_a_check(client, people, trail, username):
    client.force_login(people[username])
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditEntry.objects.filter(event="audit.verify").exists()
