"""The seed's debtor types and advice, as data the playbook tables will be loaded from."""

import pytest

from arrears.cases.playbook_seed import DEBTOR_TYPES, GENERAL_ADVICE, TYPE_CODES, debtor_type

EXPECTED = {
    "provocative": ("挑衅型", "Provocative"),
    "evasive": ("逃避型", "Evasive"),
    "victim": ("受害型", "Victim"),
    "self_assured": ("自信型", "Self-assured"),
    "stubborn": ("固执型", "Stubborn"),
    "sophisticated": ("世故型", "Sophisticated"),
    "serial_promiser": ("保证还款型", "Serial promiser"),
    "other": ("其他", "Other"),
}
TEXT_FIELDS = ("name_zh", "name_en", "traits_zh", "traits_en", "example_zh", "example_en")
# Characters that exist only in Traditional Chinese: none may survive the conversion.
TRADITIONAL_ONLY = set(
    "們這還貸說會時對為與關體來個壹妳麽後發強實見現過點錢擔讓聽話談幾給從業務據類"
)


def test_all_eight_types_are_present_in_the_seed_order():
    assert TYPE_CODES == tuple(EXPECTED)
    assert [t["sort_order"] for t in DEBTOR_TYPES] == list(range(1, 9))
    for entry in DEBTOR_TYPES:
        assert (entry["name_zh"], entry["name_en"]) == EXPECTED[entry["code"]]


@pytest.mark.parametrize("entry", DEBTOR_TYPES, ids=lambda e: e["code"])
def test_every_type_has_texts_in_both_languages(entry):
    for field in TEXT_FIELDS:
        assert isinstance(entry[field], str) and entry[field].strip(), field
    assert entry["techniques_zh"] and entry["techniques_en"]
    assert len(entry["techniques_zh"]) == len(entry["techniques_en"])
    assert all(t.strip() for t in entry["techniques_zh"] + entry["techniques_en"])


@pytest.mark.parametrize("entry", DEBTOR_TYPES, ids=lambda e: e["code"])
def test_chinese_is_simplified(entry):
    texts = [entry[f] for f in TEXT_FIELDS if f.endswith("_zh")] + list(entry["techniques_zh"])
    leftovers = {c for text in texts for c in text} & TRADITIONAL_ONLY
    assert not leftovers


def test_examples_keep_the_seeds_facts():
    assert "27天" in debtor_type("evasive")["example_zh"]
    assert "35天" in debtor_type("victim")["example_zh"]
    assert "下周四" in debtor_type("serial_promiser")["example_zh"]
    assert "next Thursday" in debtor_type("serial_promiser")["example_en"]


def test_general_advice_is_bilingual_and_has_the_key_points():
    codes = {a["code"] for a in GENERAL_ADVICE}
    assert {"reason_first", "full_payment_first", "frequent_contact", "no_excess"} <= codes
    assert len(codes) == len(GENERAL_ADVICE)
    for advice in GENERAL_ADVICE:
        assert advice["zh"].strip() and advice["en"].strip()
        assert not set(advice["zh"]) & TRADITIONAL_ONLY


def test_the_harassing_advice_is_left_out():
    # The seed's 三紧跟 (following a debtor to meals, the toilet and home) is harassment.
    everything = str(DEBTOR_TYPES) + str(GENERAL_ADVICE)
    assert "厕所" not in everything and "紧跟" not in everything


def test_unknown_code_names_the_known_ones():
    with pytest.raises(KeyError, match="serial_promiser"):
        debtor_type("charming")
