"""Statute of limitations (诉讼时效): the restart registry and the rule, per loan and set-based.

The law (RULES.md; docs/eod.md "Limitation" states it with every source):

- Three years from the last installment's due date (Civil Code art. 188; SPC limitation
  provisions art. 4 for installment debt), counted so that the first day is not counted and
  29 February → 28 February (arts. 201–202); a period whose last day is a statutory holiday or
  a weekend ends on the next working day (art. 203, the State Council calendar in
  `core.CalendarDay`).
- Interruption (art. 195): a demand that reached the debtor, the debtor agreeing to perform,
  or a suit starts a full new period — but only while the period is still running. Events are
  therefore read in date order.
- After expiry (SPC limitation provisions art. 19) only the debtor's own act — paying, a
  written acknowledgement or promise, signing/sealing a collection notice — waives the defence
  and starts a new period ("revival"). A creditor's demand or suit after expiry changes nothing.
- A guarantor's act is the guarantor's, not the borrower's: it never touches the borrower's
  period (kept in the registry for the guarantee rules and for display).
- Twenty years from the day the right was infringed, whatever happened (art. 188): here the
  last due date, the day the whole debt was due and unpaid.

The registry. Every app that records restart events registers one SQL source per kind, in its
AppConfig.ready(); the engine, the incremental run and the case page read them all:

    from arrears.eod.limitation import register_restart_source
    register_restart_source(
        "lawsuit",
        "SELECT loan_id, filed_on AS event_date, 'creditor' AS actor, filed_on AS reached_on,"
        " docket AS ref FROM legal_suit WHERE filed_on <= {as_of}{subset}",
    )

A source yields EVERY event (no grouping), five columns in this order:

- `loan_id`, `event_date` — the day of the act;
- `actor` — 'debtor' (the borrower's own act), 'creditor' (a demand, a suit) or 'guarantor';
- `reached_on` — for a creditor's demand the day it reached the debtor (delivered, signed for,
  or a proven refusal, SPC art. 8), NULL while it has not; a suit's filing day; NULL for the
  others (a debtor's act takes effect on event_date);
- `ref` — a short label for people ("CN-2026-000012", a payment ID), may be NULL.

`{as_of}` (required) is where the as-of date literal goes, filtering on event_date; `{subset}`
may follow the WHERE conditions (an incremental run fills it with `AND loan_id IN (…)`). The
SQL must be valid on PostgreSQL and SQLite. `revive_only=True` registers a kind that matters
only after expiry (a signature on a notice: before expiry the notice interrupted when it reached
the debtor, and the later signature adds nothing). Which kinds count is configuration
(EodConfig.restart_kinds). Kinds in LEDGER_KINDS change only together with
`Loan.ledger_changed_at`; every other kind is read whole on every run and compared with what
the previous run saw (eod.incremental), so a back-dated or deleted event is noticed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from arrears.core.dates import add_years, is_working_day, next_working_day

_SOURCES: dict[str, str] = {}
_REVIVE_ONLY: set[str] = set()

DEBTOR, CREDITOR, GUARANTOR = "debtor", "creditor", "guarantor"
ACTORS = (DEBTOR, CREDITOR, GUARANTOR)
OUTER_YEARS = 20  # Civil Code art. 188: the longest protection, never interrupted

# Restart kinds whose rows only change together with the loan's ledger_changed_at.
LEDGER_KINDS = frozenset({"payment"})
# What `{subset}` becomes in an incremental run (eod.incremental fills this temp table).
SUBSET_FILTER = " AND loan_id IN (SELECT loan_id FROM eod_recompute)"
# The registry's columns, as the engine reads them (ref is for people only).
EVENTS_SCHEMA = {
    "loan_id": pl.Int64,
    "event_date": pl.Date,
    "kind": pl.String,
    "actor": pl.String,
    "reached_on": pl.Date,
    "revive_only": pl.Int64,  # 0/1: a kind registered revive_only
}


def register_restart_source(kind: str, sql: str, *, revive_only: bool = False) -> None:
    """Add (or replace) the SQL that yields every restart event of one kind (see above)."""
    if "{as_of}" not in sql:
        raise ValueError("a restart source must filter on {as_of}")
    _SOURCES[kind] = sql
    if revive_only:
        _REVIVE_ONLY.add(kind)
    else:
        _REVIVE_ONLY.discard(kind)


def unregister_restart_source(kind: str) -> None:
    _SOURCES.pop(kind, None)
    _REVIVE_ONLY.discard(kind)


def restart_sources(kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    return {
        k: v + (" [revive_only]" if k in _REVIVE_ONLY else "")
        for k, v in _SOURCES.items()
        if kinds is None or k in kinds
    }


def events_sql(
    as_of: dt.date,
    kinds: tuple[str, ...],
    *,
    subset: bool = False,
    ledger: bool | None = None,
    with_ref: bool = False,
) -> str | None:
    """One UNION ALL query over the registered sources of the configured kinds, or None.

    Columns: loan_id, event_date, kind, actor, reached_on, revive_only (0/1)[, ref].
    subset: only the loans in the eod_recompute temp table (incremental runs).
    ledger: True only LEDGER_KINDS, False only the others, None all.
    """
    literal = f"'{as_of.isoformat()}'"  # a date object's ISO form: nothing to inject
    parts = []
    for i, kind in enumerate(sorted(k for k in _SOURCES if k in kinds)):
        sql = _SOURCES[kind]
        if ledger is not None and (kind in LEDGER_KINDS) != ledger:
            continue
        inner = sql.format(as_of=literal, subset=SUBSET_FILTER if subset else "")
        ref = ", CAST(src_{i}.ref AS VARCHAR(100)) AS ref" if with_ref else ""
        part = (
            f"SELECT src_{i}.loan_id AS loan_id, src_{i}.event_date AS event_date,"
            f" '{kind}' AS kind, src_{i}.actor AS actor, src_{i}.reached_on AS reached_on,"
            f" {1 if kind in _REVIVE_ONLY else 0} AS revive_only{ref.format(i=i)}"
            f" FROM ({inner}) AS src_{i}"
        )
        if subset and "{subset}" not in sql:
            part += f" WHERE src_{i}.loan_id IN (SELECT loan_id FROM eod_recompute)"
        parts.append(part)
    return " UNION ALL ".join(parts) if parts else None


# --------------------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class Calendar:
    """Statutory holidays and make-up working days (调休上班) that are not plain weekdays."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def next_working(self, day: dt.date) -> dt.date:
        return next_working_day(day, self.holidays, self.workdays)


def deadline(anchor: dt.date, years: int = 3, calendar: Calendar | None = None) -> dt.date:
    """The last day a claim anchored on `anchor` can be brought; barred from the next day.

    anchor + N years (29 Feb → 28 Feb), moved past a holiday or weekend (art. 203).
    """
    return (calendar or Calendar()).next_working(add_years(anchor, years))


# --------------------------------------------------------------------------- one loan


@dataclass(frozen=True)
class Event:
    """One restart event as the registry gives it."""

    kind: str
    event_date: dt.date
    actor: str
    reached_on: dt.date | None = None
    ref: str = ""
    revive_only: bool = False

    @property
    def effective_on(self) -> dt.date | None:
        """The day it can act on the period: a demand when it reached the debtor."""
        if self.actor == CREDITOR:
            return self.reached_on
        if self.actor == DEBTOR:
            return self.event_date
        return None  # a guarantor's act is not the borrower's


@dataclass(frozen=True)
class Step:
    """What one event did: 'interrupted', 'revived' or why it did nothing."""

    event: Event
    effect: str  # interrupted | revived | no_effect_expired | no_effect_running | not_debtor | not_reached
    deadline: dt.date  # the deadline after the event


@dataclass(frozen=True)
class Limitation:
    """A loan's limitation as of a date: the deadline, and the story that led to it."""

    anchor: dt.date
    deadline: dt.date
    outer_limit: dt.date
    time_barred: bool
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def revived_by(self) -> Step | None:
        """The latest revival that still stands (the last one)."""
        return next((s for s in reversed(self.steps) if s.effect == "revived"), None)

    @property
    def barred_since(self) -> dt.date | None:
        return self.deadline + dt.timedelta(days=1) if self.time_barred else None


def evaluate(
    *,
    last_due: dt.date,
    events: Iterable[Event],
    as_of: dt.date,
    years: int = 3,
    calendar: Calendar | None = None,
    owes: bool = True,
) -> Limitation:
    """The limitation of one loan as of `as_of` — the rule the engine applies set-based.

    Events are read in date order (a demand by the day it reached the debtor); on one day a
    debtor's act comes after a creditor's. Each acts on the period as it stands then.
    """
    cal = calendar or Calendar()
    current = deadline(last_due, years, cal)
    outer = deadline(last_due, OUTER_YEARS, cal)
    steps: list[Step] = []

    def order(ev: Event):
        eff = ev.effective_on or ev.event_date
        return (eff, ev.actor == DEBTOR, ev.kind, ev.ref)

    for ev in sorted(events, key=order):
        eff = ev.effective_on
        if ev.actor == GUARANTOR:
            steps.append(Step(ev, "not_debtor", current))
            continue
        if eff is None or eff > as_of:
            steps.append(Step(ev, "not_reached", current))
            continue
        # Before the last due date the period has not begun: nothing to restart beyond it.
        day = max(eff, last_due)
        running = day <= current
        if ev.actor == CREDITOR:
            if running:
                current = max(current, deadline(day, years, cal))
                steps.append(Step(ev, "interrupted", current))
            else:
                steps.append(Step(ev, "no_effect_expired", current))
        elif ev.revive_only and running:
            steps.append(Step(ev, "no_effect_running", current))
        elif running:
            current = max(current, deadline(day, years, cal))
            steps.append(Step(ev, "interrupted", current))
        else:
            current = deadline(day, years, cal)
            steps.append(Step(ev, "revived", current))
    final = min(current, outer)
    return Limitation(
        anchor=last_due,
        deadline=final,
        outer_limit=outer,
        time_barred=owes and final < as_of,
        steps=tuple(steps),
    )


# --------------------------------------------------------------------------- set-based


# The years the set-based shift knows (a day outside them is only moved past weekends … not
# at all: no deadline of a loan book falls outside them).
SHIFT_YEARS = (1990, 2100)


@functools.lru_cache(maxsize=8)
def _shift_table(cal: Calendar) -> tuple[pl.Series, pl.Series]:
    """Every day off in SHIFT_YEARS and the working day a period ending on it ends on."""
    day, end = dt.date(SHIFT_YEARS[0], 1, 1), dt.date(SHIFT_YEARS[1], 12, 31)
    off, to = [], []
    while day <= end:
        if not is_working_day(day, cal.holidays, cal.workdays):
            off.append(day)
            to.append(cal.next_working(day))
        day += dt.timedelta(days=1)
    return pl.Series(off, dtype=pl.Date), pl.Series(to, dtype=pl.Date)


def _shift_to_working(day: pl.Expr, cal: Calendar) -> pl.Expr:
    """Move a Date column past holidays and weekends that are not make-up working days."""
    off, to = _shift_table(cal)
    return day.replace(off, to)


def _deadline_expr(day: pl.Expr, years: int, cal: Calendar) -> pl.Expr:
    """deadline() over a Date column: + N years (29 Feb → 28 Feb), then art. 203."""
    return _shift_to_working(day.dt.offset_by(f"{years}y"), cal)


def deadlines(
    last_due: pl.LazyFrame,
    events: pl.DataFrame,
    *,
    as_of: dt.date,
    years: int,
    kinds: Iterable[str],
    calendar: Calendar,
) -> pl.LazyFrame:
    """loan_id, limitation_deadline (Date) for every loan of `last_due` (loan_id, last_due Date).

    The rule of `evaluate`, set-based. Within a loan, sorted events form segments, each begun
    by a "starter" that opens a period whatever came before (the last due date, a debtor's act,
    or a signature after expiry). Inside a segment a creditor's demand interrupts while it comes
    before the deadline of the previous link of the chain; the first that does not ends the
    chain (the period ran out), and later demands in the segment are dead. A revive-only event
    (a signature) that comes after its segment's chain ran out revives: it becomes a starter,
    and the segments are worked out again — rarely more than one extra round.
    """
    cal = calendar
    base = last_due.select("loan_id", "last_due").filter(pl.col("last_due").is_not_null())
    ev = (
        events.lazy()
        .filter(pl.col("kind").is_in(list(kinds)) & (pl.col("actor") != GUARANTOR))
        .with_columns(
            pl.when(pl.col("actor") == CREDITOR)
            .then(pl.col("reached_on"))
            .otherwise(pl.col("event_date"))
            .alias("eff")
        )
        .filter(pl.col("eff").is_not_null() & (pl.col("eff") <= pl.lit(as_of)))
        .join(base, on="loan_id", how="inner")
        .select(
            "loan_id",
            pl.max_horizontal("eff", "last_due").alias("day"),
            (pl.col("actor") == DEBTOR).alias("debtor"),
            (pl.col("revive_only").fill_null(0) == 1).alias("revive_only"),
        )
    )
    # The last due date is the first starter of every loan.
    anchors = base.select(
        "loan_id",
        pl.col("last_due").alias("day"),
        pl.lit(True).alias("debtor"),
        pl.lit(False).alias("revive_only"),
    )
    rows = (
        pl.concat(
            [anchors.with_columns(pl.lit(0).alias("o")), ev.with_columns(pl.lit(1).alias("o"))]
        )
        .with_columns(
            (pl.col("debtor") & ~pl.col("revive_only")).alias("starter"),
            (~pl.col("debtor")).alias("creditor"),
        )
        .sort("loan_id", "day", "o", "debtor")
        .with_row_index("seq")
        .collect()
    )
    while True:
        seg = pl.col("starter").cast(pl.Int64).cum_sum().over("loan_id")
        worked = (
            rows.lazy()
            .with_columns(seg.alias("seg"))
            .with_columns(
                # The previous link's day: the latest starter or creditor row before this one
                # in the segment (revive-only rows are not links).
                pl.when(pl.col("revive_only"))
                .then(None)
                .otherwise(pl.col("day"))
                .shift(1)
                .forward_fill()
                .over("loan_id", "seg")
                .alias("prev_link")
            )
            .with_columns(
                (
                    pl.col("prev_link").is_not_null()
                    & (pl.col("day") > _deadline_expr(pl.col("prev_link"), years, cal))
                ).alias("gap")
            )
            .with_columns(
                # The chain breaks at the first row (of any kind) past its link's deadline;
                # creditor rows from there on are dead.
                pl.col("gap").cast(pl.Int8).cum_max().over("loan_id", "seg").alias("broken")
            )
            .with_columns(
                (pl.col("starter") | (pl.col("creditor") & (pl.col("broken") == 0))).alias("link"),
                (pl.col("revive_only") & (pl.col("broken") == 1)).alias("reviver"),
            )
            .collect()
        )
        # The first reviver of each segment becomes a starter; then work the segments again.
        first = (
            worked.filter(pl.col("reviver"))
            .group_by("loan_id", "seg")
            .agg(pl.col("seq").min())
            .get_column("seq")
            .to_list()
        )
        if not first:
            break
        rows = rows.with_columns(
            (pl.col("starter") | pl.col("seq").is_in(first)).alias("starter"),
            (pl.col("revive_only") & ~pl.col("seq").is_in(first)).alias("revive_only"),
        )
    last_link = worked.filter(pl.col("link")).group_by("loan_id").agg(pl.col("day").max())
    return (
        last_link.lazy()
        .join(base, on="loan_id", how="inner")
        .select(
            "loan_id",
            pl.min_horizontal(
                _deadline_expr(pl.col("day"), years, cal),
                _deadline_expr(pl.col("last_due"), OUTER_YEARS, cal),
            ).alias("limitation_deadline"),
        )
    )


# --------------------------------------------------------------------------- the ledger's source

register_restart_source(
    "payment",
    # A waiver (减免) is the lender's act, not the debtor's: it restarts nothing. A guarantor's
    # payment is the guarantor's own act (it interrupts nothing for the borrower); money the
    # court enforces is the creditor's proceedings, not the debtor's will, so after expiry it
    # revives nothing.
    "SELECT loan_id, paid_on AS event_date,"
    " CASE channel WHEN 'guarantor' THEN 'guarantor' WHEN 'court' THEN 'creditor'"
    " ELSE 'debtor' END AS actor,"
    " CASE channel WHEN 'court' THEN paid_on ELSE NULL END AS reached_on,"
    " external_id AS ref FROM book_payment"
    " WHERE paid_on <= {as_of} AND channel <> 'waiver'{subset}",
)
