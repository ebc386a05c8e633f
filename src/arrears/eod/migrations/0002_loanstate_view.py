"""The current state is a view over the latest day's snapshot (one truth, nothing to sync)."""

from django.db import migrations

COLUMNS = (
    "id, as_of, loan_id, dpd, bucket, classification, overdue_principal_fen, "
    "overdue_interest_fen, penalty_fen, fees_fen, outstanding_principal_fen, total_due_fen, "
    "limitation_deadline, time_barred"
)

CREATE = (
    f"CREATE VIEW eod_loanstate AS SELECT {COLUMNS} FROM eod_loansnapshot "
    "WHERE as_of = (SELECT MAX(as_of) FROM eod_loansnapshot)"
)


class Migration(migrations.Migration):
    dependencies = [("eod", "0001_runs_snapshots_state")]

    operations = [migrations.RunSQL(CREATE, "DROP VIEW IF EXISTS eod_loanstate")]
