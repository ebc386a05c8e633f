"""Writes to cases. The end-of-day run opens, updates and closes cases here, set-based."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

_SNAP = "eod_loansnapshot"


@transaction.atomic
def cases_sync(*, as_of: dt.date) -> tuple[int, int]:
    """Bring cases in line with the snapshot of `as_of`; return (opened, closed).

    - an overdue loan (DPD > 0) without an open case gets one, assignment copied from the loan;
    - an open case whose loan is back to DPD 0 closes: `paid_off` when nothing at all is left,
      otherwise `cured`;
    - open cases take the day's DPD and bucket, and a bucket change is appended to the history.
    Whole-table SQL on the day's snapshot (identical on PostgreSQL and SQLite): no per-loan loop.
    Running it twice for the same day changes nothing the second time.
    """
    now = timezone.now()
    with connection.cursor() as cur:
        changed = (
            f"SELECT c.id FROM cases_case c JOIN {_SNAP} s"
            " ON s.loan_id = c.loan_id AND s.as_of = %s"
            " WHERE c.status = 'open' AND c.bucket <> s.bucket"
        )
        # A rerun of the same day after the book changed replaces that day's history rows.
        cur.execute(
            f"DELETE FROM cases_casebuckethistory WHERE as_of = %s AND case_id IN ({changed})",
            [as_of, as_of],
        )
        cur.execute(
            "INSERT INTO cases_casebuckethistory (case_id, as_of, bucket, dpd)"
            f" SELECT c.id, %s, s.bucket, s.dpd FROM cases_case c JOIN {_SNAP} s"
            " ON s.loan_id = c.loan_id AND s.as_of = %s"
            " WHERE c.status = 'open' AND c.bucket <> s.bucket",
            [as_of, as_of],
        )
        cur.execute(
            "UPDATE cases_case SET status = 'closed', closed_on = %s, updated_at = %s,"
            " dpd = 0, bucket = s.bucket,"
            " close_reason = CASE WHEN s.outstanding_principal_fen = 0 AND s.total_due_fen = 0"
            " THEN 'paid_off' ELSE 'cured' END"
            f" FROM {_SNAP} s"
            " WHERE s.loan_id = cases_case.loan_id AND s.as_of = %s"
            " AND cases_case.status = 'open' AND s.dpd = 0",
            [as_of, now, as_of],
        )
        closed = cur.rowcount
        cur.execute(
            "UPDATE cases_case SET dpd = s.dpd, bucket = s.bucket, updated_at = %s"
            f" FROM {_SNAP} s"
            " WHERE s.loan_id = cases_case.loan_id AND s.as_of = %s"
            " AND cases_case.status = 'open'"
            " AND (cases_case.dpd <> s.dpd OR cases_case.bucket <> s.bucket)",
            [now, as_of],
        )
        cur.execute(
            "INSERT INTO cases_case (loan_id, borrower_id, opened_on, status, close_reason,"
            " bucket, dpd, team_id, collector_id, field_agent_id, legal_officer_id, agency_id,"
            " created_at, updated_at)"
            " SELECT s.loan_id, l.borrower_id, %s, 'open', '', s.bucket, s.dpd, l.team_id,"
            " l.collector_id, l.field_agent_id, l.legal_officer_id, l.agency_id, %s, %s"
            f" FROM {_SNAP} s JOIN book_loan l ON l.id = s.loan_id"
            " WHERE s.as_of = %s AND s.dpd > 0 AND l.status <> 'written_off'"
            " AND NOT EXISTS (SELECT 1 FROM cases_case c"
            " WHERE c.loan_id = s.loan_id AND c.status = 'open')",
            [as_of, now, now, as_of],
        )
        opened = cur.rowcount
        if opened and connection.vendor == "postgresql":
            cur.execute("ANALYZE cases_case")  # see eod.services: keep plans sane after bulk
        cur.execute(
            "INSERT INTO cases_casebuckethistory (case_id, as_of, bucket, dpd)"
            " SELECT c.id, %s, c.bucket, c.dpd FROM cases_case c"
            " WHERE c.status = 'open' AND c.opened_on = %s AND NOT EXISTS"
            " (SELECT 1 FROM cases_casebuckethistory h WHERE h.case_id = c.id AND h.as_of = %s)",
            [as_of, as_of, as_of],
        )
    return opened, closed
