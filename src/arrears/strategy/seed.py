"""The shipped default strategy (data migration 0002; managers edit it in the browser after).

It follows the seed (MISSION.md): reason before action, SMS and calls early, field visits for
rural borrowers, agencies and legal review later, never legal on a time-barred debt, and the
effort on younger debts (the seed: under two years ~80% recoverable, over two years ~20%) —
debts over two years get a letter and an agency, not the phone team's daily calls.

Order matters (first match wins):
1. contact held: an open complaint or an unverified death report (the rule pack holds
   collection contact; the complaint is handled apart from the debt) — no steps.
2. the legal track (escalated: willful or legal track), not time-barred: legal review.
3. time-barred debts: letters and visits asking the debtor to sign or pay (only the debtor's
   own act revives the debt), never legal.
4. serial promisers (≥ 2 broken promises): a team lead calls, then a visit, then legal review.
5. hardship (lack of funds, or the victim type): a call offering a plan; held while a plan runs.
6. evasive or unreachable borrowers in villages: field visit first.
7. early (M1): champion/challenger, 50/50 SMS first vs call first.
8. M2–M3 rural: call, then a field visit.
9. M2–M3: call, SMS, then a demand letter.
10. over two years: letter and agency placement (low effort, low expected recovery).
11. M4–M6: call, field visit, agency placement.
12. M7+: agency placement, then legal review.
13. everything else (catch-all; current cases with an installment due soon): reminder SMS.
"""

from __future__ import annotations

DEFAULT_CODE = "default"
DEFAULT_NAME_ZH = "默认催收策略"
DEFAULT_NAME_EN = "Default collection strategy"


def _step(key, channel, role, *, day=None, trigger=None, template="", once=False):
    step = {"key": key, "channel": channel, "role": role}
    if day is not None:
        step["offset_days"] = day
    if trigger is not None:
        step["trigger"] = trigger
    if template:
        step["template"] = template
    if once:
        step["once"] = True
    return step


def _seg(key, zh, en, when, holding, paths, exit=None):
    seg = {"key": key, "name_zh": zh, "name_en": en, "when": when, "holding_days": holding}
    if exit:
        seg["exit"] = exit
    seg["paths"] = paths
    return seg


def _one(*steps):
    return [{"key": "main", "share": 100, "steps": list(steps)}]


def _f(field, op, value=None):
    atom = {"field": field, "op": op}
    if value is not None:
        atom["value"] = value
    return atom


NOT_BARRED = _f("time_barred", "is_false")
BROKEN_CALL = _step("broken_call", "call", "team_lead", trigger="promise_broken")

DEFAULT_DEFINITION = {
    "segments": [
        _seg(
            "held",
            "暂缓联系（投诉或死亡待核实）",
            "Contact held (complaint or death report)",
            {"any": [_f("open_complaint", "is_true"), _f("death_report", "is_true")]},
            30,
            _one(),
        ),
        _seg(
            "legal_track",
            "法律途径",
            "Legal track",
            {"all": [_f("legal_status", "in", ["legal_track", "willful"]), NOT_BARRED]},
            30,
            _one(
                _step(
                    "demand_letter", "letter", "collector", day=0, template="cn_default", once=True
                ),
                _step("legal", "legal_review", "legal", day=3, once=True),
            ),
        ),
        _seg(
            "time_barred",
            "已过诉讼时效",
            "Time-barred",
            {"all": [_f("time_barred", "is_true")]},
            30,
            _one(
                _step("notice", "letter", "collector", day=0, template="cn_default", once=True),
                _step("call", "call", "collector", day=1),
                _step("visit", "visit", "field_agent", day=14, once=True),
            ),
        ),
        _seg(
            "serial_promiser",
            "屡次失信",
            "Serial broken promises",
            {"all": [_f("broken_promises", "gte", 2)]},
            10,
            _one(
                _step("lead_call", "call", "team_lead", day=0),
                _step("visit", "visit", "field_agent", day=5, once=True),
                _step("legal", "legal_review", "legal", day=20, once=True),
                BROKEN_CALL,
            ),
        ),
        _seg(
            "hardship",
            "资金困难",
            "Hardship",
            {
                "all": [
                    {
                        "any": [
                            _f("default_reason", "eq", "lack_of_funds"),
                            _f("debtor_type", "eq", "victim"),
                        ]
                    },
                    _f("dpd", "lte", 180),
                ]
            },
            15,
            _one(_step("plan_call", "call", "collector", day=0), BROKEN_CALL),
            exit=["plan_in_force", "promise_in_force"],
        ),
        _seg(
            "rural_evasive",
            "农村失联/逃避",
            "Rural, evasive or unreachable",
            {
                "all": [
                    _f("rural", "is_true"),
                    {
                        "any": [
                            _f("default_reason", "eq", "unreachable"),
                            _f("debtor_type", "eq", "evasive"),
                        ]
                    },
                ]
            },
            10,
            _one(
                _step("visit", "visit", "field_agent", day=0, once=True),
                _step("call", "call", "collector", day=1),
            ),
        ),
        _seg(
            "early",
            "早期（M1）",
            "Early (M1)",
            {"all": [_f("dpd", "between", [1, 30])]},
            10,
            [
                {
                    "key": "sms_first",
                    "share": 50,
                    "steps": [
                        _step("sms", "sms", "collector", day=0, template="m1_reminder", once=True),
                        _step("call", "call", "collector", day=2),
                        BROKEN_CALL,
                    ],
                },
                {
                    "key": "call_first",
                    "share": 50,
                    "steps": [
                        _step("call", "call", "collector", day=0),
                        _step("sms", "sms", "collector", day=3, template="m1_reminder"),
                        BROKEN_CALL,
                    ],
                },
            ],
            exit=["promise_in_force"],
        ),
        _seg(
            "rural_m2_m3",
            "农村 M2–M3",
            "Rural M2–M3",
            {"all": [_f("dpd", "between", [31, 90]), _f("rural", "is_true")]},
            8,
            _one(
                _step("call", "call", "collector", day=0),
                _step("visit", "visit", "field_agent", day=5, once=True),
                BROKEN_CALL,
            ),
            exit=["promise_in_force"],
        ),
        _seg(
            "m2_m3",
            "M2–M3",
            "M2–M3",
            {"all": [_f("dpd", "between", [31, 90])]},
            8,
            _one(
                _step("sms", "sms", "collector", day=0, template="m2_reminder", once=True),
                _step("call", "call", "collector", day=0),
                _step("letter", "letter", "collector", day=10, template="cn_default", once=True),
                BROKEN_CALL,
            ),
            exit=["promise_in_force"],
        ),
        _seg(
            "over_two_years",
            "逾期两年以上",
            "Over two years",
            {"all": [_f("dpd", "gt", 730)]},
            30,
            _one(
                _step("letter", "letter", "collector", day=0, template="cn_default", once=True),
                _step("agency", "agency_placement", "manager", day=14, once=True),
            ),
        ),
        _seg(
            "m4_m6",
            "M4–M6",
            "M4–M6",
            {"all": [_f("dpd", "between", [91, 180])]},
            5,
            _one(
                _step("call", "call", "collector", day=0),
                _step("visit", "visit", "field_agent", day=7, once=True),
                _step("agency", "agency_placement", "manager", day=30, once=True),
                BROKEN_CALL,
            ),
            exit=["promise_in_force"],
        ),
        _seg(
            "m7",
            "M7 及以上",
            "M7 and over",
            {"all": [_f("dpd", "gt", 180)]},
            5,
            _one(
                _step("agency", "agency_placement", "manager", day=0, once=True),
                _step("legal", "legal_review", "legal", day=30, once=True),
            ),
        ),
        _seg(
            "other",
            "其他（到期提醒）",
            "Everything else (reminders)",
            {},
            10,
            _one(
                _step("reminder", "sms", "collector", day=0, template="pre_due_reminder", once=True)
            ),
        ),
    ]
}
