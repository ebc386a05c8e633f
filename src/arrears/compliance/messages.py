"""A rule pack's reason in the reader's language.

The pack writes every reason in Chinese and English (rules.RuleOutcome.message_zh/_en, and
the {"rule_id", "zh", "en"} notes saved with an activity). A page shows the one of its own
language, followed by the rule's id for reference: "联系时间须在…之间。（CN.CONTACT_HOURS）".
"""

from __future__ import annotations

from django.utils.translation import get_language


def _is_zh(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def _parts(note) -> tuple[str, str, str]:
    if isinstance(note, dict):
        return note.get("rule_id", ""), note.get("zh", ""), note.get("en", "")
    return (
        getattr(note, "rule_id", ""),
        getattr(note, "message_zh", "") or getattr(note, "reason_zh", ""),
        getattr(note, "message_en", "") or getattr(note, "reason_en", ""),
    )


def rule_message(note, language: str | None = None) -> str:
    """The reason of `note` in `language` (default: the active one), with its rule id."""
    rule_id, zh, en = _parts(note)
    text = (zh or en) if _is_zh(language or get_language()) else (en or zh)
    if not rule_id:
        return text
    return f"{text}（{rule_id}）" if _is_zh(language or get_language()) else f"{text} ({rule_id})"
