"""Display names for the end-of-day codes (five-category classes), in both languages."""

from django.utils.translation import gettext_lazy as _

CLASS_LABELS = {
    "normal": _("Normal (正常)"),
    "special_mention": _("Special mention (关注)"),
    "substandard": _("Substandard (次级)"),
    "doubtful": _("Doubtful (可疑)"),
    "loss": _("Loss (损失)"),
}

NON_PERFORMING = frozenset({"substandard", "doubtful", "loss"})


def class_label(code: str) -> str:
    return str(CLASS_LABELS.get(code, code))
