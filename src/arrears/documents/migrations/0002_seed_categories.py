from django.db import migrations

from arrears.documents.seed import CATEGORIES


def seed(apps, schema_editor):
    Category = apps.get_model("documents", "DocumentCategory")
    for order, (code, zh, en, types) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "allowed_types": types,
                "sort_order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("documents", "DocumentCategory")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
