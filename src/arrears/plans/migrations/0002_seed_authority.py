from django.db import migrations

from arrears.plans.seed import AUTHORITY_SEED


def seed(apps, schema_editor):
    PlanAuthority = apps.get_model("plans", "PlanAuthority")
    for role, bp, months in AUTHORITY_SEED:
        # Never overwrite a row an administrator has already edited.
        PlanAuthority.objects.get_or_create(
            role=role, defaults={"max_discount_bp": bp, "max_term_months": months}
        )


def unseed(apps, schema_editor):
    PlanAuthority = apps.get_model("plans", "PlanAuthority")
    PlanAuthority.objects.filter(role__in=[r for r, _, _ in AUTHORITY_SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
