"""The debtor-type suggestion read from the record, shown with its reason, never stored over a
collector's choice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from arrears.activities.models import Activity
from arrears.cases import selectors, services
from arrears.cases.models import DebtorType
from arrears.cases.tests.conftest import client_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def log(case, outcome, *, channel="call", day=1, hour=10, **kw):
    return Activity.objects.create(
        case=case,
        loan=case.loan,
        borrower=case.borrower,
        channel=channel,
        outcome=outcome,
        occurred_at=dt.datetime(2026, 8, day, hour, tzinfo=TZ),
        **kw,
    )


def suggested(case):
    s = selectors.case_profile_suggestion(case)
    return (s.code, s.reason_en) if s else None


def test_a_case_with_no_record_suggests_nothing(case):
    assert suggested(case) is None


def test_five_failed_attempts_in_a_row_and_no_right_party_contact_suggest_evasive(case):
    for day, outcome in enumerate(["no_answer", "busy", "no_answer", "wrong_number"], start=1):
        log(case, outcome, day=day)
    assert suggested(case) is None  # four are not enough
    log(case, "number_invalid", day=5)
    assert suggested(case) == (
        "evasive",
        "5 failed contact attempts in a row and no right-party contact → evasive",
    )


def test_a_right_party_contact_resets_the_run_and_rules_out_evasive(case):
    log(case, "right_party_contact", day=1)
    for day in range(2, 9):
        log(case, "no_answer", day=day)
    assert suggested(case) is None
    signals = selectors.profile_signals(case)
    assert (signals.right_party_contacts, signals.consecutive_failed_attempts) == (1, 7)
    assert signals.contact_attempts == 8


def test_a_corrected_entry_counts_only_in_its_corrected_form(case):
    for day in range(1, 5):
        log(case, "no_answer", day=day)
    wrong = log(case, "right_party_contact", day=5)
    # The collector corrects the fifth call: nobody answered after all.
    log(case, "no_answer", day=5, hour=11, corrects=wrong)
    assert suggested(case)[0] == "evasive"


def test_a_hardship_outcome_suggests_victim(case):
    log(case, "hardship", day=3)
    assert suggested(case) == ("victim", "1 hardship outcome recorded → victim")


def test_two_refusals_suggest_stubborn(case):
    log(case, "refusal", day=3)
    log(case, "refusal", day=4)
    assert suggested(case)[0] == "stubborn"


def test_an_open_complaint_comes_first(people, case):
    log(case, "hardship", day=3)
    services.complaint_open(
        case=case, category="approval_amount", description="额度被砍", actor=people["carl"]
    )
    assert suggested(case) == (
        "dispute_first",
        "1 open complaint → look at the complaint first and keep it apart from the repayment",
    )


def test_a_death_report_being_verified_comes_before_everything(people, case):
    services.complaint_open(case=case, category="company", description="x", actor=people["carl"])
    services.death_report_open(
        case=case, reported_on=None, report_source="relative", actor=people["carl"]
    )
    assert suggested(case)[0] == "verify_death"


def test_two_broken_promises_suggest_serial_promiser(people, case):
    promise_record = pytest.importorskip("arrears.promises.services").promise_record
    Promise = pytest.importorskip("arrears.promises.models").Promise
    for day in (1, 8):
        promise = promise_record(
            case=case,
            amount_fen=100_000,
            promised_on=dt.date(2026, 8, day + 3),
            actor=people["carl"],
            source="web",
            created_on=dt.date(2026, 8, day),
        )
        Promise.objects.filter(pk=promise.pk).update(status="broken")
    assert suggested(case) == ("serial_promiser", "2 broken promises → serial promiser")


def test_the_suggestion_never_overwrites_the_collectors_choice(people, case):
    provocative = DebtorType.objects.get(code="provocative")
    services.case_set_debtor_type(case=case, debtor_type=provocative, actor=people["carl"])
    log(case, "hardship", day=3)
    profile = selectors.case_profile(case, "en")
    assert profile.suggestion.code == "victim"
    assert profile.suggestion_preselects is False
    case.refresh_from_db()
    assert case.debtor_type == provocative
    # The page shows both: the choice with its playbook, the suggestion with its reason.
    html = client_for(people["carl"]).get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert "1 hardship outcome recorded → victim" in text
    assert "choice stands; the suggestion is only shown" in text
    assert '<option value="provocative" selected>' in text


def test_with_no_choice_the_suggestion_preselects_the_type_in_the_form(people, case):
    log(case, "hardship", day=3)
    text = client_for(people["carl"]).get(f"/cases/{case.pk}/").content.decode()
    assert "1 次记录经济困难 → 受害型" in text  # the reason in the reader's language
    assert '<option value="victim" selected>' in text
    case.refresh_from_db()
    assert case.debtor_type is None  # shown, not stored


def test_thresholds_come_from_settings(settings, case):
    settings.ARREARS_PROFILE_RULES = {"min_hardship_outcomes": 2}
    log(case, "hardship", day=3)
    assert suggested(case) is None
    log(case, "hardship", day=4)
    assert suggested(case)[0] == "victim"


def test_broken_promises_are_read_per_borrower_from_the_promises_app(monkeypatch, case):
    """The wiring to B2's promise_counts(borrower), whatever stage the promises app is at."""
    import sys
    import types

    seen = []
    fake = types.ModuleType("arrears.promises.selectors")

    def promise_counts(borrower):
        seen.append(borrower)
        return {"kept": 1, "partly_kept": 0, "broken": 2, "pending": 1}

    fake.promise_counts = promise_counts
    monkeypatch.setitem(sys.modules, "arrears.promises.selectors", fake)
    assert suggested(case) == ("serial_promiser", "2 broken promises → serial promiser")
    assert seen == [case.borrower]
    assert selectors.profile_signals(case).promises_kept == 1
