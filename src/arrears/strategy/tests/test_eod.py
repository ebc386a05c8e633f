"""The `strategy` end-of-day phase on the real database: treatments, draws, due actions, rule-pack
refusals and hand-overs."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import Case, CaseSuspension, Complaint
from arrears.core.models import Agency
from arrears.eod.services import eod_run
from arrears.strategy import selectors, services
from arrears.strategy.models import CaseDraw, CaseTreatment, DueAction, HandOver, StrategyVersion
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db

# A loan disbursed on 10 January falls due on 10 February: 20 Feb is DPD 10, 20 Apr DPD 69.
FEB_20, APR_20 = dt.date(2026, 2, 20), dt.date(2026, 4, 20)


def f(field, op, value=None):
    atom = {"field": field, "op": op}
    if value is not None:
        atom["value"] = value
    return atom


def step(key, channel, role="collector", **kw):
    return {"key": key, "channel": channel, "role": role, **kw}


HELD = {
    "key": "held",
    "name_zh": "暂缓",
    "name_en": "Held",
    "when": {"any": [f("open_complaint", "is_true"), f("death_report", "is_true")]},
    "holding_days": 30,
    "paths": [{"key": "main", "share": 100, "steps": []}],
}


def seg(key, when, paths, holding_days=10, **extra):
    return {
        "key": key,
        "name_zh": key,
        "name_en": key,
        "when": when,
        "holding_days": holding_days,
        "paths": paths,
        **extra,
    }


def one(*steps):
    return [{"key": "main", "share": 100, "steps": list(steps)}]


SPLIT = [
    {
        "key": "sms_first",
        "share": 50,
        "steps": [
            step("sms", "sms", offset_days=0, template="m1", once=True),
            step("call", "call", offset_days=2),
        ],
    },
    {"key": "call_first", "share": 50, "steps": [step("call", "call", offset_days=0)]},
]

STRATEGY = {
    "segments": [
        HELD,
        seg("early", {"all": [f("dpd", "between", [1, 30])]}, SPLIT),
        seg(
            "late",
            {"all": [f("dpd", "gt", 30), f("time_barred", "is_false")]},
            one(
                step("call", "call", offset_days=0),
                step("visit", "visit", "field_agent", offset_days=0, once=True),
                step("legal", "legal_review", "legal", offset_days=0, once=True),
                step("place", "agency_placement", "manager", offset_days=0, once=True),
                step("broken", "call", "team_lead", trigger="promise_broken"),
            ),
            holding_days=7,
            exit=["plan_in_force"],
        ),
        seg("rest", {}, one(step("letter", "letter", offset_days=0, template="cn_default"))),
    ]
}


@pytest.fixture
def strategy(db):
    return services.strategy_save(
        code="test", definition=STRATEGY, actor=None, note="test", activate=True
    )


def treatment(case_id):
    return CaseTreatment.objects.get(case_id=case_id)


def due(on, case_id):
    return sorted(
        (r["step_key"], r["channel"], r["role"])
        for r in selectors.due_actions(on)
        if r["case_id"] == case_id
    )


def test_the_run_puts_every_open_case_in_a_segment_and_writes_tomorrows_steps(strategy):
    early = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=early)
    t = treatment(case.pk)
    assert (t.segment_key, t.entered_on, t.holding_days, t.as_of) == (
        "early",
        dt.date(2026, 2, 21),
        10,
        FEB_20,
    )
    assert t.strategy_version == strategy
    expected = (
        [("sms", "sms", "collector")]
        if t.path_key == "sms_first"
        else [("call", "call", "collector")]
    )
    assert due(dt.date(2026, 2, 21), case.pk) == expected
    rows = list(selectors.due_actions(dt.date(2026, 2, 21)))
    assert set(rows[0]) >= {"case_id", "segment_key", "step_key", "channel", "role", "template"}


def test_a_case_keeps_its_draw_and_path_and_its_entry_day_across_days(strategy):
    loans = [make_loan(disbursed_on=dt.date(2026, 1, 10)) for _ in range(12)]
    eod_run(as_of=FEB_20)
    first = {t.case_id: (t.path_key, t.entered_on) for t in CaseTreatment.objects.all()}
    draws = dict(CaseDraw.objects.values_list("case_id", "draw"))
    assert len(first) == len(loans) == len(draws)
    for day in (dt.date(2026, 2, 21), dt.date(2026, 2, 22)):
        eod_run(as_of=day)
    assert {t.case_id: (t.path_key, t.entered_on) for t in CaseTreatment.objects.all()} == first
    assert dict(CaseDraw.objects.values_list("case_id", "draw")) == draws
    # The path follows the draw: below 5000 the champion, else the challenger.
    for case_id, (path, _entered) in first.items():
        assert path == ("sms_first" if draws[case_id] < 5000 else "call_first")


def test_a_timed_step_is_due_from_its_day_until_the_next_step_and_once_only_on_its_day(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=loan)
    CaseDraw.objects.filter(case=case).update(draw=0)  # the sms-first path
    CaseTreatment.objects.filter(case=case).update(path_key="sms_first")
    seen = {}
    for day in (FEB_20, dt.date(2026, 2, 21), dt.date(2026, 2, 22), dt.date(2026, 2, 23)):
        eod_run(as_of=day)
        on = day + dt.timedelta(days=1)
        seen[on.isoformat()] = [s for s, _c, _r in due(on, case.pk)]
    assert seen == {
        "2026-02-21": ["sms"],  # day 0: the SMS, once
        "2026-02-22": [],  # day 1: the SMS was once; the call starts on day 2
        "2026-02-23": ["call"],
        "2026-02-24": ["call"],  # the call stays due: no later step
    }


def test_a_new_segment_restarts_the_entry_day_and_copies_its_holding_days(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=loan)
    eod_run(as_of=dt.date(2026, 3, 15))  # DPD 33
    t = treatment(case.pk)
    assert (t.segment_key, t.entered_on, t.holding_days) == ("late", dt.date(2026, 3, 16), 7)


def test_the_run_is_idempotent(strategy):
    make_loan(disbursed_on=dt.date(2026, 1, 10))
    make_loan(disbursed_on=dt.date(2025, 12, 10))
    eod_run(as_of=APR_20)
    rows = lambda: sorted(  # noqa: E731
        DueAction.objects.values_list("case_id", "step_key", "on", "skipped_rule")
    )
    before = (rows(), sorted(CaseTreatment.objects.values_list("case_id", "entered_on")))
    handovers = HandOver.objects.count()
    eod_run(as_of=APR_20)
    assert (rows(), sorted(CaseTreatment.objects.values_list("case_id", "entered_on"))) == before
    assert HandOver.objects.count() == handovers == 6  # visit, legal, placement × 2 cases


def test_escalation_steps_open_one_hand_over_per_case_and_channel(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=APR_20)
    case = Case.objects.get(loan=loan)
    items = HandOver.objects.filter(case=case).order_by("channel")
    assert [(h.channel, h.status, h.created_on) for h in items] == [
        ("agency_placement", "open", dt.date(2026, 4, 21)),
        ("legal_review", "open", dt.date(2026, 4, 21)),
        ("visit", "open", dt.date(2026, 4, 21)),
    ]


def test_a_legal_step_on_a_time_barred_debt_is_skipped_with_the_rule(db):
    # Saved before the debt was time-barred, or the pack changed since: the run still refuses.
    version = services.strategy_save(code="t", definition=STRATEGY, actor=None, activate=True)
    barred = dict(STRATEGY)
    barred["segments"] = [
        s if s["key"] != "late" else {**s, "when": {"all": [f("dpd", "gt", 30)]}}
        for s in STRATEGY["segments"]
    ]
    StrategyVersion.objects.create(strategy=version.strategy, number=2, definition=barred)
    old = make_loan(disbursed_on=dt.date(2020, 1, 10), term_months=12)
    eod_run(as_of=APR_20)
    case = Case.objects.get(loan=old)
    assert treatment(case.pk).segment_key == "late"
    refused = DueAction.objects.get(case=case, step_key="legal")
    assert refused.skipped_rule == "CN.LIMITATION_NO_LEGAL"
    assert "time-barred" in refused.skipped_reason
    assert "诉讼时效" in refused.skipped_reason_zh
    assert ("legal", "legal_review", "legal") not in due(dt.date(2026, 4, 21), case.pk)
    assert not HandOver.objects.filter(case=case, channel="legal_review").exists()
    assert [a.step_key for a in selectors.skipped_actions(_admin(), dt.date(2026, 4, 21))] == [
        "legal"
    ]


def test_a_placement_with_an_agency_overdue_for_review_is_skipped(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=APR_20)
    case = Case.objects.get(loan=loan)
    agency = Agency.objects.create(name="Overdue Ltd", review_due_on=dt.date(2026, 1, 1))
    Case.objects.filter(pk=case.pk).update(agency=agency)
    eod_run(as_of=APR_20)
    refused = DueAction.objects.get(case=case, step_key="place")
    assert refused.skipped_rule == "CN.AGENCY_REVIEW"
    assert "2026-01-01" in refused.skipped_reason


def test_an_open_complaint_moves_the_case_to_the_held_segment_with_no_steps(strategy, people):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=loan)
    Complaint.objects.create(
        case=case,
        borrower=case.borrower,
        category=Complaint.Category.choices[0][0],
        description="x",
        opened_on=FEB_20,
    )
    eod_run(as_of=dt.date(2026, 2, 21))
    assert treatment(case.pk).segment_key == "held"
    assert due(dt.date(2026, 2, 22), case.pk) == []


def test_a_broken_promise_triggers_its_step_the_next_day(strategy, people):
    from arrears.promises.models import Promise

    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=dt.date(2026, 3, 15))
    case = Case.objects.get(loan=loan)
    Promise.objects.create(
        case=case,
        loan=loan,
        borrower=loan.borrower,
        amount_fen=10_000,
        created_on=dt.date(2026, 3, 10),
        promised_on=dt.date(2026, 3, 14),
        status="broken",
        judged_on=dt.date(2026, 3, 16),
    )
    eod_run(as_of=dt.date(2026, 3, 16))
    assert ("broken", "call", "team_lead") in due(dt.date(2026, 3, 17), case.pk)
    eod_run(as_of=dt.date(2026, 3, 17))
    assert ("broken", "call", "team_lead") not in due(dt.date(2026, 3, 18), case.pk)


def test_facts_read_region_village_and_amount_due(strategy):
    from arrears.strategy.engine import case_facts

    town = make_loan(disbursed_on=dt.date(2026, 1, 10), borrower=make_borrower(village="", town=""))
    eod_run(as_of=APR_20)
    row = case_facts(APR_20).filter(loan_id=town.pk).to_dicts()[0]
    assert (row["region"], row["rural"], row["dpd"], row["bucket"]) == (
        "四川省/某县",
        False,
        69,
        "M3",
    )
    assert row["amount_due"] > 0 and row["time_barred"] is False
    assert row["days_to_limitation"] == (dt.date(2030, 1, 10) - APR_20).days


def test_a_new_version_is_used_by_the_next_run(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=loan)
    changed = {"segments": [STRATEGY["segments"][0], STRATEGY["segments"][-1]]}
    v2 = services.strategy_save(code="test", definition=changed, actor=None, note="simpler")
    assert treatment(case.pk).segment_key == "early"  # not before the next end-of-day
    eod_run(as_of=dt.date(2026, 2, 21))
    t = treatment(case.pk)
    assert (t.segment_key, t.strategy_version_id) == ("rest", v2.pk)
    assert due(dt.date(2026, 2, 22), case.pk) == [("letter", "letter", "collector")]


def _admin():
    from arrears.testing import make_user

    return make_user("root", "admin")


def test_a_suspended_case_gets_no_escalation_step_nor_visit_hand_over(strategy):
    loan = make_loan(disbursed_on=dt.date(2026, 1, 10))
    eod_run(as_of=FEB_20)
    case = Case.objects.get(loan=loan)
    # 停催 through 30 April (written directly: the service refuses a start in the past).
    CaseSuspension.objects.create(
        case=case,
        reason="disaster",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 4, 30),
    )
    eod_run(as_of=APR_20)
    assert treatment(case.pk).segment_key == "late"
    skipped = {
        a.step_key: a
        for a in DueAction.objects.filter(case=case, on=dt.date(2026, 4, 21)).exclude(
            skipped_rule=""
        )
    }
    assert set(skipped) == {"legal", "place", "visit"}
    assert {a.skipped_rule for a in skipped.values()} == {"ALL.HOLD_SUSPENSION"}
    assert "Natural disaster" in skipped["legal"].skipped_reason
    assert "2026-04-30" in skipped["visit"].skipped_reason
    assert "自然灾害" in skipped["place"].skipped_reason_zh
    assert not HandOver.objects.filter(case=case).exists()
