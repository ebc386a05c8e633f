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
"""

from __future__ import annotations

import datetime as dt

from arrears.core.dates import add_years

_SOURCES: dict[str, str] = {}


def register_restart_source(kind: str, sql: str) -> None:
    """Add (or replace) the SQL that yields (loan_id, latest date) of one kind of restart event."""
    if "{as_of}" not in sql:
        raise ValueError("a restart source must filter on {as_of}")
    _SOURCES[kind] = sql


def restart_sources(kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    return {k: v for k, v in _SOURCES.items() if kinds is None or k in kinds}


def events_sql(as_of: dt.date, kinds: tuple[str, ...]) -> str | None:
    """One UNION ALL query over the registered sources of the configured kinds, or None."""
    literal = f"'{as_of.isoformat()}'"  # a date object's ISO form: nothing to inject
    parts = [
        f"SELECT loan_id, event_date, '{kind}' AS kind FROM ("
        + sql.format(as_of=literal)
        + f") AS src_{i}"
        for i, (kind, sql) in enumerate(sorted(restart_sources(kinds).items()))
    ]
    return " UNION ALL ".join(parts) if parts else None


def deadline(anchor: dt.date, years: int = 3) -> dt.date:
    """The last day a claim anchored on `anchor` can be brought; barred from the next day."""
    return add_years(anchor, years)


register_restart_source(
    "payment",
    # A waiver (减免) is the lender's act, not the debtor's: it restarts nothing.
    "SELECT loan_id, MAX(paid_on) AS event_date FROM book_payment"
    " WHERE paid_on <= {as_of} AND channel <> 'waiver' GROUP BY loan_id",
)
