"""The override report (/compliance/overrides/): who overrode which rule on what and why, for
managers, auditors and administrators, filtered, counted and exported (the export audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from arrears.activities.services import activity_log
from arrears.activities.tests.conftest import bullet, local, open_case, yesterday
from arrears.compliance.models import RuleOverride
from arrears.compliance.selectors import OverrideFilters, override_entries
from arrears.compliance.services import override_record
from arrears.core.models import AuditEntry
from arrears.testing import PASSWORD, make_borrower

pytestmark = pytest.mark.django_db

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")
READERS = {"alice", "mia", "aud"}
CALL_BACK = "Debtor asked to be called back at 16:00 (call recorded)."
LAWYER = "The debtor's lawyer asked for this letter to be sent (file 2026/118)."


@pytest.fixture
def case(people):
    wang = make_borrower(external_id="B-WANG", name="王小二", phone="13812345678")
    loan = bullet("L-CARL", wang, team=people["tom"].team, collector=people["carl"])
    return open_case(loan)


@pytest.fixture
def overrides(people, case):
    """mia's override of the 4th connected call (on the activity) and lee's on the case."""
    day = yesterday()
    for hh in (9, 10, 11):
        activity_log(
            case=case,
            actor=people["carl"],
            channel="call",
            outcome="right_party_contact",
            occurred_at=local(day, hh),
            source="web",
        )
    fourth = activity_log(
        case=case,
        actor=people["mia"],
        channel="call",
        outcome="right_party_contact",
        occurred_at=local(day, 16),
        source="web",
        override_reason=CALL_BACK,
    )
    on_case = override_record(
        actor=people["lee"],
        rule_id="CN.HOLD_CEASE_CONTACT",
        reason=LAWYER,
        object_ref=f"case:{case.pk}",
    )
    return {"call": RuleOverride.objects.get(object_ref=f"activity:{fourth.pk}"), "case": on_case}


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("username", USERS)
def test_managers_auditors_and_administrators_read_the_report(client, people, username):
    login(client, username)
    allowed = username in READERS
    assert client.get(reverse("compliance:overrides")).status_code == (200 if allowed else 403)
    url = reverse("compliance:overrides_export", args=["csv"])
    assert client.get(url).status_code == (200 if allowed else 403)
    home = client.get(reverse("web:home")).content.decode()
    assert (reverse("compliance:overrides") in home) is allowed  # the nav item
    assert AuditEntry.objects.filter(event="compliance.overrides.export").exists() is allowed


def test_the_page_lists_each_override_with_its_reason_and_case(client, people, case, overrides):
    html = login(client, "aud").get(reverse("compliance:overrides")).content.decode()
    assert "2 条豁免记录" in html and "<h1>规则豁免</h1>" in html  # zh-Hans by default
    for rule_id, reason, who in (
        ("CN.CONNECTED_CALLS", CALL_BACK, "mia"),
        ("CN.HOLD_CEASE_CONTACT", LAWYER, "lee"),
    ):
        assert rule_id in html and who in html
        assert reason.replace("'", "&#x27;") in html
    assert reverse("cases:detail", args=[case.pk]) in html  # both resolve to the case
    assert "L-CARL" in html
    # Newest first: lee's override on the case was recorded after mia's call.
    assert html.index("CN.HOLD_CEASE_CONTACT") < html.index("CN.CONNECTED_CALLS</code>")
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("compliance:overrides")).content.decode()
    assert "2 overrides" in html and "<h1>Overrides</h1>" in html


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"rule": "CN.CONNECTED_CALLS"}, {"call"}),
        ({"rule": "cn"}, {"call", "case"}),  # a pack prefix, any case
        ({"rule": "US"}, set()),
        ({"actor": "lee"}, {"case"}),
        ({"role": "manager"}, {"call"}),
        ({"pack": "cn_default"}, {"call", "case"}),
        ({"pack": "us_reg_f"}, set()),
        ({"case": "CASE"}, {"call", "case"}),  # the case's own and its activities'
        ({"case": "999999"}, set()),
    ],
)
def test_filters(people, case, overrides, params, expected):
    params = {k: str(case.pk) if v == "CASE" else v for k, v in params.items()}
    from arrears.compliance.forms import OverrideFilterForm

    form = OverrideFilterForm(params)
    found = set(override_entries(user=people["mia"], filters=form.filters()))
    assert found == {overrides[k] for k in expected}


def test_the_date_range_is_local_days_with_both_ends_included(people, overrides):
    RuleOverride.objects.filter(pk=overrides["call"].pk).update(
        created_at=local(dt.date(2026, 3, 1), 0, 0)  # 00:00 in Shanghai: still 28 Feb in UTC
    )
    on = OverrideFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 1))
    assert list(override_entries(user=people["aud"], filters=on)) == [overrides["call"]]
    before = OverrideFilters(date_to=dt.date(2026, 2, 28))
    assert list(override_entries(user=people["aud"], filters=before)) == []


def test_the_counts_per_rule_and_per_person(client, people, case, overrides):
    override_record(
        actor=people["mia"],
        rule_id="CN.CONNECTED_CALLS",
        reason=CALL_BACK,
        object_ref=f"case:{case.pk}",
    )
    response = login(client, "mia").get(reverse("compliance:overrides"))
    summary = response.context["summary"]
    assert summary["rules"] == [("CN.CONNECTED_CALLS", 2), ("CN.HOLD_CEASE_CONTACT", 1)]
    assert summary["actors"] == [("mia", 2), ("lee", 1)]


def test_bad_filters_are_shown_on_their_field_and_left_out(client, people, overrides):
    response = login(client, "aud").get(
        reverse("compliance:overrides"),
        {"case": "abc", "date_from": "2000-01-02", "date_to": "2000-01-01"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"case", "date_to"}
    assert response.context["page"].paginator.count == 2  # only date_from applied
    export = client.get(reverse("compliance:overrides_export", args=["csv"]), {"case": "abc"})
    assert export.status_code == 302  # back to the page to fix the filters
    assert not AuditEntry.objects.filter(event="compliance.overrides.export").exists()


def test_the_csv_export_holds_the_filtered_overrides_oldest_first_and_is_audited(
    client, people, case, overrides
):
    response = login(client, "aud").get(
        reverse("compliance:overrides_export", args=["csv"]), {"rule": "CN"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="overrides-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["rule_id"] for r in rows] == ["CN.CONNECTED_CALLS", "CN.HOLD_CEASE_CONTACT"]
    assert [(r["actor"], r["role"], r["case"], r["loan"]) for r in rows] == [
        ("mia", "manager", str(case.pk), "L-CARL"),
        ("lee", "legal", str(case.pk), "L-CARL"),
    ]
    assert rows[0]["reason"] == CALL_BACK
    assert rows[0]["object"].startswith("activity:")
    entry = AuditEntry.objects.get(event="compliance.overrides.export")
    assert (entry.actor_name, entry.source) == ("aud", "web")
    assert entry.after == {"format": "csv", "rows": 2, "filters": {"rule": "CN"}}


def test_an_xlsx_export_and_a_reason_that_looks_like_a_formula(client, people, case):
    from openpyxl import load_workbook

    override_record(
        actor=people["mia"],
        rule_id="CN.CONNECTED_CALLS",
        reason='=HYPERLINK("http://x") asked to be called',
        object_ref=f"case:{case.pk}",
    )
    response = login(client, "mia").get(reverse("compliance:overrides_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.values)
    assert row[header.index("reason")].startswith("'=HYPERLINK")
    assert client.get(reverse("compliance:overrides_export", args=["pdf"])).status_code == 404
