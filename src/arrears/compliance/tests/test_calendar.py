"""The State Council holiday calendar: shipped, edited by an administrator in the web with an
audit entry, and an edit makes the next end-of-day run full and moves a deadline."""

import datetime as dt

import pytest
from django.urls import reverse

from arrears.core.models import AuditEntry, CalendarDay
from arrears.eod.models import EodRun, LoanSnapshot
from arrears.eod.services import eod_run
from arrears.testing import make_loan

D = dt.date
pytestmark = pytest.mark.django_db


def login(client, username):
    from arrears.core.models import User

    client.force_login(User.objects.get(username=username))
    return client


def test_the_calendar_ships_the_state_council_notices():
    assert CalendarDay.objects.get(day=D(2024, 2, 10)).kind == "holiday"  # 春节
    assert CalendarDay.objects.get(day=D(2024, 2, 18)).kind == "workday"  # a Sunday worked
    assert CalendarDay.objects.filter(day__year=2015).exists()
    assert CalendarDay.objects.filter(day__year=2026, name="国庆节").count() == 9


def test_only_an_administrator_may_change_it(client, people):
    response = login(client, "carl").post(
        reverse("compliance:calendar"), {"day": "2027-10-01", "kind": "holiday", "source": "x"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(day=D(2027, 10, 1)).exists()


def test_a_make_up_working_day_must_be_a_weekend_day(client, people):
    response = login(client, "alice").post(
        reverse("compliance:calendar"),
        {"day": "2027-10-08", "kind": "workday", "name": "国庆节", "source": "notice"},
    )
    assert response.status_code == 400
    assert "only a weekend day can be a make-up working day" in response.content.decode()


def test_an_edit_is_audited_makes_the_next_run_full_and_moves_the_deadline(client, people):
    # Due 2026-07-10: deadline 2029-07-10 (a Tuesday).
    loan = make_loan(method="bullet", term_months=6, disbursed_on=D(2026, 1, 10))
    eod_run(as_of=D(2026, 11, 27))
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 27), loan=loan).limitation_deadline == D(
        2029, 7, 10
    )
    response = login(client, "alice").post(
        reverse("compliance:calendar"),
        {"day": "2029-07-10", "kind": "holiday", "name": "测试", "source": "2029 notice"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(event="calendar.set")
    assert (entry.actor, entry.source, entry.object_id) == (people["alice"], "web", "2029-07-10")
    run = eod_run(as_of=D(2026, 11, 28))
    assert run.mode == EodRun.Mode.FULL
    assert "configuration" in run.mode_detail["reason"]
    # The last day is now a day off: the period ends on Wednesday 2029-07-11.
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 28), loan=loan).limitation_deadline == D(
        2029, 7, 11
    )
    # Removing it puts the deadline back, again through a full run.
    login(client, "alice").post(
        reverse("compliance:calendar"), {"day": "2029-07-10", "kind": "remove"}
    )
    assert AuditEntry.objects.filter(event="calendar.remove").count() == 1
    run = eod_run(as_of=D(2026, 11, 29))
    assert run.mode == EodRun.Mode.FULL
    assert LoanSnapshot.objects.get(as_of=D(2026, 11, 29), loan=loan).limitation_deadline == D(
        2029, 7, 10
    )


def test_a_year_without_its_arrangement_is_named_on_the_calendar_and_the_dashboard(
    client, people, settings
):
    from unittest import mock

    from arrears.compliance.selectors import calendar_years_missing

    # The shipped calendar ends with 2026: in October nothing is missing yet; from
    # 1 November the coming year is, until one of its days is entered.
    assert calendar_years_missing(D(2026, 10, 31)) == []
    assert calendar_years_missing(D(2026, 12, 6)) == [2027]
    assert calendar_years_missing(D(2027, 3, 1)) == [2027]
    with mock.patch("arrears.core.dates.local_today", return_value=D(2026, 12, 6)):
        html = (
            login(client, "alice")
            .get(reverse("compliance:calendar"), HTTP_ACCEPT_LANGUAGE="zh-hans")
            .content.decode()
        )
        assert "尚未录入 2027 年国务院节假日安排" in html
        home = login(client, "mia").get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "尚未录入 2027 年国务院节假日安排" in home and "请管理员录入" in home
    CalendarDay.objects.create(day=D(2027, 1, 1), kind="holiday", name="元旦", source="2027 notice")
    assert calendar_years_missing(D(2026, 12, 6)) == []
