"""Suggesting a debtor type from the record, with the evidence shown.

Pure functions over counts the caller reads from the case (activities, promises, complaints);
no database. The case page shows the suggestion next to the collector's choice, and a
suggestion never overwrites that choice (`may_override`).

Precedence — the first rule that fires wins, because each earlier rule changes what a
collector may do at all, or rests on stronger evidence than the later ones:

1. reported death not yet verified → `verify_death` (not a type): collection contact is held
   until the death is verified (MISSION.md §3), so no playbook applies yet.
2. an open complaint or dispute → `dispute_first` (not a type): the complaint is handled apart
   from the debt first ("帮他分清投诉和还款"), and the dispute policy pauses collection contact.
3. broken promises ≥ 2 → `serial_promiser`: broken promises are recorded facts about the
   debtor's own word, the strongest behavioural evidence; a debtor who pleads hardship but
   keeps promising and breaking is still a serial promiser (as in the seed's example).
4. failed attempts in a row ≥ 5 and no right-party contact → `evasive`.
5. hardship outcomes ≥ 1 → `victim`.
6. refusals ≥ 2 → `stubborn` (the seed's "我还不起/我不会还"): an addition beyond the issue's
   examples; set `min_refusals=None` to switch it off.

Types 1–2 apply whatever the DPD; types 3–6 are suggested only while the loan is past due
(dpd > 0): a current loan needs no collection playbook. Every threshold is a `ProfileRules`
field so a rule pack or settings can change it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# Codes that are advice, not debtor types: nothing to store as the case's type.
ACTION_CODES = frozenset({"verify_death", "dispute_first"})


@dataclass(frozen=True, slots=True)
class ProfileSignals:
    """Counts and flags from one case's record, over the window the caller chose (default: the
    whole case)."""

    dpd: int = 0
    broken_promises: int = 0
    promises_kept: int = 0
    contact_attempts: int = 0
    right_party_contacts: int = 0
    consecutive_failed_attempts: int = 0  # attempts since the last right-party contact
    hardship_outcomes: int = 0
    disputes_open: int = 0
    refusals: int = 0
    reported_deceased: bool = False  # a report of death not yet verified either way

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                continue
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{f.name} must be a whole number ≥ 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class ProfileRules:
    """Thresholds of the suggestion rules; None switches a rule off."""

    min_broken_promises: int | None = 2
    min_failed_attempts: int | None = 5
    min_hardship_outcomes: int | None = 1
    min_refusals: int | None = 2


DEFAULT_RULES = ProfileRules()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested debtor type (or a first action) and the evidence, in Chinese and English."""

    code: str
    reason_zh: str
    reason_en: str

    @property
    def is_type(self) -> bool:
        """False for advice such as `dispute_first`, which is not a debtor type."""
        return self.code not in ACTION_CODES


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def suggest_profile(
    signals: ProfileSignals, rules: ProfileRules = DEFAULT_RULES
) -> Suggestion | None:
    """The first rule (in the module's precedence) that the record meets, or None."""
    s = signals
    if s.reported_deceased:
        return Suggestion(
            "verify_death",
            "报称死亡，尚未核实 → 先核实死亡信息，暂停催收联系",
            "reported deceased, not yet verified → verify the death first; collection "
            "contact is held",
        )
    if s.disputes_open > 0:
        return Suggestion(
            "dispute_first",
            f"{s.disputes_open} 项投诉/争议未解决 → 先处理投诉，分清投诉和还款",
            f"{_plural(s.disputes_open, 'open complaint')} → look at the complaint first and "
            "keep it apart from the repayment",
        )
    if s.dpd <= 0:
        return None
    if rules.min_broken_promises is not None and s.broken_promises >= rules.min_broken_promises:
        return Suggestion(
            "serial_promiser",
            f"{s.broken_promises} 次承诺未兑现 → 保证还款型",
            f"{_plural(s.broken_promises, 'broken promise')} → serial promiser",
        )
    if (
        rules.min_failed_attempts is not None
        and s.consecutive_failed_attempts >= rules.min_failed_attempts
        and s.right_party_contacts == 0
    ):
        return Suggestion(
            "evasive",
            f"连续 {s.consecutive_failed_attempts} 次联系未果，且从未联系到本人 → 逃避型",
            f"{_plural(s.consecutive_failed_attempts, 'failed contact attempt')} in a row and "
            "no right-party contact → evasive",
        )
    if (
        rules.min_hardship_outcomes is not None
        and s.hardship_outcomes >= rules.min_hardship_outcomes
    ):
        return Suggestion(
            "victim",
            f"{s.hardship_outcomes} 次记录经济困难 → 受害型",
            f"{_plural(s.hardship_outcomes, 'hardship outcome')} recorded → victim",
        )
    if rules.min_refusals is not None and s.refusals >= rules.min_refusals:
        return Suggestion(
            "stubborn",
            f"{s.refusals} 次拒绝还款 → 固执型",
            f"{_plural(s.refusals, 'refusal')} to pay → stubborn",
        )
    return None


def may_override(current_choice: str | None, suggestion: Suggestion | None) -> bool:
    """Whether `suggestion` may be stored as the case's type.

    Never when a collector has chosen a type (any non-empty choice, `other` included): the
    collector knows the debtor, the rules only count. Never for advice codes
    (`dispute_first`, `verify_death`), which are not types. Otherwise only when there is a
    suggestion at all.
    """
    if current_choice:
        return False
    return suggestion is not None and suggestion.is_type
