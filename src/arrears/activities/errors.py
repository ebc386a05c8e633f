"""Errors of the activities app: bad input, and a contact the compliance rule pack refuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arrears.compliance.rules import Decision, RuleOutcome


class ActivityError(ValueError):
    """Base class: nothing was saved."""


class ActivityInvalid(ActivityError):
    """Bad input: `field` names the input at fault (e.g. "occurred_at", "contact"), `message`
    says why in words a collector understands."""

    def __init__(self, field: str | None, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class ActivityForbidden(ActivityError):
    """The actor's role may not record activities (the auditor reads only)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Rule kinds whose refusal is about *when* the contact happens: the API names `occurred_at`.
TIME_RULE_KINDS = frozenset(
    {
        "contact_hours",
        "connected_calls",
        "unanswered_attempts",
        "call_frequency_window",
        "conversation_quiet_period",
    }
)


class ContactRefused(ActivityError):
    """The active rule pack blocks this contact. Nothing was saved.

    `decision` is the compliance.rules.Decision; its `blocking` outcomes carry the rule ids and
    the reasons in Chinese and English. `override_problem` says why an override that was asked
    for could not be used (the role may not override a rule, a rule is not overridable).
    `kinds` maps rule id → check kind (to tell time rules from the others).
    """

    def __init__(
        self, decision: Decision, *, override_problem: str = "", kinds: dict | None = None
    ) -> None:
        self.decision = decision
        self.override_problem = override_problem
        self.kinds = kinds or {}
        super().__init__("; ".join(f"{o.rule_id}: {o.message_en}" for o in self.blocking))

    @property
    def blocking(self) -> list[RuleOutcome]:
        return self.decision.blocking

    @property
    def rule_ids(self) -> list[str]:
        return [o.rule_id for o in self.blocking]

    def field_for(self, outcome: RuleOutcome) -> str | None:
        return "occurred_at" if self.kinds.get(outcome.rule_id) in TIME_RULE_KINDS else None

    def next_allowed_text(self) -> str:
        at = self.decision.next_allowed_at
        return at.isoformat(timespec="minutes") if at is not None else ""

    def as_items(self) -> list[dict]:
        """The API's error items (English): one per blocking rule, code = the rule id."""
        when = self.next_allowed_text()
        items = [
            {
                "code": o.rule_id,
                "field": self.field_for(o),
                "message": o.message_en + (f" Next allowed: {when}." if when else ""),
            }
            for o in self.blocking
        ]
        if self.override_problem:
            items.append(
                {
                    "code": "override_not_allowed",
                    "field": "override_reason",
                    "message": self.override_problem,
                }
            )
        return items
