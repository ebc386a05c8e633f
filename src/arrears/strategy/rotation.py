"""The strategies' holding periods for rotation (轮换, cases/rotation.py).

A team rotates only when a manager has set its `rotation_days` (the switch, and the period
when a segment names none); then a case's period is its segment's `holding_days` (its
CaseTreatment, written at end-of-day before rotation runs) counted from the day it entered
the segment, else the team's days. A case the strategies have not treated yet falls back to
the team's days, as without strategies.
"""

from __future__ import annotations

HOLDING_SQL = (
    "SELECT c.id AS case_id,"
    " CASE WHEN t.rotation_days IS NULL THEN NULL"
    " WHEN ct.holding_days > 0 THEN ct.holding_days"
    " ELSE t.rotation_days END AS holding_days,"
    " CASE WHEN t.rotation_days IS NOT NULL AND ct.holding_days > 0 THEN ct.entered_on"
    " END AS entered_on"
    " FROM cases_case c"
    " LEFT JOIN core_team t ON t.id = c.team_id"
    " LEFT JOIN strategy_casetreatment ct ON ct.case_id = c.id"
    " WHERE c.status = 'open'"
)


def strategy_holding_periods() -> str:
    return HOLDING_SQL
