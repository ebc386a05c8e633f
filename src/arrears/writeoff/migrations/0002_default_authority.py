"""Default write-off authority: a manager approves batches up to 500,000.00 yuan, an
administrator without limit. Administrators change it at /writeoff/authority/."""

from django.db import migrations

DEFAULTS = {"manager": 50_000_000, "admin": None}


def seed(apps, schema_editor):
    Authority = apps.get_model("writeoff", "WriteOffAuthority")
    for role, limit in DEFAULTS.items():
        Authority.objects.get_or_create(role=role, defaults={"max_total_fen": limit})


def unseed(apps, schema_editor):
    apps.get_model("writeoff", "WriteOffAuthority").objects.filter(role__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("writeoff", "0001_proposals_authority_ledger")]
    operations = [migrations.RunPython(seed, unseed)]
