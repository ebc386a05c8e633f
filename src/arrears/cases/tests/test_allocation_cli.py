"""`arrears allocation …`: plan, run, rules, absences and the rotation due from the command
line, through the same services as the pages (docs/allocation.md).

Team A: lead tom, collectors carl and cora; tina leads team B; mia is a manager.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.allocation import team_rotation_set
from arrears.cases.models import Absence, AllocationRule, Case, CaseAssignment
from arrears.cases.tests.test_allocation import fresh_case, holder
from arrears.core.dates import local_today
from arrears.core.models import AuditEntry

TODAY = local_today()


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def arrears(*args: str) -> str:
    out = io.StringIO()
    call_command("allocation", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        arrears(*args)
    return str(error.value)


@pytest.fixture
def waiting(people):
    """Four new cases of team A without a collector."""
    return [fresh_case(n, team=people["tom"].team) for n in range(4)]


# --- plan and run ------------------------------------------------------------------------------


def test_plan_shows_each_collectors_share_and_changes_nothing(people, waiting):
    out = arrears("plan", "--team", "Team A")
    assert f"{TODAY} (dry run: nothing changed): routed 0, no_rule 0, placed 4" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert lines["carl"][1:3] == ["Team", "A"] and lines["carl"][3] == "2"
    assert lines["cora"][3] == "2" and lines["total"][1] == "4"
    assert [holder(c) for c in waiting] == [None] * 4
    assert not CaseAssignment.objects.filter(cause="allocation").exists()


def test_plan_as_json(people, waiting):
    data = json.loads(arrears("plan", "--format", "json", "--day", TODAY.isoformat()))
    assert (data["day"], data["dry_run"], data["placed"]) == (TODAY.isoformat(), True, 4)
    assert sorted((r["user"], r["cases"]) for r in data["by_collector"]) == [
        ("carl", 2),
        ("cora", 2),
    ]


def test_run_places_the_cases_and_is_audited(people, waiting):
    out = arrears("run", "--as", "tom")
    assert "placed 4" in out and "dry run" not in out
    assert sorted(holder(c) for c in waiting) == ["carl", "carl", "cora", "cora"]
    entry = AuditEntry.objects.filter(event="allocation.run").get()
    assert (entry.actor, entry.source, entry.after["placed"]) == (people["tom"], "cli", 4)
    assert arrears("run").startswith(f"{TODAY}: routed 0, no_rule 0, placed 0")


def test_a_team_leads_run_stays_in_their_team(people, waiting):
    assert "leads another team" in refused("run", "--as", "tina", "--team", "Team A")
    out = arrears("run", "--as", "tina")
    assert "placed 0" in out
    assert [holder(c) for c in waiting] == [None] * 4


def test_run_refusals(people, waiting):
    assert "carl (collector) may not allocate cases" in refused("run", "--as", "carl")
    assert "--as: no active user named 'nobody'" in refused("run", "--as", "nobody")
    assert "--team: no team named 'Team Z'" in refused("run", "--team", "Team Z")
    assert "has not come yet" in refused("run", "--day", day(1).isoformat())
    assert "'2026-13-01' is not a date (YYYY-MM-DD)" in refused("plan", "--day", "2026-13-01")
    assert [holder(c) for c in waiting] == [None] * 4


# --- rules -------------------------------------------------------------------------------------


def test_rules_are_listed_in_order_with_their_conditions(people):
    AllocationRule.objects.create(position=2, name="全部", team=people["tom"].team)
    AllocationRule.objects.create(
        position=1,
        name="梅州",
        region_prefix="广东省/梅州市",
        dpd_min=30,
        team=people["tina"].team,
        active=False,
    )
    out = arrears("rules").splitlines()
    assert "梅州" in out[1] and "Team B" in out[1] and "region 广东省/梅州市" in out[1]
    assert "DPD 30-∞" in out[1] and " no " in out[1]
    assert "全部" in out[2] and "everything" in out[2]
    data = json.loads(arrears("rules", "--format", "json"))
    assert [r["name"] for r in data] == ["梅州", "全部"]


def test_no_rules_says_so(people):
    assert "no rules" in arrears("rules")


# --- absences ----------------------------------------------------------------------------------


def test_absence_add_list_change_and_cancel(people, cases):
    out = arrears(
        "absence",
        "add",
        "carl",
        "--from",
        TODAY.isoformat(),
        "--until",
        day(4).isoformat(),
        "--reason",
        "leave",
        "--note",
        "年假",
        "--as",
        "tom",
    )
    row = Absence.objects.get()
    assert f"absence {row.pk}: carl away {TODAY} to {day(4)} (leave)" in out
    assert row.created_by == people["tom"] and row.note == "年假"
    listing = arrears("absences", "--user", "carl")
    assert "carl" in listing and "now" in listing and "年假" in listing

    # The end-of-day covers carl's case; shortening the absence to today gives it back tonight.
    arrears("run")
    assert holder(cases["carl"]) == "cora"
    out = arrears("absence", "change", str(row.pk), "--until", TODAY.isoformat(), "--as", "tom")
    assert f"absence {row.pk} of carl: {TODAY} to {TODAY}" in out
    assert "returned 1" in arrears("run")
    assert holder(cases["carl"]) == "carl"

    out = arrears("absence", "cancel", str(row.pk), "--reason", "提前返岗", "--as", "mia")
    assert f"absence {row.pk} of carl cancelled; 0 covered case(s)" in out
    row.refresh_from_db()
    assert (row.cancelled_on, row.cancel_reason) == (TODAY, "提前返岗")
    assert "no absences" in arrears("absences")
    assert f"cancelled {TODAY}" in arrears("absences", "--all")
    assert json.loads(arrears("absences", "--all", "--format", "json"))[0]["cancelled_on"] == (
        TODAY.isoformat()
    )


def test_cancel_reports_the_cases_that_go_back(people, cases):
    arrears(
        "absence", "add", "carl", "--from", TODAY.isoformat(), "--until", day(3).isoformat(),
        "--reason", "sick",
    )  # fmt: skip
    assert "covered 1" in arrears("plan")
    arrears("run")
    row = Absence.objects.get()
    out = arrears("absence", "cancel", str(row.pk))
    assert "1 covered case(s) go back at the next end-of-day" in out
    assert "returned 1" in arrears("plan")  # the dry run says so too, and changes nothing
    assert holder(cases["carl"]) == "cora"
    assert "returned 1" in arrears("run")
    history = CaseAssignment.objects.filter(case=cases["carl"]).latest("at")
    assert (history.cause, history.to_collector.username) == ("cover_return", "carl")


def test_absence_errors_name_the_option(people):
    base = ["absence", "add", "carl", "--from", day(3).isoformat()]
    assert "--until: The end date is before the start." in refused(
        *base, "--until", day(1).isoformat(), "--reason", "leave"
    )
    assert "--reason: Choose one of: leave, sick, training, other." in refused(
        *base, "--until", day(4).isoformat(), "--reason", "holiday"
    )
    assert "'03/12/2026' is not a date" in refused(
        *base, "--until", "03/12/2026", "--reason", "leave"
    )
    assert "A team lead manages only the people of their own team." in refused(
        *base, "--until", day(4).isoformat(), "--reason", "leave", "--as", "tina"
    )
    assert "no user named 'nobody'" in refused(
        "absence", "add", "nobody", "--from", day(1).isoformat(), "--until", day(2).isoformat(),
        "--reason", "leave",
    )  # fmt: skip
    assert not Absence.objects.exists()
    assert "no absence 999" in refused("absence", "cancel", "999")
    started = Absence.objects.create(
        user=people["carl"], starts_on=TODAY, ends_on=day(3), reason="sick"
    )
    assert "give --until DATE" in refused("absence", "change", str(started.pk))
    assert "--from: The absence has started: only its end date can change." in refused(
        "absence", "change", str(started.pk), "--from", day(1).isoformat()
    )
    started.refresh_from_db()
    assert (started.starts_on, started.ends_on) == (TODAY, day(3))


# --- rotation (dry run) ------------------------------------------------------------------------


def test_rotation_lists_the_cases_due_and_moves_nothing(people, cases):
    team_rotation_set(
        team=people["tom"].team, rotation_days=30, retain_quota=3, actor=people["mia"]
    )
    held = (TODAY - cases["carl"].opened_on).days
    out = arrears("rotation")
    assert f"{TODAY} (dry run: nothing changed): 2 case(s) due for rotation" in out
    rows = {line.split()[1]: line.split() for line in out.splitlines()[2:]}
    assert set(rows) == {"L-CARL", "L-CORA"}
    assert rows["L-CARL"][2] == "carl" and rows["L-CARL"][-1] == str(held)
    assert holder(cases["carl"]) == "carl" and holder(cases["cora"]) == "cora"
    data = json.loads(arrears("rotation", "--format", "json", "--team", "Team B"))
    assert (data["due"], data["cases"]) == (0, [])
    # Before the period has run, nothing is due.
    early = (cases["carl"].opened_on + dt.timedelta(days=10)).isoformat()
    assert "0 case(s) due" in arrears("rotation", "--day", early)
    assert Case.objects.filter(collector=people["carl"]).count() == 1
