"""Reads: strategies and versions, the vocabulary a definition is checked against, a case's
treatment and hand-overs, the next day's due actions (the queue builder's input) and the
results per champion/challenger path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from arrears.core.models import User
from arrears.core.scoping import case_scope_q, cases_for
from arrears.strategy import definition as d
from arrears.strategy.models import CaseTreatment, DueAction, HandOver, Strategy, StrategyVersion

# The columns the queue builder reads from due_actions(); other apps depend on these names.
DUE_ACTION_COLUMNS = (
    "case_id",
    "segment_key",
    "path_key",
    "step_key",
    "channel",
    "role",
    "template",
    "trigger",
)


def may_read(user: User) -> bool:
    return user.is_authenticated and user.can("strategy.read")


def strategies(user: User) -> QuerySet[Strategy]:
    """Every strategy (configuration, not personal data), for those who may read them."""
    if not may_read(user):
        return Strategy.objects.none()
    return Strategy.objects.annotate(version_count=Count("versions")).order_by("-is_active", "code")


def strategy_get(user: User, code: str) -> Strategy | None:
    return strategies(user).filter(code=code).first()


def versions(strategy: Strategy) -> QuerySet[StrategyVersion]:
    return strategy.versions.select_related("created_by").order_by("-number")


def vocabulary() -> d.Vocabulary:
    """The values the database knows and what the active rule packs forbid, for validation."""
    from arrears.activities.models import DefaultReason
    from arrears.book.models import Product
    from arrears.cases.models import ColourFlag, DebtorType, Escalation
    from arrears.compliance.models import ProductRulePack
    from arrears.compliance.selectors import default_pack_code, pack_current
    from arrears.eod.config import CLASSES, eod_config
    from arrears.notices.models import NoticeTemplate

    codes = {default_pack_code(), *ProductRulePack.objects.values_list("pack_code", flat=True)}
    holds: set[str] = set()
    legal_barred = False
    for code in codes:
        pack = pack_current(code)
        if pack is None:
            continue
        spec = pack.spec()
        for rule in spec.rules:
            if rule.kind == "case_hold" and rule.mode == "block":
                holds.add(rule.parameters.get("hold", ""))
            if rule.kind in ("limitation_no_legal", "time_barred_no_suit"):
                legal_barred = True
    return d.Vocabulary(
        buckets=tuple(label for label, _upper in eod_config().buckets),
        classes=CLASSES,
        products=tuple(Product.objects.values_list("code", flat=True)),
        debtor_types=tuple(DebtorType.objects.values_list("code", flat=True)),
        default_reasons=tuple(DefaultReason.values),
        legal_statuses=tuple(Escalation.values),
        colour_flags=tuple(ColourFlag.values),
        contact_holds=frozenset(holds),
        legal_barred=legal_barred,
        templates=tuple(sorted(set(NoticeTemplate.objects.values_list("code", flat=True)))),
    )


def due_actions(on: dt.date, user: User | None = None) -> QuerySet:
    """The steps due on `on` (not refused by the rule pack), as rows of DUE_ACTION_COLUMNS.

    The end-of-day's queue builder reads it unscoped (user None: it is the system building
    everyone's work); a person's read is scoped to the cases they may see."""
    qs = DueAction.objects.filter(on=on, skipped_rule="")
    if user is not None:
        qs = qs.filter(case_scope_q(user, "case__"))
    return qs.order_by("case_id", "step_key").values(*DUE_ACTION_COLUMNS)


def skipped_actions(user: User, on: dt.date) -> QuerySet[DueAction]:
    """The steps the rule pack refused for `on`, with the rule and why (for managers)."""
    return (
        DueAction.objects.filter(on=on)
        .exclude(skipped_rule="")
        .filter(case_scope_q(user, "case__"))
        .order_by("case_id", "step_key")
    )


def case_treatment(user: User, case_id: int) -> CaseTreatment | None:
    return (
        CaseTreatment.objects.filter(case_id=case_id, case__in=cases_for(user))
        .select_related("strategy_version__strategy")
        .first()
    )


def case_due_actions(user: User, case_id: int) -> QuerySet[DueAction]:
    """The case's due (and refused) steps of the latest day written."""
    qs = DueAction.objects.filter(case_id=case_id).filter(case_scope_q(user, "case__"))
    last = qs.order_by("-on").values_list("on", flat=True).first()
    return qs.filter(on=last).order_by("skipped_rule", "step_key")


def case_handovers(user: User, case_id: int) -> QuerySet[HandOver]:
    return (
        HandOver.objects.filter(case_id=case_id)
        .filter(case_scope_q(user, "case__"))
        .select_related("taken_by")
        .order_by("-created_on", "-id")
    )


def open_handovers(user: User, channel: str | None = None) -> QuerySet[HandOver]:
    """Live hand-over items (open or taken) on cases the user sees, optionally of one channel
    (visit, agency_placement, legal_review): the field, agency and legal work lists read this."""
    qs = HandOver.objects.filter(status__in=HandOver.LIVE).filter(case_scope_q(user, "case__"))
    if channel:
        qs = qs.filter(channel=channel)
    return qs.select_related("case", "taken_by").order_by("created_on", "id")


@dataclass(frozen=True)
class PathResult:
    """One path of one segment: its cases, their amount due and what they paid since entering."""

    segment_key: str
    path_key: str
    cases: int
    amount_due_fen: int
    collected_fen: int


def path_results(user: User, version: StrategyVersion) -> list[PathResult]:
    """Cases, amount due (latest snapshot) and money collected since entering the segment, per
    segment and path of the cases now treated under `version`'s strategy."""
    from arrears.book.models import WAIVER_CHANNELS, Payment
    from arrears.eod.models import LoanState

    paid = (
        Payment.objects.filter(
            loan_id=OuterRef("case__loan_id"), paid_on__gte=OuterRef("entered_on")
        )
        .exclude(channel__in=WAIVER_CHANNELS)
        .values("loan_id")
        .annotate(fen=Sum("amount_fen"))
        .values("fen")
    )
    owed = LoanState.objects.filter(loan_id=OuterRef("case__loan_id")).values("total_due_fen")[:1]
    rows = (
        CaseTreatment.objects.filter(
            strategy_version__strategy_id=version.strategy_id, case__in=cases_for(user)
        )
        .annotate(
            paid=Coalesce(Subquery(paid, output_field=BigIntegerField()), 0),
            owed=Coalesce(Subquery(owed, output_field=BigIntegerField()), 0),
        )
        .values("segment_key", "path_key")
        .annotate(n=Count("case_id"), due=Sum("owed"), collected=Sum("paid"))
    )
    found = {(r["segment_key"], r["path_key"]): r for r in rows}
    order = [
        (seg["key"], path["key"])
        for seg in version.definition.get("segments", [])
        for path in seg.get("paths", [])
    ]
    keys = order + sorted(set(found) - set(order))
    empty = {"n": 0, "due": 0, "collected": 0}
    return [
        PathResult(
            k[0],
            k[1],
            found.get(k, empty)["n"],
            int(found.get(k, empty)["due"] or 0),
            int(found.get(k, empty)["collected"] or 0),
        )
        for k in keys
    ]
