"""Load the seed's debtor types and general advice into the editable playbook tables.

From here on the tables, not cases/playbook_seed.py, are what managers edit. The reverse
removes the seeded codes (a type a case still uses is protected and stops the reverse).
"""

from django.db import migrations


def seed(apps, schema_editor):
    from arrears.cases.playbook_seed import DEBTOR_TYPES, GENERAL_ADVICE

    DebtorType = apps.get_model("cases", "DebtorType")
    CollectionAdvice = apps.get_model("cases", "CollectionAdvice")
    for t in DEBTOR_TYPES:
        DebtorType.objects.update_or_create(
            code=t["code"],
            defaults={
                "name_zh": t["name_zh"],
                "name_en": t["name_en"],
                "traits_zh": t["traits_zh"],
                "traits_en": t["traits_en"],
                "example_zh": t["example_zh"],
                "example_en": t["example_en"],
                "techniques_zh": list(t["techniques_zh"]),
                "techniques_en": list(t["techniques_en"]),
                "sort_order": t["sort_order"],
                "active": True,
            },
        )
    for order, a in enumerate(GENERAL_ADVICE, start=1):
        CollectionAdvice.objects.update_or_create(
            code=a["code"], defaults={"zh": a["zh"], "en": a["en"], "sort_order": order}
        )


def unseed(apps, schema_editor):
    from arrears.cases.playbook_seed import DEBTOR_TYPES, GENERAL_ADVICE

    apps.get_model("cases", "DebtorType").objects.filter(
        code__in=[t["code"] for t in DEBTOR_TYPES]
    ).delete()
    apps.get_model("cases", "CollectionAdvice").objects.filter(
        code__in=[a["code"] for a in GENERAL_ADVICE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_playbooks_complaints_death_whereabouts")]

    operations = [migrations.RunPython(seed, unseed)]
