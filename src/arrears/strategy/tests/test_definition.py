"""Validating a definition: every error names its segment (and path, step, field) and says why;
the shipped default is valid; precedence and subsumption."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from arrears.strategy import definition as d
from arrears.strategy.engine import assign
from arrears.strategy.seed import DEFAULT_DEFINITION


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English (the project's default language is Chinese).
    from django.utils import translation

    with translation.override("en"):
        yield


VOCAB = d.Vocabulary(
    buckets=("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"),
    classes=("normal", "special_mention", "substandard", "doubtful", "loss"),
    products=("micro",),
    debtor_types=("victim", "evasive", "serial_promiser"),
    default_reasons=("lack_of_funds", "willful", "unreachable", "dispute"),
    legal_statuses=("legal_track", "willful", "broken_promises", "broken_plan"),
    colour_flags=("red", "green"),
    contact_holds=frozenset({"dispute", "death_verification"}),
    legal_barred=True,
    templates=("cn_default",),
)


def seg(key, when=None, steps=None, paths=None, **extra):
    s = {"key": key, "name_zh": key, "name_en": key, "when": when or {}, "holding_days": 10}
    s["paths"] = paths or [
        {"key": "main", "share": 100, "steps": steps or [call("c1", 0)]},
    ]
    s.update(extra)
    return s


def call(key, day, channel="call", **kw):
    return {"key": key, "offset_days": day, "channel": channel, "role": "collector", **kw}


def f(field, op, value=None):
    atom = {"field": field, "op": op}
    if value is not None:
        atom["value"] = value
    return atom


HELD = seg("held", {"any": [f("open_complaint", "is_true"), f("death_report", "is_true")]}, [])
HELD["paths"][0]["steps"] = []


def problems(*segments):
    return d.validate({"segments": list(segments)}, VOCAB)


def codes(found):
    return [(p.code, p.segment, p.path, p.step, p.field) for p in found]


def test_the_shipped_default_is_valid():
    assert d.validate(DEFAULT_DEFINITION, VOCAB) == []


def test_a_valid_small_strategy_has_no_problems():
    assert problems(HELD, seg("early", {"all": [f("dpd", "between", [1, 30])]}), seg("rest")) == []


def test_an_unknown_field_names_the_segment_and_condition():
    [p] = problems(HELD, seg("early", {"all": [f("mood", "eq", "sad")]}), seg("rest"))
    assert (p.code, p.segment, p.field) == ("condition", "early", "when")
    assert "when.all[1]" in p.message and "unknown field “mood”" in p.message


def test_an_unknown_operator_and_a_misapplied_one_are_named():
    found = problems(
        HELD,
        seg("a", {"all": [f("dpd", "about", 3)]}),
        seg("b", {"all": [f("region", "lt", "x")]}),
        seg("rest"),
    )
    assert [(p.segment, p.message) for p in found] == [
        ("a", "when.all[1]: unknown operator “about”"),
        ("b", "when.all[1]: operator “lt” does not apply to field “region”"),
    ]


def test_an_unknown_bucket_or_debtor_type_is_named_with_the_known_values():
    found = problems(
        HELD,
        seg("a", {"all": [f("bucket", "in", ["M1", "M9"])]}),
        seg("b", {"all": [f("debtor_type", "eq", "grumpy")]}),
        seg("rest"),
    )
    assert [p.segment for p in found] == ["a", "b"]
    assert "unknown value “M9” for field “bucket”" in found[0].message
    assert "M7+" in found[0].message
    assert "unknown value “grumpy” for field “debtor_type”" in found[1].message


def test_a_bad_value_is_named():
    [p] = problems(HELD, seg("a", {"all": [f("dpd", "between", [30, 1])]}), seg("rest"))
    assert p.segment == "a" and "the value of “dpd between” is not valid" in p.message


def test_a_missing_catch_all_is_reported_on_the_last_segment():
    [p] = problems(HELD, seg("early", {"all": [f("dpd", "lte", 30)]}))
    assert (p.code, p.segment) == ("catch_all", "early")


def test_a_segment_after_a_wider_one_can_never_match_and_says_which():
    found = problems(
        HELD,
        seg("m1_m3", {"all": [f("dpd", "between", [1, 90])]}),
        seg("m2", {"all": [f("dpd", "between", [31, 60]), f("rural", "is_true")]}),
        seg("rest"),
    )
    [p] = found
    assert (p.code, p.segment) == ("shadowed", "m2")
    assert "“m1_m3” takes all its cases" in p.message


def test_an_any_of_earlier_segments_covers_a_later_enum_segment():
    found = problems(
        HELD,
        seg("hard", {"any": [f("default_reason", "in", ["lack_of_funds", "dispute"])]}),
        seg("funds", {"all": [f("default_reason", "eq", "lack_of_funds"), f("dpd", "gt", 5)]}),
        seg("rest"),
    )
    assert codes(found) == [("shadowed", "funds", "", "", "when")]


def test_overlapping_but_not_covered_segments_are_fine():
    assert (
        problems(
            HELD,
            seg("m1", {"all": [f("dpd", "between", [1, 30])]}),
            seg("m1_m2", {"all": [f("dpd", "between", [1, 60])]}),
            seg("region", {"all": [f("region", "prefix", "四川省/某县")]}),
            seg("town", {"all": [f("region", "prefix", "四川省/某县/卧水镇")]}),
            seg("rest"),
        )[0].segment
        == "town"  # the narrower prefix after the wider one can never match
    )


def test_a_contradiction_can_never_hold():
    [p] = problems(
        HELD, seg("none", {"all": [f("dpd", "gt", 30), f("dpd", "lt", 10)]}), seg("rest")
    )
    assert (p.code, p.segment) == ("never", "none")


def test_segments_after_a_catch_all_are_shadowed():
    found = problems(HELD, seg("all"), seg("late", {"all": [f("dpd", "gt", 90)]}))
    assert codes(found) == [("shadowed", "late", "", "", "when")]


def test_legal_review_in_a_segment_that_admits_time_barred_debts_is_refused():
    legal = [{"key": "lr", "offset_days": 0, "channel": "legal_review", "role": "legal"}]
    [p] = problems(HELD, seg("old", {"all": [f("dpd", "gt", 180)]}, legal), seg("rest"))
    assert (p.code, p.segment) == ("pack_legal_time_barred", "old")
    # Excluded in the segment itself, or taken by an earlier one: fine.
    assert (
        problems(
            HELD,
            seg("old", {"all": [f("dpd", "gt", 180), f("time_barred", "is_false")]}, legal),
            seg("rest"),
        )
        == []
    )
    assert (
        problems(
            HELD,
            seg("barred", {"all": [f("days_to_limitation", "lt", 0)]}),
            seg("old", {"all": [f("dpd", "gt", 180)]}, legal),
            seg("rest"),
        )
        == []
    )


def test_contact_in_a_segment_that_admits_open_complaints_is_refused():
    found = problems(seg("early", {"all": [f("dpd", "lte", 30)]}), seg("rest"))
    assert ("pack_dispute", "early") in [(p.code, p.segment) for p in found]
    assert ("pack_death_verification", "early") in [(p.code, p.segment) for p in found]
    assert "call" in found[0].message
    # A pack that holds nothing lets it through.
    relaxed = d.Vocabulary(**{**VOCAB.__dict__, "contact_holds": frozenset()})
    assert (
        d.validate({"segments": [seg("early", {"all": [f("dpd", "lte", 30)]}), seg("r")]}, relaxed)
        == []
    )


def test_shares_must_add_up_to_100():
    paths = [
        {"key": "a", "share": 60, "steps": [call("c", 0)]},
        {"key": "b", "share": 30, "steps": [call("c", 0)]},
    ]
    [p] = problems(HELD, seg("split", {"all": [f("dpd", "lte", 30)]}, paths=paths), seg("rest"))
    assert (p.code, p.segment, p.field) == ("shares", "split", "share")
    assert "90%" in p.message


def test_step_errors_name_segment_path_and_step():
    steps = [
        {"key": "x", "channel": "fax", "role": "collector", "offset_days": 0},
        {"key": "y", "channel": "sms", "role": "collector", "offset_days": 1},
        {"key": "z", "channel": "call", "role": "boss", "trigger": "rain"},
        {"key": "w", "channel": "call", "role": "collector"},
        {
            "key": "v",
            "channel": "letter",
            "role": "collector",
            "offset_days": 2,
            "template": "nope",
        },
    ]
    found = problems(HELD, seg("s", {"all": [f("dpd", "lte", 9)]}, steps), seg("rest"))
    assert codes(found) == [
        ("channel", "s", "main", "x", "channel"),
        ("template", "s", "main", "y", "template"),
        ("trigger", "s", "main", "z", "trigger"),
        ("role", "s", "main", "z", "role"),
        ("timing", "s", "main", "w", "offset_days"),
        ("template", "s", "main", "v", "template"),
    ]


def test_garbage_is_a_problem_not_a_crash():
    assert problems()[0].code == "no_segments"
    assert d.validate({"segments": "x"}, VOCAB)[0].code == "shape"
    weird = seg("w", {"field": ["dpd"], "op": {}, "value": [[1]]})
    weird["paths"] = [{"key": ["k"], "steps": [{"key": ["s"], "channel": ["call"]}]}]
    assert problems(HELD, weird, seg("rest"))  # problems, and no exception


# --------------------------------------------------------------------------- matching


def facts(**columns) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "case_id": list(range(1, n + 1)),
        "dpd": [0] * n,
        "rural": [False] * n,
        "open_complaint": [False] * n,
        "death_report": [False] * n,
        "time_barred": [False] * n,
        "default_reason": [""] * n,
        "region": [""] * n,
        "amount_due": [0] * n,
        "days_to_limitation": [None] * n,
    }
    base.update(columns)
    return pl.DataFrame(base, schema_overrides={"days_to_limitation": pl.Int64})


def segments_of(definition, frame, draws=None):
    draws = draws if draws is not None else frame.select("case_id", pl.lit(0).alias("draw"))
    out = assign(frame, definition, draws).sort("case_id")
    return out.get_column("segment_key").to_list()


def test_first_matching_segment_wins_and_the_catch_all_takes_the_rest():
    definition = {
        "segments": [
            HELD,
            seg("rural", {"all": [f("rural", "is_true"), f("dpd", "gte", 31)]}),
            seg("m2", {"all": [f("dpd", "between", [31, 60])]}),
            seg("big", {"all": [f("amount_due", "gt", "5000.00")]}),
            seg("rest"),
        ]
    }
    frame = facts(
        dpd=[45, 45, 45, 5, 5, 45],
        rural=[True, False, False, False, False, True],
        open_complaint=[False, False, False, False, False, True],
        amount_due=[0, 0, 0, 500_001, 500_000, 0],
    )
    assert segments_of(definition, frame) == ["rural", "m2", "m2", "big", "rest", "held"]


def test_a_null_fact_fails_every_test():
    definition = {
        "segments": [
            seg("soon", {"all": [f("days_to_limitation", "lt", 90)]}),
            seg("not_soon", {"all": [f("days_to_limitation", "not_in", [1, 2])]}),
            seg("rest"),
        ]
    }
    frame = facts(dpd=[1, 1, 1], days_to_limitation=[30, None, 400])
    assert segments_of(definition, frame) == ["soon", "rest", "not_soon"]


def test_the_draw_picks_the_path_by_share():
    paths = [
        {"key": "sms_first", "share": 30, "steps": [call("s", 0)]},
        {"key": "call_first", "share": 70, "steps": [call("c", 0)]},
    ]
    definition = {"segments": [seg("early", paths=paths)]}
    frame = facts(dpd=[1, 1, 1, 1])
    draws = pl.DataFrame({"case_id": [1, 2, 3, 4], "draw": [0, 2999, 3000, 9999]})
    out = assign(frame, definition, draws).sort("case_id")
    assert out.get_column("path_key").to_list() == [
        "sms_first",
        "sms_first",
        "call_first",
        "call_first",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, {"segments": []}, ["first version"]),
        (
            {"segments": [seg("a"), seg("b")]},
            {"segments": [seg("b"), seg("a", holding_days=3), seg("c")]},
            [
                "segment “c” added",
                "segment order changed",
                "segment “a”: holding days changed",
            ],
        ),
    ],
)
def test_the_diff_summary_says_what_changed(old, new, expected):
    assert d.diff_summary(old, copy.deepcopy(new)) == expected
