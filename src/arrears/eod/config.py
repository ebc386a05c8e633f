"""End-of-day configuration in one place: defaults here, overridable from Django settings.

Every value can be set in settings as `ARREARS_EOD_<NAME>` (e.g. `ARREARS_EOD_PRE_DUE_DAYS = 5`);
the engine itself only ever sees an `EodConfig`, so tests pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

# (label, highest DPD in the band); the last band has no upper bound.
DEFAULT_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("M0", 0),
    ("M1", 30),
    ("M2", 60),
    ("M3", 90),
    ("M4", 120),
    ("M5", 150),
    ("M6", 180),
    ("M7+", None),
)

# Events that restart the limitation period (RULES.md, Civil Code art. 195; SPC limitation
# provisions art. 19 for `notice_signed`, which only revives an expired debt). The apps that
# record them register their sources in eod.limitation; `lawsuit` is for the legal work.
DEFAULT_RESTART_KINDS = (
    "payment",
    "notice_served",
    "notice_signed",
    "acknowledgement",
    "promise",
    "plan",
    "lawsuit",
)

CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")


@dataclass(frozen=True)
class EodConfig:
    """Parameters of the daily run (RULES.md defaults)."""

    buckets: tuple[tuple[str, int | None], ...] = DEFAULT_BUCKETS
    # Five-category class: more than this many DPD is at least the class.
    substandard_dpd: int = 90
    doubtful_dpd: int = 270
    loss_dpd: int = 360
    # Borrower rule: when more than this share (basis points) of a borrower's exposure is
    # non-performing, all the borrower's loans are at least substandard. None switches it off.
    borrower_np_share_bp: int | None = 1000
    limitation_years: int = 3
    restart_kinds: tuple[str, ...] = field(default=DEFAULT_RESTART_KINDS)
    pre_due_days: int = 3
    # The State Council calendar (art. 203): statutory days off and make-up working days.
    # eod_config() reads them from core.CalendarDay, so editing the table changes the
    # configuration's hash and makes the next run full (eod.incremental.run_basis).
    holidays: tuple = ()
    workdays: tuple = ()

    def __post_init__(self) -> None:
        uppers = [u for _, u in self.buckets[:-1]]
        if self.buckets[-1][1] is not None or any(u is None for u in uppers):
            raise ValueError("only the last bucket may be open-ended, and it must be")
        if uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
            raise ValueError("bucket bounds must increase")
        if not (0 <= self.substandard_dpd <= self.doubtful_dpd <= self.loss_dpd):
            raise ValueError("classification thresholds must increase")


def eod_config() -> EodConfig:
    """The configuration from settings (ARREARS_EOD_*), defaults where unset."""
    defaults = EodConfig()
    values = {}
    for name in EodConfig.__dataclass_fields__:
        value = getattr(settings, f"ARREARS_EOD_{name.upper()}", getattr(defaults, name))
        if isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        values[name] = value
    if not hasattr(settings, "ARREARS_EOD_HOLIDAYS"):
        values["holidays"], values["workdays"] = calendar_days()
    return EodConfig(**values)


def calendar_days() -> tuple[tuple, tuple]:
    """(holidays, make-up working days) from the editable calendar table, sorted."""
    from arrears.core.models import CalendarDay

    rows = CalendarDay.objects.order_by("day").values_list("day", "kind")
    holidays = tuple(d for d, k in rows if k == CalendarDay.Kind.HOLIDAY)
    workdays = tuple(d for d, k in rows if k == CalendarDay.Kind.WORKDAY)
    return holidays, workdays
