"""What the notices services refuse, with the field at fault and the reason.

The API answers each with 422 in the shared error shape; the pages show it on the field.
"""

from __future__ import annotations

from collections.abc import Sequence


class NoticeInvalid(Exception):
    """Bad input for a notice or a template: `code` for programs, `field` the input at fault,
    the message for people."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class TemplateRefused(NoticeInvalid):
    """A template the conduct lint blocks; `findings` are compliance.rules.Finding (the
    phrase, where it is, the rule and the reason in Chinese and English)."""

    def __init__(self, findings: Sequence, field: str = "body"):
        from django.utils.translation import gettext

        from arrears.compliance.messages import rule_message

        quoted = "; ".join(f"“{f.text}” — {rule_message(f)}" for f in findings)
        super().__init__(
            "template_refused",
            gettext("the conduct lint refuses: %(findings)s") % {"findings": quoted},
            field,
        )
        self.findings = list(findings)


class NoticeRefused(NoticeInvalid):
    """A notice the compliance rule pack blocks at issue time (a case hold, conduct, suit
    wording on a time-barred debt); `outcomes` are compliance.rules.RuleOutcome."""

    def __init__(self, outcomes: Sequence):
        from arrears.compliance.messages import rule_message

        reasons = " ".join(rule_message(o) for o in outcomes)
        super().__init__("compliance_refused", reasons, None)
        self.outcomes = list(outcomes)
        self.rule_ids = [o.rule_id for o in outcomes]
