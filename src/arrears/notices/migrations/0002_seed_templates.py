from django.db import migrations

from arrears.notices.seed import TEMPLATES


def seed(apps, schema_editor):
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    for code, language, title, body in TEMPLATES:
        NoticeTemplate.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "language": language,
                "title": title,
                "body": body,
                "active": True,
                "note": "shipped with Arrears",
            },
        )


def unseed(apps, schema_editor):
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    NoticeTemplate.objects.filter(
        code__in=[t[0] for t in TEMPLATES], version=1, notices__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
