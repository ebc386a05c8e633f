"""The end-of-day phase `plans`: monitor running plans against the loans' payments.

Set-based: three queries read the active plans, their installments and the payments of their
loans since acceptance (waivers excluded: they are not money from the borrower), and Polars
judges every plan at once:

- paid: the payments on the loan dated from the acceptance date through the as-of date.
- broken: the first installment whose grace deadline (due date + grace days) has passed
  while the money paid by that deadline was short of the plan's cumulative amount due
  through that installment by more than the tolerance. `broken_on` is the day after that
  deadline: the first day the plan stood broken.
- completed: the first day the money paid reached the agreed total (less the tolerance).
- whichever came first decides; on the same day, broken (the money came late).

Only transitions are written (active → broken, active → completed) with one history row, one
audit entry, the escalation of the case (broken) and the waiver (completed with a discount)
for each — all in bulk: history rows and audit entries in batches, the escalations with
cases.services.cases_escalate_many, the waivers with book.services.payments_post_many (one
batched read of the loans, one batched replay). Installment `paid_fen` is refreshed in bulk.
Running the same as-of again changes nothing: the plans judged are no longer active and the
paid figures are the same.
"""

from __future__ import annotations

import datetime as dt
import logging

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone

from arrears.book.models import WAIVER_CHANNELS
from arrears.core.audit import AuditItem, audit_record_many
from arrears.core.dates import local_today
from arrears.core.money import format_yuan
from arrears.eod.phases import EodPhaseContext
from arrears.plans.models import Plan, PlanApproval, PlanInstallment

log = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 3
DEFAULT_TOLERANCE_FEN = 0


def grace_days() -> int:
    return int(getattr(settings, "ARREARS_PLAN_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def tolerance_fen() -> int:
    return int(getattr(settings, "ARREARS_PLAN_TOLERANCE_FEN", DEFAULT_TOLERANCE_FEN))


def _frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    df = pl.DataFrame(rows, schema=list(schema), orient="row")
    # SQLite hands dates back as text; cast both back ends to the same types.
    return df.with_columns(
        [
            pl.col(c).cast(pl.Utf8).str.to_date() if t == pl.Date else pl.col(c).cast(t)
            for c, t in schema.items()
        ]
    )


def load(as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Active plans accepted by `as_of`, their installments, and their loans' payments."""
    plans = _frame(
        "SELECT id, loan_id, case_id, kind, accepted_on, agreed_total_fen, discount_fen"
        " FROM plans_plan WHERE status = 'active' AND accepted_on <= %s",
        [as_of],
        {
            "plan_id": pl.Int64,
            "loan_id": pl.Int64,
            "case_id": pl.Int64,
            "kind": pl.Utf8,
            "accepted_on": pl.Date,
            "agreed_total": pl.Int64,
            "discount": pl.Int64,
        },
    )
    insts = _frame(
        "SELECT i.id, i.plan_id, i.number, i.due_on, i.amount_fen, i.paid_fen"
        " FROM plans_planinstallment i JOIN plans_plan p ON p.id = i.plan_id"
        " WHERE p.status = 'active' AND p.accepted_on <= %s",
        [as_of],
        {
            "id": pl.Int64,
            "plan_id": pl.Int64,
            "number": pl.Int64,
            "due_on": pl.Date,
            "amount": pl.Int64,
            "paid_before": pl.Int64,
        },
    )
    waivers = ", ".join(["%s"] * len(WAIVER_CHANNELS))
    pays = _frame(
        "SELECT p.id, y.paid_on, y.amount_fen FROM book_payment y"
        " JOIN plans_plan p ON p.loan_id = y.loan_id"
        " WHERE p.status = 'active' AND p.accepted_on <= %s"
        " AND y.paid_on >= p.accepted_on AND y.paid_on <= %s"
        f" AND y.channel NOT IN ({waivers})",
        [as_of, as_of, *[str(c) for c in WAIVER_CHANNELS]],
        {"plan_id": pl.Int64, "paid_on": pl.Date, "amount": pl.Int64},
    )
    return plans, insts, pays


def judge(
    plans: pl.DataFrame,
    insts: pl.DataFrame,
    pays: pl.DataFrame,
    *,
    as_of: dt.date,
    grace: int,
    tolerance: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(plans with paid, outcome and its date; installments with paid_fen), set-based.

    outcome is "completed", "broken" or null (still running).
    """
    daily = (
        pays.group_by("plan_id", "paid_on")
        .agg(pl.col("amount").sum())
        .sort("plan_id", "paid_on")
        .with_columns(cum_paid=pl.col("amount").cum_sum().over("plan_id"))
    )
    total = pays.group_by("plan_id").agg(paid=pl.col("amount").sum())
    insts = insts.sort("plan_id", "number").with_columns(
        cum_due=pl.col("amount").cum_sum().over("plan_id"),
        deadline=pl.col("due_on") + pl.duration(days=grace),
    )
    # Money paid by each installment's deadline: the last cumulative figure on or before it.
    by_deadline = insts.sort("deadline").join_asof(
        daily.select("plan_id", "paid_on", "cum_paid").sort("paid_on"),
        left_on="deadline",
        right_on="paid_on",
        by="plan_id",
        strategy="backward",
        # Both sides are sorted on the key overall, hence within every plan too.
        check_sortedness=False,
    )
    broken = (
        by_deadline.filter(
            (pl.col("deadline") < as_of)
            & (pl.col("cum_paid").fill_null(0) + tolerance < pl.col("cum_due"))
        )
        .group_by("plan_id")
        .agg(broken_on=(pl.col("deadline") + pl.duration(days=1)).min())
    )
    completed = (
        daily.join(plans.select("plan_id", "agreed_total"), on="plan_id")
        .filter(pl.col("cum_paid") + tolerance >= pl.col("agreed_total"))
        .group_by("plan_id")
        .agg(completed_on=pl.col("paid_on").min())
    )
    judged = (
        plans.join(total, on="plan_id", how="left")
        .join(broken, on="plan_id", how="left")
        .join(completed, on="plan_id", how="left")
        .with_columns(pl.col("paid").fill_null(0))
        .with_columns(
            outcome=pl.when(
                pl.col("completed_on").is_not_null()
                & (pl.col("broken_on").is_null() | (pl.col("completed_on") < pl.col("broken_on")))
            )
            .then(pl.lit("completed"))
            .when(pl.col("broken_on").is_not_null())
            .then(pl.lit("broken"))
            .otherwise(pl.lit(None, dtype=pl.Utf8))
        )
    )
    # Money paid fills the plan's installments in order.
    insts = (
        insts.join(judged.select("plan_id", "paid"), on="plan_id", how="left")
        .with_columns(
            paid_fen=(pl.col("paid") - (pl.col("cum_due") - pl.col("amount"))).clip(
                0, pl.col("amount")
            )
        )
        .select("id", "plan_id", "number", "amount", "paid_before", "paid_fen")
    )
    return judged, insts


def _escalate(broken: list[dict], actor) -> int:
    """Escalate the broken plans' cases (`broken_plan`), each on its plan's broken date."""
    from arrears.cases.services import cases_escalate_many

    return cases_escalate_many(
        escalations=[(r["case_id"], r["broken_on"]) for r in broken],
        reason="broken_plan",
        actor=actor,
        source="eod",
    )


def _waive(completed: list[dict], latest_day: dt.date, actor) -> dict[int, object]:
    """Post the completed plans' waivers (plan_waive's rule, in bulk): each loan's whole rest
    as of the completion day (never after the business date). Returns plan id → payment."""
    from arrears.book.models import Payment
    from arrears.book.selectors import loan_positions
    from arrears.book.services import payments_post_many
    from arrears.plans.services import WAIVER_PREFIX

    days = {r["plan_id"]: min(r["completed_on"], latest_day) for r in completed}
    positions = loan_positions({r["loan_id"]: days[r["plan_id"]] for r in completed})
    rows = []
    for r in completed:
        pos = positions[r["loan_id"]]
        rest = (
            pos.outstanding_principal
            + sum(i.interest_left for i in pos.result.installments)
            + pos.penalty
            + pos.fees
            - pos.credit_balance
        )
        if rest > 0:
            rows.append(
                (
                    r["loan_id"],
                    f"{WAIVER_PREFIX}{r['plan_id']}",
                    days[r["plan_id"]],
                    rest,
                    Payment.Channel.WAIVER,
                )
            )
    posted = payments_post_many(rows=rows, actor=actor, source="plan")
    by_plan = {
        r["plan_id"]: posted.get(f"{WAIVER_PREFIX}{r['plan_id']}")
        for r in completed
        if f"{WAIVER_PREFIX}{r['plan_id']}" in posted
    }
    Plan.objects.bulk_update(
        [Plan(id=pk, waiver_payment=p) for pk, p in by_plan.items()],
        ["waiver_payment"],
        batch_size=1000,
    )
    return by_plan


def expire(as_of: dt.date, actor, now) -> int:
    """Cancel proposals nobody accepted by their first due date: they can no longer start."""
    stale = list(
        Plan.objects.filter(
            status__in=[Plan.Status.PENDING_APPROVAL, Plan.Status.APPROVED],
            first_due_on__lt=as_of,
        ).values_list("pk", "status")
    )
    if not stale:
        return 0
    Plan.objects.filter(pk__in=[pk for pk, _ in stale]).update(
        status=Plan.Status.CANCELLED, cancelled_at=now
    )
    PlanApproval.objects.bulk_create(
        PlanApproval(
            plan_id=pk,
            actor=actor,
            action=PlanApproval.Action.CANCELLED,
            reason=PlanApproval.Reason.EXPIRED,
            at=now,
        )
        for pk, _ in stale
    )
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                "plan.expire",
                "plan",
                pk,
                {"status": status},
                {"status": "cancelled", "as_of": as_of},
            )
            for pk, status in stale
        ],
        source="eod",
    )
    return len(stale)


def plans_eod_phase(ctx: EodPhaseContext) -> dict:
    """Judge every active plan as of ctx.as_of; only on the latest day."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    as_of = ctx.as_of
    now = timezone.now()
    actor = ctx.actor if ctx.actor is not None and ctx.actor.pk else None
    expired = expire(as_of, actor, now)
    plans, insts, pays = load(as_of)
    if plans.is_empty():
        return {
            "active": 0,
            "broken": 0,
            "escalated": 0,
            "completed": 0,
            "waived_fen": 0,
            "expired": expired,
        }
    judged, insts = judge(
        plans, insts, pays, as_of=as_of, grace=grace_days(), tolerance=tolerance_fen()
    )
    changed = insts.filter(pl.col("paid_fen") != pl.col("paid_before"))
    PlanInstallment.objects.bulk_update(
        [
            PlanInstallment(id=r["id"], paid_fen=r["paid_fen"])
            for r in changed.iter_rows(named=True)
        ],
        ["paid_fen"],
        batch_size=1000,
    )
    Plan.objects.bulk_update(
        [
            Plan(id=r["plan_id"], paid_fen=r["paid"], monitored_on=as_of)
            for r in judged.iter_rows(named=True)
        ],
        ["paid_fen", "monitored_on"],
        batch_size=1000,
    )

    broken = judged.filter(pl.col("outcome") == "broken").to_dicts()
    completed = judged.filter(pl.col("outcome") == "completed").to_dicts()
    Plan.objects.bulk_update(
        [Plan(id=r["plan_id"], status=Plan.Status.BROKEN, broken_on=r["broken_on"]) for r in broken]
        + [
            Plan(id=r["plan_id"], status=Plan.Status.COMPLETED, completed_on=r["completed_on"])
            for r in completed
        ],
        ["status", "broken_on", "completed_on"],
        batch_size=1000,
    )
    PlanApproval.objects.bulk_create(
        [
            PlanApproval(
                plan_id=r["plan_id"],
                actor=actor,
                action=PlanApproval.Action.BROKEN,
                reason=PlanApproval.Reason.SHORT,
                ref=format_yuan(r["paid"]),
                at=now,
            )
            for r in broken
        ]
        + [
            PlanApproval(
                plan_id=r["plan_id"],
                actor=actor,
                action=PlanApproval.Action.COMPLETED,
                reason=PlanApproval.Reason.PAID,
                ref=format_yuan(r["paid"]),
                at=now,
            )
            for r in completed
        ]
    )
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                "plan.broken",
                "plan",
                r["plan_id"],
                {"status": "active"},
                {"status": "broken", "broken_on": r["broken_on"], "paid_fen": r["paid"]},
            )
            for r in broken
        ],
        source="eod",
    )
    escalated = _escalate(broken, actor)
    # A waiver is a payment: never dated after the business date, even on a run for later.
    latest_day = min(as_of, local_today())
    discounted = [r for r in completed if r["discount"] > 0 or r["kind"] == "settlement"]
    waivers = _waive(discounted, latest_day, actor) if discounted else {}
    waived = sum(p.amount_fen for p in waivers.values())
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                "plan.completed",
                "plan",
                r["plan_id"],
                {"status": "active"},
                {
                    "status": "completed",
                    "completed_on": r["completed_on"],
                    "paid_fen": r["paid"],
                    "waiver": waivers[r["plan_id"]].external_id
                    if r["plan_id"] in waivers
                    else None,
                    "waived_fen": waivers[r["plan_id"]].amount_fen
                    if r["plan_id"] in waivers
                    else 0,
                },
            )
            for r in completed
        ],
        source="eod",
    )
    return {
        "active": judged.height - len(broken) - len(completed),
        "broken": len(broken),
        "escalated": escalated,
        "completed": len(completed),
        "waived_fen": waived,
        "expired": expired,
    }


def plans_case_closed_phase(ctx: EodPhaseContext) -> dict:
    """A case that ends, ends cleanly: plans not yet in force on a closed case (awaiting
    approval, or approved and never accepted) are withdrawn with the reason `case_closed`.

    Set-based: one UPDATE, one bulk insert of history rows, one bulk audit. A plan already
    running (active) is left to the `plans` phase: it completes or breaks on its own terms.
    """
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    from arrears.core.audit import audit_record_many

    stale = Plan.objects.filter(
        status__in=[Plan.Status.PENDING_APPROVAL, Plan.Status.APPROVED], case__status="closed"
    )
    rows = list(stale.values_list("pk", "status"))
    if not rows:
        return {"withdrawn": 0}
    now = timezone.now()
    actor = ctx.actor if ctx.actor is not None and ctx.actor.pk else None
    Plan.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        status=Plan.Status.CANCELLED, cancelled_at=now, awaiting_role=""
    )
    PlanApproval.objects.bulk_create(
        PlanApproval(
            plan_id=pk,
            actor=actor,
            action=PlanApproval.Action.CANCELLED,
            reason=PlanApproval.Reason.CASE_CLOSED,
            at=now,
        )
        for pk, _ in rows
    )
    audit_record_many(
        actor=actor,
        source="eod",
        items=[
            (
                "plan.withdraw",
                "plan",
                pk,
                {"status": status},
                {"status": "cancelled", "reason": "case_closed", "as_of": ctx.as_of},
            )
            for pk, status in rows
        ],
    )
    return {"withdrawn": len(rows)}
