"""A stand-in for the apps that record restart events, for the property tests: one table,
three registered kinds — a debtor's act (or a guarantor's), a creditor's demand
that may or may not have reached the debtor, and a revive-only signature."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from hypothesis import strategies as st

from arrears.eod import limitation

SOURCES = {
    # (Under the kind `plan`, so a test may keep its own `acknowledgement` source.)
    "plan": (
        "SELECT loan_id, event_date, actor, reached_on, NULL AS ref FROM eod_test_event"
        " WHERE kind = 'ack' AND event_date <= {as_of}",
        False,
    ),
    "lawsuit": (
        "SELECT loan_id, event_date, 'creditor' AS actor, reached_on, NULL AS ref"
        " FROM eod_test_event WHERE kind = 'demand' AND event_date <= {as_of}",
        False,
    ),
    "notice_signed": (
        "SELECT loan_id, event_date, 'debtor' AS actor, CAST(NULL AS DATE) AS reached_on,"
        " NULL AS ref FROM eod_test_event WHERE kind = 'sign' AND event_date <= {as_of}",
        True,
    ),
}

# (kind, actor, days from the event to its reaching the debtor or None)
event_kinds = st.one_of(
    st.tuples(st.just("ack"), st.sampled_from(["debtor", "guarantor"]), st.none()),
    st.tuples(
        st.just("demand"),
        st.just("creditor"),
        st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
    ),
    st.tuples(st.just("sign"), st.just("debtor"), st.none()),
)


def install(monkeypatch) -> None:
    """Create the table and register the kinds (undone by monkeypatch and the rollback)."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE eod_test_event (loan_id BIGINT NOT NULL, kind VARCHAR(10) NOT NULL,"
            " event_date DATE NOT NULL, actor VARCHAR(10) NOT NULL, reached_on DATE)"
        )
    monkeypatch.setattr(limitation, "_REVIVE_ONLY", set(limitation._REVIVE_ONLY))
    for kind, (sql, revive_only) in SOURCES.items():
        monkeypatch.setitem(limitation._SOURCES, kind, sql)
        if revive_only:
            limitation._REVIVE_ONLY.add(kind)
        else:
            limitation._REVIVE_ONLY.discard(kind)


def add(loan, spec, day: dt.date) -> None:
    kind, actor, reach = spec
    reached = None if reach is None else day + dt.timedelta(days=reach)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO eod_test_event VALUES (%s, %s, %s, %s, %s)",
            [loan.pk, kind, day, actor, reached],
        )


def remove(loan) -> None:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM eod_test_event WHERE loan_id = %s", [loan.pk])
