"""Make the case the one place that says who works it (data; the schema is 0004).

Until now scoping read the loan's assignment and the case kept a copy taken when it opened.
For every open case whose copy differs from its loan's, the loan's (what users saw) is written
onto the case and the move is recorded as a `migrated` history row. Every case opened after an
earlier case of the same loan is linked to that case (previous_case). Set-based: a few UPDATE
and INSERT … SELECT statements, no per-case loop.

The reverse only unlinks previous cases and drops the migrated rows: the case assignment it
wrote was what the loans said, so there is nothing to put back.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

SLOTS = ("team", "collector", "field_agent", "legal_officer", "agency")


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Loan = apps.get_model("book", "Loan")
    CaseAssignment = apps.get_model("cases", "CaseAssignment")
    loan = Loan.objects.filter(pk=OuterRef("loan_id"))
    today = timezone.localdate()
    now = timezone.now()
    rows = Case.objects.filter(status="open").values(
        "pk", *(f"{s}_id" for s in SLOTS), *(f"loan__{s}_id" for s in SLOTS)
    )
    # NULL-safe comparison of five columns is clearer here than in portable SQL; the rows are
    # plain tuples streamed once.
    stale = [r for r in rows.iterator() if any(r[f"{s}_id"] != r[f"loan__{s}_id"] for s in SLOTS)]
    history = [
        CaseAssignment(
            case_id=row["pk"],
            kind="migrated",
            on=today,
            at=now,
            source="system",
            reason="scoping moved from the loan to the case",
            from_team_id=row["team_id"],
            to_team_id=row["loan__team_id"],
            from_collector_id=row["collector_id"],
            to_collector_id=row["loan__collector_id"],
            from_field_agent_id=row["field_agent_id"],
            to_field_agent_id=row["loan__field_agent_id"],
            from_legal_officer_id=row["legal_officer_id"],
            to_legal_officer_id=row["loan__legal_officer_id"],
        )
        for row in stale
    ]
    CaseAssignment.objects.bulk_create(history, batch_size=1000)
    ids = [h.case_id for h in history]
    for start in range(0, len(ids), 500):
        Case.objects.filter(pk__in=ids[start : start + 500]).update(
            **{f"{slot}_id": Subquery(loan.values(f"{slot}_id")[:1]) for slot in SLOTS}
        )
    earlier = Case.objects.filter(loan_id=OuterRef("loan_id"), pk__lt=OuterRef("pk"))
    Case.objects.filter(Exists(earlier)).update(
        previous_case_id=Subquery(earlier.order_by("-pk").values("pk")[:1])
    )


def backward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    apps.get_model("cases", "CaseAssignment").objects.filter(kind="migrated").delete()
    Case.objects.exclude(previous_case_id=None).update(previous_case_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_assignment_history_assists_previous_case"),
        ("book", "0006_charge_external_ref_failed_deduction_db_default"),
    ]
    operations = [migrations.RunPython(forward, backward)]
