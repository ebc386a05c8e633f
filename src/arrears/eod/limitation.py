"""Statute of limitations: where the engine finds the events that restart the period.

RULES.md (Civil Code arts. 188, 195, 201–202): deadline = anchor + N years (29 Feb → 28 Feb),
anchor = the last installment's due date, moved to the latest restart event on or before the
as-of date. The engine reads restart events as one frame (loan_id, event_date, kind); this
module is the registry of the SQL that produces it. Today only payments restart the period;
the apps that record signed notices, acknowledgements, promises, plans and lawsuits register
a source here (in their AppConfig.ready) and the engine picks them up without change:

    from arrears.eod.limitation import register_restart_source
    register_restart_source(
        "notice_served",
        "SELECT loan_id, MAX(served_on) AS event_date FROM cases_notice"
        " WHERE served_on <= {as_of} AND signed GROUP BY loan_id",
    )

Each source is a SELECT of `loan_id` and `event_date` (the latest) grouped by loan, with `{as_of}` where
the as-of date literal goes; it must be valid on PostgreSQL and SQLite. Which kinds count is
configuration (EodConfig.restart_kinds).

Incremental runs (docs/eod.md): a source may put `{subset}` right after its WHERE conditions;
an incremental run fills it with `AND loan_id IN (…the loans being recomputed…)` so a big
table is not grouped whole, and a full run with nothing. Sources without it are read whole
and filtered afterwards, which is fine for the small tables of notices, promises and plans.
Kinds in LEDGER_KINDS change only together with `Loan.ledger_changed_at` (a payment is posted
through book.services, which marks the loan); every other kind is read whole on every run
and compared with what the previous run saw, so a back-dated or deleted event is noticed.
"""

from __future__ import annotations

import datetime as dt

from arrears.core.dates import add_years

_SOURCES: dict[str, str] = {}

# Restart kinds whose rows only change together with the loan's ledger_changed_at.
LEDGER_KINDS = frozenset({"payment"})
# What `{subset}` becomes in an incremental run (eod.incremental fills this temp table).
SUBSET_FILTER = " AND loan_id IN (SELECT loan_id FROM eod_recompute)"


def register_restart_source(kind: str, sql: str) -> None:
    """Add (or replace) the SQL that yields (loan_id, latest date) of one kind of restart event."""
    if "{as_of}" not in sql:
        raise ValueError("a restart source must filter on {as_of}")
    _SOURCES[kind] = sql


def restart_sources(kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    return {k: v for k, v in _SOURCES.items() if kinds is None or k in kinds}


def events_sql(
    as_of: dt.date, kinds: tuple[str, ...], *, subset: bool = False, ledger: bool | None = None
) -> str | None:
    """One UNION ALL query over the registered sources of the configured kinds, or None.

    subset: only the loans in the eod_recompute temp table (incremental runs).
    ledger: True only LEDGER_KINDS, False only the others, None all.
    """
    literal = f"'{as_of.isoformat()}'"  # a date object's ISO form: nothing to inject
    parts = []
    for i, (kind, sql) in enumerate(sorted(restart_sources(kinds).items())):
        if ledger is not None and (kind in LEDGER_KINDS) != ledger:
            continue
        inner = sql.format(as_of=literal, subset=SUBSET_FILTER if subset else "")
        part = f"SELECT loan_id, event_date, '{kind}' AS kind FROM ({inner}) AS src_{i}"
        if subset and "{subset}" not in sql:
            part += " WHERE loan_id IN (SELECT loan_id FROM eod_recompute)"
        parts.append(part)
    return " UNION ALL ".join(parts) if parts else None


def deadline(anchor: dt.date, years: int = 3) -> dt.date:
    """The last day a claim anchored on `anchor` can be brought; barred from the next day."""
    return add_years(anchor, years)


register_restart_source(
    "payment",
    # A waiver (减免) is the lender's act, not the debtor's: it restarts nothing.
    "SELECT loan_id, MAX(paid_on) AS event_date FROM book_payment"
    " WHERE paid_on <= {as_of} AND channel <> 'waiver'{subset} GROUP BY loan_id",
)
