"""The end-of-day phase `strategy`: every open case into a segment and path, the next day's
due actions, and the hand-overs — set-based.

1. `case_facts(as_of)` reads the facts of every open case in a few queries into one Polars
   frame (one row per case, a column per `definition.FIELDS` name).
2. The active strategy's latest version becomes one `pl.when` chain: the first segment whose
   condition holds wins (the last is a catch-all). The path comes from the case's stored draw
   (0–9999) against the cumulative shares, so a case stays on its path day after day.
3. `CaseTreatment` is rewritten (one row per open case); `entered_on` is kept while the
   segment is unchanged, else it is the next day (the first working day in the segment).
4. `DueAction` rows for `as_of + 1` are rewritten: the current timed steps (definition.py says
   when a step is due) and trigger steps whose event happened since the previous run. Escalation
   steps the case's rule pack refuses (`compliance.rules.may_schedule_step`, which also refuses
   any step while a suspension (停催) is in force: ALL.HOLD_SUSPENSION) are kept with the
   rule id and reason in `skipped_rule`/`skipped_reason`, and are not due.
5. Due visits, agency placements and legal reviews open `HandOver` items (one live per case and
   channel); open items of closed cases are cancelled.

Idempotent: a rerun of the same day rewrites the same rows (the draws are kept, `entered_on`
is kept). A back-dated run (not the latest day) does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone

from arrears.compliance import rules as compliance_rules
from arrears.eod.phases import EodPhaseContext
from arrears.strategy import definition as d
from arrears.strategy.models import CaseDraw, CaseTreatment, DueAction, HandOver, StrategyVersion

DUE_ACTION_KEEP_DAYS = 35
OPEN_CASES = "SELECT id FROM cases_case WHERE status = 'open'"

FACT_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.Int64,
    "loan_id": pl.Int64,
    "product_id": pl.Int64,
    "agency_id": pl.Int64,
    "agency_review_due_on": pl.Date,
    "dpd": pl.Int64,
    "bucket": pl.Utf8,
    "classification": pl.Utf8,
    "amount_due": pl.Int64,
    "product": pl.Utf8,
    "region": pl.Utf8,
    "rural": pl.Boolean,
    "debtor_type": pl.Utf8,
    "default_reason": pl.Utf8,
    "broken_promises": pl.Int64,
    "days_to_limitation": pl.Int64,
    "time_barred": pl.Boolean,
    "open_complaint": pl.Boolean,
    "death_report": pl.Boolean,
    "agency_placed": pl.Boolean,
    "legal_status": pl.Utf8,
    "colour_flag": pl.Utf8,
    "promise_in_force": pl.Boolean,
    "plan_in_force": pl.Boolean,
    "score": pl.Int64,
}


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall()


def _frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    # Every row decides the column types (a column null in the first hundred rows and 1 after
    # would otherwise be typed from the nulls and refuse the 1).
    df = pl.DataFrame(
        _rows(sql, params), schema=list(schema), orient="row", infer_schema_length=None
    )
    # SQLite hands dates back as text and booleans as integers: cast both back ends alike.
    return df.with_columns(
        [
            pl.col(c).cast(pl.Utf8).str.to_date() if t == pl.Date else pl.col(c).cast(t)
            for c, t in schema.items()
        ]
    )


def _case_set(sql: str, params: list | None = None) -> pl.DataFrame:
    return _frame(sql, params or [], {"case_id": pl.Int64})


def case_facts(as_of: dt.date, case_ids: list[int] | None = None) -> pl.DataFrame:
    """The facts of every open case (or of `case_ids`) as of a day: one row per case."""
    only = ""
    params: list = [as_of]
    if case_ids is not None:
        only = f" AND c.id IN ({', '.join(str(int(i)) for i in case_ids) or 'NULL'})"
    base = _frame(
        "SELECT c.id, c.loan_id, l.product_id, c.agency_id, ag.review_due_on, c.dpd, c.bucket,"
        " s.classification, s.total_due_fen, p.code, b.province, b.county, b.town, b.village,"
        " dt.code, s.limitation_deadline, s.time_barred, c.escalation, c.colour_flag"
        " FROM cases_case c JOIN book_loan l ON l.id = c.loan_id"
        " JOIN book_product p ON p.id = l.product_id"
        " JOIN book_borrower b ON b.id = c.borrower_id"
        " LEFT JOIN cases_debtortype dt ON dt.id = c.debtor_type_id"
        " LEFT JOIN core_agency ag ON ag.id = c.agency_id"
        " LEFT JOIN eod_loansnapshot s ON s.loan_id = c.loan_id AND s.as_of = %s"
        " WHERE c.status = 'open'" + only,
        params,
        {
            "case_id": pl.Int64,
            "loan_id": pl.Int64,
            "product_id": pl.Int64,
            "agency_id": pl.Int64,
            "agency_review_due_on": pl.Date,
            "dpd": pl.Int64,
            "bucket": pl.Utf8,
            "classification": pl.Utf8,
            "amount_due": pl.Int64,
            "product": pl.Utf8,
            "province": pl.Utf8,
            "county": pl.Utf8,
            "town": pl.Utf8,
            "village": pl.Utf8,
            "debtor_type": pl.Utf8,
            "limitation_deadline": pl.Date,
            "time_barred": pl.Boolean,
            "legal_status": pl.Utf8,
            "colour_flag": pl.Utf8,
        },
    )
    counts = _frame(
        "SELECT case_id, COUNT(*) FROM promises_promise WHERE status = 'broken'"
        f" AND case_id IN ({OPEN_CASES}) GROUP BY case_id",
        [],
        {"case_id": pl.Int64, "broken_promises": pl.Int64},
    )
    # The latest stated default reason (an entry a correction replaced does not count).
    reasons = (
        _frame(
            "SELECT case_id, occurred_at, id, default_reason FROM activities_activity"
            f" WHERE default_reason <> '' AND case_id IN ({OPEN_CASES})"
            " AND id NOT IN (SELECT corrects_id FROM activities_activity"
            " WHERE corrects_id IS NOT NULL)",
            [],
            {"case_id": pl.Int64, "at": pl.Utf8, "id": pl.Int64, "default_reason": pl.Utf8},
        )
        .sort("at", "id")
        .group_by("case_id")
        .agg(pl.col("default_reason").last())
    )
    flags = {
        "open_complaint": _case_set(
            "SELECT DISTINCT case_id FROM cases_complaint WHERE status IN ('open', 'investigating')"
        ),
        "death_report": _case_set(
            "SELECT DISTINCT case_id FROM cases_deathreport WHERE outcome = 'unverified'"
        ),
        "promise_in_force": _case_set(
            "SELECT DISTINCT case_id FROM promises_promise WHERE status = 'pending'"
        ),
        "plan_in_force": _case_set(
            "SELECT DISTINCT case_id FROM plans_plan WHERE status = 'active'"
        ),
    }
    df = base.join(counts, on="case_id", how="left").join(reasons, on="case_id", how="left")
    for name, ids in flags.items():
        df = df.join(ids.with_columns(pl.lit(True).alias(name)), on="case_id", how="left")
    region = pl.concat_str(
        [pl.col(c).replace("", None) for c in ("province", "county", "town", "village")],
        separator="/",
        ignore_nulls=True,
    )
    df = df.with_columns(
        region.fill_null("").alias("region"),
        (pl.col("village").fill_null("") != "").alias("rural"),
        pl.col("broken_promises").fill_null(0),
        pl.col("default_reason").fill_null(""),
        pl.col("debtor_type").fill_null(""),
        pl.col("time_barred").fill_null(False),
        pl.col("agency_id").is_not_null().alias("agency_placed"),
        (pl.col("limitation_deadline") - pl.lit(as_of)).dt.total_days().alias("days_to_limitation"),
        pl.lit(None, pl.Int64).alias("score"),
        *[pl.col(n).fill_null(False) for n in flags],
    )
    return df.select([pl.col(c).cast(t) for c, t in FACT_SCHEMA.items()])


# --------------------------------------------------------------------------- conditions


def condition_expr(cond) -> pl.Expr:
    """A parsed condition (definition.parse_condition) as a boolean Polars expression; a null
    fact fails the test."""
    if isinstance(cond, d.Atom):
        col, v = pl.col(cond.field), cond.value
        expr = {
            "eq": lambda: col == v,
            "ne": lambda: col != v,
            "in": lambda: col.is_in(list(v)),
            "not_in": lambda: ~col.is_in(list(v)),
            "lt": lambda: col < v,
            "lte": lambda: col <= v,
            "gt": lambda: col > v,
            "gte": lambda: col >= v,
            "between": lambda: col.is_between(v[0], v[1]),
            "prefix": lambda: col.str.starts_with(v),
            "is_true": lambda: col,
            "is_false": lambda: ~col,
        }[cond.op]()
        return expr.fill_null(False)
    kind, parts = cond
    if not parts:
        return pl.lit(kind == "all")
    exprs = [condition_expr(p) for p in parts]
    return pl.all_horizontal(exprs) if kind == "all" else pl.any_horizontal(exprs)


def segment_index_expr(definition: Mapping) -> pl.Expr:
    """The index of the first segment whose condition holds (the last when none does)."""
    segs = definition["segments"]
    expr = None
    for i, seg in enumerate(segs[:-1]):
        cond = condition_expr(d.segment_condition(seg, d.lenient_vocab()))
        expr = pl.when(cond).then(pl.lit(i)) if expr is None else expr.when(cond).then(pl.lit(i))
    last = pl.lit(len(segs) - 1)
    return (last if expr is None else expr.otherwise(last)).cast(pl.Int64)


def path_table(definition: Mapping) -> pl.DataFrame:
    """One row per path: segment index and key, path key, and the draw range [lo, hi) it takes."""
    rows = []
    for i, seg in enumerate(definition["segments"]):
        lo = 0
        paths = seg["paths"]
        for j, path in enumerate(paths):
            share = int(path.get("share", 100 if len(paths) == 1 else 0))
            hi = 10000 if j == len(paths) - 1 else lo + share * 100
            rows.append((i, seg["key"], path["key"], lo, hi, int(seg.get("holding_days", 0) or 0)))
            lo = hi
    return pl.DataFrame(
        rows,
        schema={
            "segment": pl.Int64,
            "segment_key": pl.Utf8,
            "path_key": pl.Utf8,
            "lo": pl.Int64,
            "hi": pl.Int64,
            "holding_days": pl.Int64,
        },
        orient="row",
    )


def step_table(definition: Mapping) -> pl.DataFrame:
    """One row per step, with the day the next timed step of its path takes over."""
    rows = []
    for seg in definition["segments"]:
        exits = seg.get("exit") or []
        for path in seg["paths"]:
            steps = path.get("steps") or []
            offsets = sorted({s["offset_days"] for s in steps if s.get("offset_days") is not None})
            for s in steps:
                off = s.get("offset_days")
                nxt = next((o for o in offsets if off is not None and o > off), None)
                rows.append(
                    (
                        seg["key"],
                        path["key"],
                        s["key"],
                        off,
                        nxt,
                        bool(s.get("once", False)),
                        s.get("trigger") or "",
                        s["channel"],
                        s.get("template") or "",
                        s["role"],
                        "promise_in_force" in exits,
                        "plan_in_force" in exits,
                    )
                )
    return pl.DataFrame(
        rows,
        schema={
            "segment_key": pl.Utf8,
            "path_key": pl.Utf8,
            "step_key": pl.Utf8,
            "offset_days": pl.Int64,
            "next_offset": pl.Int64,
            "once": pl.Boolean,
            "trigger": pl.Utf8,
            "channel": pl.Utf8,
            "template": pl.Utf8,
            "role": pl.Utf8,
            "exit_promise": pl.Boolean,
            "exit_plan": pl.Boolean,
        },
        orient="row",
    )


def assign(facts: pl.DataFrame, definition: Mapping, draws: pl.DataFrame) -> pl.DataFrame:
    """Each case's segment and path: columns case_id, segment_key, path_key, holding_days."""
    paths = path_table(definition)
    df = facts.with_columns(segment_index_expr(definition).alias("segment")).join(
        draws.select("case_id", "draw"), on="case_id", how="left"
    )
    df = df.join(paths, on="segment", how="inner").filter(
        (pl.col("draw") >= pl.col("lo")) & (pl.col("draw") < pl.col("hi"))
    )
    return df.select("case_id", "segment_key", "path_key", "holding_days")


def due_steps(
    treatment: pl.DataFrame,
    facts: pl.DataFrame,
    steps: pl.DataFrame,
    events: pl.DataFrame,
    on: dt.date,
) -> pl.DataFrame:
    """The steps due on `on`: current timed steps (not held by an exit condition) and trigger
    steps whose event (case_id, trigger) happened."""
    df = (
        treatment.join(
            facts.select("case_id", "promise_in_force", "plan_in_force"), on="case_id", how="left"
        )
        .with_columns((pl.lit(on) - pl.col("entered_on")).dt.total_days().alias("day"))
        .join(steps, on=["segment_key", "path_key"], how="inner")
    )
    held = (pl.col("exit_promise") & pl.col("promise_in_force").fill_null(False)) | (
        pl.col("exit_plan") & pl.col("plan_in_force").fill_null(False)
    )
    timed = (
        pl.col("offset_days").is_not_null()
        & (pl.col("offset_days") <= pl.col("day"))
        & (pl.col("next_offset").is_null() | (pl.col("day") < pl.col("next_offset")))
        & (~pl.col("once") | (pl.col("day") == pl.col("offset_days")))
        & ~held
    )
    fired = events.with_columns(pl.lit(True).alias("fired"))
    df = df.join(fired, on=["case_id", "trigger"], how="left")
    triggered = (pl.col("trigger") != "") & pl.col("fired").fill_null(False)
    return df.filter(timed | triggered).select(
        "case_id",
        "segment_key",
        "path_key",
        "step_key",
        "channel",
        "template",
        "role",
        "trigger",
    )


# --------------------------------------------------------------------------- compliance


def _packs_by_product() -> tuple[dict[int, str], dict[str, compliance_rules.PackSpec]]:
    from arrears.compliance.models import ProductRulePack
    from arrears.compliance.selectors import default_pack_code, packs_current

    specs = {p.code: p.spec() for p in packs_current()}
    chosen = dict(ProductRulePack.objects.values_list("product_id", "pack_code"))
    default = default_pack_code()
    return {**chosen, None: default}, specs


def suspended_on(case_ids: list[int], on: dt.date) -> pl.DataFrame:
    """case_id → the suspension (停催) in force on `on`: its last day and reason, and the words
    that refuse a visit, from the CaseSuspension rows (cases.selectors.suspension_facts, one
    query per 2,000 cases)."""
    from arrears.cases.selectors import suspension_facts

    rows = []
    for case_id, found in suspension_facts(case_ids, since=on).items():
        live = [s for s in found if s.covers(on)]
        if live:
            s = max(live, key=lambda s: s.ends_on)
            zh, en = compliance_rules.suspension_words(s)
            rows.append((case_id, s.ends_on, s.reason_zh, s.reason_en, zh, en))
    return pl.DataFrame(
        rows,
        schema={
            "case_id": pl.Int64,
            "susp_ends_on": pl.Date,
            "susp_zh": pl.Utf8,
            "susp_en": pl.Utf8,
            "visit_zh": pl.Utf8,
            "visit_en": pl.Utf8,
        },
        orient="row",
    )


def refusals(due: pl.DataFrame, facts: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """For each escalation step due, the rule that refuses it (blank when none), decided once
    per distinct (pack, channel, time-barred, agency review date, suspension), not once per
    case."""
    chosen, specs = _packs_by_product()
    default = chosen[None]
    esc = due.filter(pl.col("channel").is_in(list(d.STEP_KIND))).join(
        facts.select("case_id", "product_id", "time_barred", "agency_id", "agency_review_due_on"),
        on="case_id",
        how="left",
    )
    esc = esc.with_columns(
        pl.col("product_id")
        .replace_strict(
            {k: v for k, v in chosen.items() if k is not None},
            default=default,
            return_dtype=pl.Utf8,
        )
        .alias("pack")
    )
    held_on = suspended_on(due["case_id"].unique().to_list(), on)
    esc = esc.join(held_on.drop("visit_zh", "visit_en"), on="case_id", how="left")
    key = [
        "pack",
        "channel",
        "time_barred",
        "agency_id",
        "agency_review_due_on",
        "susp_ends_on",
        "susp_zh",
        "susp_en",
    ]
    keys = esc.select(key).unique()
    out = []
    for pack, channel, barred, agency_id, review, ends, susp_zh, susp_en in keys.iter_rows():
        spec = specs.get(pack)
        rule_id = reason = reason_zh = ""
        if spec is not None:
            kind = d.STEP_KIND[channel]
            held = (
                (compliance_rules.Suspension(on, ends, susp_zh or "", susp_en or ""),)
                if ends is not None
                else ()
            )
            if kind == "agency_placement" and agency_id is None and not held:
                # Not yet placed: the agency is chosen when the hand-over is taken, and the
                # placement checks that agency's review then.
                decision = None
            else:
                decision = compliance_rules.may_schedule_step(
                    compliance_rules.Step(kind=kind, on=on, agency_review_due_on=review),
                    compliance_rules.CaseFacts(time_barred=bool(barred), suspensions=held),
                    pack=spec,
                )
            if decision is not None and not decision.allowed:
                blocking = decision.blocking
                # A suspension (停催) says why first: it ends on a known day.
                first = next(
                    (o for o in blocking if o.rule_id == compliance_rules.SUSPENSION_RULE.rule_id),
                    blocking[0],
                )
                rule_id, reason = first.rule_id, first.message_en[:300]
                reason_zh = first.message_zh[:300]
        out.append(
            (pack, channel, barred, agency_id, review, ends, susp_zh, susp_en)
            + (rule_id, reason, reason_zh)
        )
    table = pl.DataFrame(
        out,
        schema={
            "pack": pl.Utf8,
            "channel": pl.Utf8,
            "time_barred": pl.Boolean,
            "agency_id": pl.Int64,
            "agency_review_due_on": pl.Date,
            "susp_ends_on": pl.Date,
            "susp_zh": pl.Utf8,
            "susp_en": pl.Utf8,
            "skipped_rule": pl.Utf8,
            "skipped_reason": pl.Utf8,
            "skipped_reason_zh": pl.Utf8,
        },
        orient="row",
    )
    refused = esc.join(table, on=key, how="left", nulls_equal=True).select(
        "case_id", "step_key", "channel", "skipped_rule", "skipped_reason", "skipped_reason_zh"
    )
    result = due.join(refused, on=["case_id", "step_key", "channel"], how="left").with_columns(
        pl.col("skipped_rule", "skipped_reason", "skipped_reason_zh").fill_null("")
    )
    # A field visit of a suspended case opens no hand-over either (the queues leave its other
    # channels out themselves, through cases.models.suspended_on).
    visits = held_on.select(
        "case_id",
        pl.lit(compliance_rules.VISIT).alias("channel"),
        pl.lit(compliance_rules.SUSPENSION_RULE.rule_id).alias("_rule"),
        "visit_en",
        "visit_zh",
    )
    result = result.join(visits, on=["case_id", "channel"], how="left")
    take = (pl.col("skipped_rule") == "") & pl.col("_rule").is_not_null()
    return result.with_columns(
        pl.when(take).then(pl.col("_rule")).otherwise(pl.col("skipped_rule")).alias("skipped_rule"),
        pl.when(take)
        .then(pl.col("visit_en").str.slice(0, 300))
        .otherwise(pl.col("skipped_reason"))
        .alias("skipped_reason"),
        pl.when(take)
        .then(pl.col("visit_zh").str.slice(0, 300))
        .otherwise(pl.col("skipped_reason_zh"))
        .alias("skipped_reason_zh"),
    ).drop("_rule", "visit_en", "visit_zh")


# --------------------------------------------------------------------------- the phase


def active_version() -> StrategyVersion | None:
    """The latest version of the active strategy: what the next end-of-day runs."""
    return (
        StrategyVersion.objects.filter(strategy__is_active=True)
        .select_related("strategy")
        .order_by("-number")
        .first()
    )


def _draws(facts: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    have = _frame(
        "SELECT case_id, draw FROM strategy_casedraw", [], {"case_id": pl.Int64, "draw": pl.Int64}
    )
    new = facts.select("case_id").join(have, on="case_id", how="anti").sort("case_id")
    if new.height:
        # At random; a demo (ARREARS_STRATEGY_DRAW_SEED, set by `arrears demo --seed`) draws
        # the same numbers for the same day's new cases in the same order, so a rebuilt demo
        # gives the same paths and the same work.
        seed = getattr(settings, "ARREARS_STRATEGY_DRAW_SEED", None)
        rng = (
            random.SystemRandom() if seed is None else random.Random(f"{seed}:{as_of.isoformat()}")
        )
        fresh = new.with_columns(
            pl.Series("draw", [rng.randrange(10000) for _ in range(new.height)], pl.Int64),
            pl.lit(as_of).alias("drawn_on"),
        )
        _insert("strategy_casedraw", fresh.select("case_id", "draw", "drawn_on"))
        have = pl.concat([have, fresh.select("case_id", "draw")])
    return have


def _insert(table: str, df: pl.DataFrame) -> None:
    from arrears.eod.services import bulk_insert

    bulk_insert(table, df)


def _events(as_of: dt.date, since: dt.date) -> pl.DataFrame:
    """Trigger events in (since, as_of]: promises judged broken, plans broken."""
    schema = {"case_id": pl.Int64, "trigger": pl.Utf8}
    promises = _frame(
        "SELECT DISTINCT case_id, 'promise_broken' FROM promises_promise"
        " WHERE status = 'broken' AND judged_on > %s AND judged_on <= %s",
        [since, as_of],
        schema,
    )
    plans = _frame(
        "SELECT DISTINCT case_id, 'plan_broken' FROM plans_plan"
        " WHERE status = 'broken' AND broken_on > %s AND broken_on <= %s",
        [since, as_of],
        schema,
    )
    return pl.concat([promises, plans]).unique()


def strategy_run(as_of: dt.date) -> dict:
    """Evaluate the active strategy for every open case as of `as_of` and write treatments,
    the due actions of the next day and the hand-overs. Returns counts."""
    on = as_of + dt.timedelta(days=1)
    version = active_version()
    if version is None:
        return {"strategy": None}
    definition = version.definition
    facts = case_facts(as_of)
    draws = _draws(facts, as_of)
    assigned = assign(facts, definition, draws)
    old = _frame(
        "SELECT case_id, segment_key, entered_on, as_of FROM strategy_casetreatment",
        [],
        {
            "case_id": pl.Int64,
            "old_segment": pl.Utf8,
            "old_entered_on": pl.Date,
            "old_as_of": pl.Date,
        },
    )
    # Trigger events since the previous run (a skipped day's events still fire); a rerun of
    # the same day looks back one day.
    previous = old.get_column("old_as_of").max() if old.height else None
    if previous is None or previous >= as_of:
        previous = as_of - dt.timedelta(days=1)
    treatment = assigned.join(old, on="case_id", how="left").with_columns(
        pl.when(pl.col("old_segment") == pl.col("segment_key"))
        .then(pl.col("old_entered_on"))
        .otherwise(pl.lit(on))
        .alias("entered_on"),
        pl.lit(version.pk).alias("strategy_version_id"),
        pl.lit(as_of).alias("as_of"),
    )
    with connection.cursor() as cur:
        cur.execute("DELETE FROM strategy_casetreatment")
        cur.execute("DELETE FROM strategy_dueaction WHERE on_date >= %s", [on])
        # Kept a while for the case page and the managers' review of refusals, then pruned.
        cur.execute(
            "DELETE FROM strategy_dueaction WHERE on_date < %s",
            [on - dt.timedelta(days=DUE_ACTION_KEEP_DAYS)],
        )
    _insert(
        "strategy_casetreatment",
        treatment.select(
            "case_id",
            "strategy_version_id",
            "segment_key",
            "path_key",
            "entered_on",
            "holding_days",
            "as_of",
        ),
    )
    due = due_steps(
        treatment.select("case_id", "segment_key", "path_key", "entered_on"),
        facts,
        step_table(definition),
        _events(as_of, previous),
        on,
    )
    judged = refusals(due, facts, on)
    _insert(
        "strategy_dueaction",
        judged.with_columns(
            pl.lit(on).alias("on_date"), pl.lit(version.pk).alias("strategy_version_id")
        ).select(
            "on_date",
            "case_id",
            "strategy_version_id",
            "segment_key",
            "path_key",
            "step_key",
            "channel",
            "template",
            "role",
            "trigger",
            "skipped_rule",
            "skipped_reason",
            "skipped_reason_zh",
        ),
    )
    _handovers(judged, on)
    due_rows = judged.filter(pl.col("skipped_rule") == "")
    return {
        "strategy": f"{version.strategy.code} v{version.number}",
        "cases": treatment.height,
        "due": due_rows.height,
        "skipped": judged.height - due_rows.height,
        # States, not transitions, so a rerun of the day reports the same figures.
        "handovers_live": HandOver.objects.filter(status__in=HandOver.LIVE).count(),
        "by_segment": dict(
            sorted(treatment.group_by("segment_key").len().iter_rows(), key=lambda r: r[0])
        ),
    }


def _handovers(judged: pl.DataFrame, on: dt.date) -> tuple[int, int]:
    wanted = (
        judged.filter(
            (pl.col("skipped_rule") == "") & pl.col("channel").is_in(list(d.HANDOVER_CHANNELS))
        )
        .sort("case_id", "channel", "step_key")
        .unique(["case_id", "channel"], keep="first")
    )
    live = _frame(
        "SELECT case_id, channel FROM strategy_handover WHERE status IN ('open', 'taken')",
        [],
        {"case_id": pl.Int64, "channel": pl.Utf8},
    )
    new = wanted.join(live, on=["case_id", "channel"], how="anti")
    _insert(
        "strategy_handover",
        new.with_columns(
            pl.lit(on).alias("created_on"),
            pl.lit("open").alias("status"),
            pl.lit("").alias("ref"),
            pl.lit("").alias("note"),
        ).select(
            "case_id", "channel", "created_on", "status", "segment_key", "step_key", "ref", "note"
        ),
    )
    cancelled = HandOver.objects.filter(status=HandOver.Status.OPEN, case__status="closed").update(
        status=HandOver.Status.CANCELLED, closed_at=timezone.now()
    )
    return new.height, cancelled


def strategy_eod_phase(ctx: EodPhaseContext) -> dict:
    """The `strategy` end-of-day phase (order 60, after promises, plans and escalations)."""
    if not ctx.is_latest:
        return {"skipped": "back-dated run"}
    return strategy_run(ctx.as_of)


__all__ = ["CaseDraw", "CaseTreatment", "DueAction", "case_facts", "strategy_run"]
