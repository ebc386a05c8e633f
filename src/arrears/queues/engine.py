"""Building the day's queues, set-based (Polars over whole tables, bulk writes).

For the day `on` (the run's as-of + 1):

1. The due actions (queues.sources): case, segment, step, channel.
2. Joined to the open cases not suspended on `on` (cases.models.suspended_on), with the
   as-of snapshot's amount due, DPD, bucket and time bar, and the count of broken promises.
   The person: the case's field agent for a visit, its collector for every other channel;
   an action with nobody to do it is counted, not queued.
3. Priority = expected yuan recovered per minute of effort =
   amount due × probability of payment ÷ the channel's minutes. In integers, to 1/10000
   yuan per minute, half up: amount_fen × p_bp / (100 × minutes) with p_bp the probability
   in 1/10000 (0.8000 → 8000); `(2·x + d) // (2·d)` rounds x/d half up for x, d > 0.
   Amounts are below 10^12 fen and p_bp ≤ 10^4, so 2·x < 2·10^16 fits in 64 bits.
4. Each person's actions by priority (then DPD, older first, then case id), capped at their
   daily capacity (User.daily_capacity, else ARREARS_QUEUE_DAILY_CAPACITY). Only the actions
   that would make the cut are checked with compliance.rules.may_contact at `on`
   ARREARS_QUEUE_CHECK_AT (borrower's local time) — the cheap filters (closed, suspended,
   unassigned, hand-overs) are set-based before — and a blocked one is written to
   QueueExclusion with the rule and reason, its place going to the next action in line
   (checked in turn), until the capacity is full or the actions run out.
5. The day's QueueEntry and QueueExclusion rows are replaced whole: rerunning the same
   as-of gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.db.models import Count

from arrears.queues.sources import due_actions

logger = logging.getLogger(__name__)

DEFAULT_CAPACITY = 60
DEFAULT_MINUTES = {"call": 5, "sms": 1, "email": 1, "letter": 3, "visit": 60}
# When no probability row matches a case (an empty table): an even chance.
DEFAULT_PROBABILITY_BP = 5000


def daily_capacity_default() -> int:
    return int(getattr(settings, "ARREARS_QUEUE_DAILY_CAPACITY", DEFAULT_CAPACITY))


def check_time() -> dt.time:
    hh, mm = str(getattr(settings, "ARREARS_QUEUE_CHECK_AT", "09:00")).split(":")
    return dt.time(int(hh), int(mm))


def channel_minutes() -> dict[str, int]:
    from arrears.queues.models import ChannelEffort

    minutes = dict(DEFAULT_MINUTES)
    minutes.update(dict(ChannelEffort.objects.values_list("channel", "minutes")))
    return minutes


def _bp(value: Decimal) -> int:
    return int((Decimal(value) * 10000).to_integral_value())


def probability_rows() -> list[dict]:
    """The table's rows, most specific first (bucket, debtor type, oldest DPD, narrowest
    range of broken promises): the first that matches a case gives its probability."""
    from arrears.queues.models import PaymentProbability

    rows = list(
        PaymentProbability.objects.values(
            "id", "bucket", "debtor_type_id", "min_dpd", "broken_min", "broken_max", "probability"
        )
    )

    def width(r):
        return (r["broken_max"] if r["broken_max"] is not None else 10**6) - r["broken_min"]

    rows.sort(
        key=lambda r: (
            r["bucket"] == "",
            r["debtor_type_id"] is None,
            -r["min_dpd"],
            width(r),
            r["id"],
        )
    )
    return rows


def _row_condition(r: dict) -> pl.Expr:
    cond = pl.col("dpd") >= r["min_dpd"]
    if r["bucket"]:
        cond = cond & (pl.col("bucket") == r["bucket"])
    if r["debtor_type_id"] is not None:
        cond = cond & (pl.col("debtor_type_id") == r["debtor_type_id"])
    cond = cond & (pl.col("broken") >= r["broken_min"])
    if r["broken_max"] is not None:
        cond = cond & (pl.col("broken") <= r["broken_max"])
    return cond


def probability_expr(rows: list[dict], value: str = "bp") -> pl.Expr:
    """An expression giving each case its row's probability (in 1/10000) or row id
    (`value="id"`), from the columns bucket, debtor_type_id, dpd, broken."""
    default = DEFAULT_PROBABILITY_BP if value == "bp" else None
    expr = pl.lit(default, dtype=pl.Int64)
    for r in reversed(rows):
        out = _bp(r["probability"]) if value == "bp" else r["id"]
        expr = pl.when(_row_condition(r)).then(pl.lit(out, dtype=pl.Int64)).otherwise(expr)
    return expr


def priority_e4(amount_fen: pl.Expr, bp: pl.Expr, minutes: pl.Expr) -> pl.Expr:
    """amount × probability ÷ minutes in 1/10000 yuan per minute, half up (module docstring)."""
    x = amount_fen * bp
    d = minutes * 100
    return (2 * x + d) // (2 * d)


def priority_of(amount_fen: int, probability: Decimal, minutes: int) -> Decimal:
    """The same figure for one action, as the Decimal a page shows (yuan per minute)."""
    x = amount_fen * _bp(probability)
    d = 100 * minutes
    return Decimal((2 * x + d) // (2 * d)).scaleb(-4)


CASE_SCHEMA = {
    "case_id": pl.Int64,
    "loan_id": pl.Int64,
    "borrower_id": pl.Int64,
    "product_id": pl.Int64,
    "collector_id": pl.Int64,
    "field_agent_id": pl.Int64,
    "debtor_type_id": pl.Int64,
    "case_dpd": pl.Int64,
    "case_bucket": pl.String,
}
SNAP_SCHEMA = {
    "loan_id": pl.Int64,
    "amount_due_fen": pl.Int64,
    "snap_dpd": pl.Int64,
    "snap_bucket": pl.String,
    "time_barred": pl.Boolean,
}


def case_frame(*, on: dt.date, as_of: dt.date, case_ids=None) -> pl.DataFrame:
    """The open cases not suspended on `on`, with the as-of figures and broken promises."""
    from arrears.cases.models import Case, CaseSuspension, suspended_on
    from arrears.eod.models import LoanSnapshot
    from arrears.promises.models import Promise

    qs = (
        Case.objects.filter(status=Case.Status.OPEN)
        .exclude(pk__in=CaseSuspension.objects.filter(suspended_on(on)).values("case_id"))
        .order_by()
    )
    if case_ids is not None:
        qs = qs.filter(pk__in=case_ids)
    rows = qs.values_list(
        "id",
        "loan_id",
        "borrower_id",
        "loan__product_id",
        "collector_id",
        "field_agent_id",
        "debtor_type_id",
        "dpd",
        "bucket",
    )
    frame = pl.DataFrame(list(rows), schema=CASE_SCHEMA, orient="row")
    # The as-of figures in one pass over the day's snapshot (not a subquery per case).
    snaps = pl.DataFrame(
        list(
            LoanSnapshot.objects.filter(
                as_of=as_of,
                loan_id__in=Case.objects.filter(status=Case.Status.OPEN).values("loan_id"),
            )
            .order_by()
            .values_list("loan_id", "total_due_fen", "dpd", "bucket", "time_barred")
        ),
        schema=SNAP_SCHEMA,
        orient="row",
    )
    frame = frame.join(snaps, on="loan_id", how="left")
    broken = pl.DataFrame(
        list(
            Promise.objects.filter(status=Promise.Status.BROKEN)
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        ),
        schema={"case_id": pl.Int64, "broken": pl.Int64},
        orient="row",
    )
    return (
        frame.join(broken, on="case_id", how="left")
        .with_columns(
            pl.col("broken").fill_null(0),
            pl.col("amount_due_fen").fill_null(0),
            pl.coalesce("snap_dpd", "case_dpd").alias("dpd"),
            pl.coalesce("snap_bucket", "case_bucket").alias("bucket"),
            pl.col("time_barred").fill_null(False),
        )
        .drop("snap_dpd", "snap_bucket", "case_dpd", "case_bucket")
    )


def capacities() -> pl.DataFrame:
    from arrears.core.models import User

    default = daily_capacity_default()
    return pl.DataFrame(
        [
            (pk, cap if cap is not None else default)
            for pk, cap in User.objects.filter(is_active=True).values_list("id", "daily_capacity")
        ],
        schema={"user_id": pl.Int64, "capacity": pl.Int64},
        orient="row",
    )


def ranked_actions(*, on: dt.date, as_of: dt.date) -> tuple[pl.DataFrame, dict]:
    """Every due action with its person, probability, minutes and priority, best first per
    person (no capacity, no compliance yet); and counts of what was dropped on the way."""
    due = due_actions(on)
    cases = case_frame(on=on, as_of=as_of)
    minutes = channel_minutes()
    rows = probability_rows()
    joined = due.join(cases, on="case_id", how="inner")
    df = (
        joined.with_columns(
            pl.when(pl.col("channel") == "visit")
            .then(pl.col("field_agent_id"))
            .otherwise(pl.col("collector_id"))
            .alias("user_id"),
            pl.col("channel").replace_strict(minutes, return_dtype=pl.Int64).alias("minutes"),
            probability_expr(rows).alias("bp"),
        )
    ).with_columns(
        priority_e4(pl.col("amount_due_fen"), pl.col("bp"), pl.col("minutes")).alias("priority")
    )
    unassigned = df.filter(pl.col("user_id").is_null()).height
    df = df.filter(pl.col("user_id").is_not_null()).sort(
        ["user_id", "priority", "dpd", "case_id", "channel"],
        descending=[False, True, True, False, False],
    )
    counts = {
        "due": due.height,
        "closed_or_suspended": due.height - joined.height,
        "unassigned": unassigned,
    }
    return df, counts


def _check(batch: pl.DataFrame, *, on: dt.date) -> tuple[list[bool], list[tuple]]:
    """may_contact for each action of the batch: allowed flags, and exclusion rows."""
    from arrears.book.models import Product
    from arrears.compliance.rules import may_contact
    from arrears.compliance.selectors import pack_for_product
    from arrears.queues.facts import cases_facts

    at_time = check_time()
    cases = batch.select("case_id", "loan_id", "borrower_id", "time_barred").unique("case_id")
    # The latest moment any borrower's check falls (zones differ): attempts up to it.
    until = dt.datetime.combine(on, at_time, tzinfo=ZoneInfo("UTC")) + dt.timedelta(hours=14)
    facts = cases_facts(list(cases.iter_rows()), until=until)
    packs = {}
    for product in Product.objects.filter(pk__in=batch["product_id"].unique().to_list()):
        packs[product.pk] = pack_for_product(product).spec()
    allowed, excluded = [], []
    for case_id, channel, product_id, user_id in batch.select(
        "case_id", "channel", "product_id", "user_id"
    ).iter_rows():
        f = facts[case_id]
        at = dt.datetime.combine(on, at_time, tzinfo=ZoneInfo(f.timezone))
        # Attempts after the check time (another zone's later morning) are not yet made.
        f_at = f if not f.attempts else _before(f, at)
        decision = may_contact(f_at, channel, at, pack=packs[product_id])
        allowed.append(decision.allowed)
        if not decision.allowed:
            first = decision.blocking[0]
            excluded.append(
                (
                    on,
                    case_id,
                    user_id,
                    channel,
                    first.rule_id,
                    first.message_zh[:500],
                    first.message_en[:500],
                    decision.next_allowed_at,
                )
            )
    return allowed, excluded


def _before(facts, at: dt.datetime):
    from dataclasses import replace

    return replace(facts, attempts=tuple(a for a in facts.attempts if a.at <= at))


def select_within_capacity(df: pl.DataFrame, *, on: dt.date) -> tuple[pl.DataFrame, list]:
    """Take each person's best actions up to capacity, checking only those (see docstring)."""
    caps = capacities()
    df = df.join(caps, on="user_id", how="left").with_columns(
        pl.col("capacity").fill_null(daily_capacity_default())
    )
    need = df.select("user_id", "capacity").unique("user_id").rename({"capacity": "need"})
    remaining = df
    chosen: list[pl.DataFrame] = []
    excluded: list[tuple] = []
    while remaining.height:
        remaining = (
            remaining.drop("need", strict=False)
            .join(need, on="user_id", how="left")
            .with_columns(pl.int_range(1, pl.len() + 1).over("user_id").alias("_rank"))
        )
        batch = remaining.filter(pl.col("_rank") <= pl.col("need"))
        if batch.height == 0:
            break
        ok, out = _check(batch, on=on)
        batch = batch.with_columns(pl.Series("_ok", ok, dtype=pl.Boolean))
        good = batch.filter(pl.col("_ok"))
        chosen.append(good)
        excluded.extend(out)
        taken = good.group_by("user_id").agg(pl.len().alias("_taken"))
        need = (
            need.join(taken, on="user_id", how="left")
            .with_columns((pl.col("need") - pl.col("_taken").fill_null(0)).alias("need"))
            .drop("_taken")
        )
        remaining = remaining.join(
            batch.select("case_id", "channel"), on=["case_id", "channel"], how="anti"
        )
    picked = pl.concat([df.clear(), *(c.select(df.columns) for c in chosen)]).sort(
        ["user_id", "priority", "dpd", "case_id", "channel"],
        descending=[False, True, True, False, False],
    )
    return picked.with_columns(pl.int_range(1, pl.len() + 1).over("user_id").alias("position")), (
        excluded
    )


def build_queues(*, on: dt.date, as_of: dt.date) -> dict:
    """Build (replace) every queue of day `on` from the as-of figures; returns counts."""
    from arrears.ingest.bulk import insert_rows
    from arrears.queues.models import QueueEntry, QueueExclusion

    started = time.perf_counter()
    ranked, counts = ranked_actions(on=on, as_of=as_of)
    t_rank = time.perf_counter()
    picked, excluded = select_within_capacity(ranked, on=on)
    t_pick = time.perf_counter()
    QueueEntry.objects.filter(on=on).delete()
    QueueExclusion.objects.filter(on=on).delete()
    entries = insert_rows(
        QueueEntry,
        (
            "on",
            "user",
            "position",
            "case",
            "loan",
            "segment",
            "step",
            "channel",
            "priority",
            "amount_due_fen",
            "probability",
            "minutes",
        ),
        (
            (
                on,
                user_id,
                position,
                case_id,
                loan_id,
                segment,
                step,
                channel,
                Decimal(priority).scaleb(-4),
                amount,
                Decimal(bp).scaleb(-4),
                minutes,
            )
            for user_id, position, case_id, loan_id, segment, step, channel, priority, amount, bp, minutes in picked.select(  # noqa: E501
                "user_id",
                "position",
                "case_id",
                "loan_id",
                "segment",
                "step",
                "channel",
                "priority",
                "amount_due_fen",
                "bp",
                "minutes",
            ).iter_rows()
        ),
    )
    insert_rows(
        QueueExclusion,
        (
            "on",
            "case",
            "user",
            "channel",
            "rule_id",
            "reason_zh",
            "reason_en",
            "next_allowed_at",
        ),
        excluded,
    )
    done = time.perf_counter()
    return {
        **counts,
        "on": on.isoformat(),
        "entries": entries,
        "people": picked["user_id"].n_unique() if picked.height else 0,
        "excluded": len(excluded),
        "seconds": {
            "rank": round(t_rank - started, 3),
            "select": round(t_pick - t_rank, 3),
            "write": round(done - t_pick, 3),
        },
    }


def queues_eod_phase(ctx) -> dict:
    """End-of-day phase `queues`: tomorrow's queues from today's figures (latest day only:
    a back-dated run does not rebuild the work of a day already past)."""
    if not ctx.is_latest:
        return {"skipped": "back-dated"}
    out = build_queues(on=ctx.as_of + dt.timedelta(days=1), as_of=ctx.as_of)
    # The run's summary holds what the run decided, the same for a full and an incremental
    # run of a day; how long each step took goes to the log (and the benchmark).
    logger.info("queues for %s built in %s", out["on"], out.pop("seconds", None))
    return out
