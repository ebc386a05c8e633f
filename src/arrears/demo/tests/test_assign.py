"""The demo starts with every open case assigned (分案 after end-of-day, through the bulk service)."""

from __future__ import annotations

from arrears.cases.models import Case, CaseAssignment
from arrears.core.models import AuditEntry, User
from arrears.core.scoping import cases_for
from arrears.demo.assign import demo_assign
from arrears.demo.generator import demo_eod
from arrears.demo.tests.conftest import AS_OF


def test_every_open_case_has_a_team_and_a_collector_after_the_first_morning(demo_book):
    demo_eod(as_of=AS_OF)
    open_cases = Case.objects.filter(status="open")
    # The generator leaves gaps; the end-of-day phase `allocation` (docs/allocation.md) has
    # already placed the cases that have a team with a collector of that team.
    assert not open_cases.filter(team__isnull=False, collector__isnull=True).exists()

    summary = demo_assign()

    assert summary.open_without_collector == 0
    assert not open_cases.filter(team__isnull=True).exists()
    assert not open_cases.filter(collector__isnull=True).exists()
    moves = CaseAssignment.objects.filter(source__in=["demo", "system"], kind="assign")
    assert moves.exists()
    assert AuditEntry.objects.filter(event="case.assign").count() == moves.count()
    # Each collector works only cases of their own team, and sees them.
    for username in ("collector1", "collector2"):
        user = User.objects.get(username=username)
        mine = open_cases.filter(collector=user)
        assert mine.exists()
        assert not mine.exclude(team=user.team).exists()
        assert cases_for(user).filter(status="open").count() >= mine.count()
    # Running it again assigns nothing more.
    again = demo_assign()
    assert not any(again.moved.values())
