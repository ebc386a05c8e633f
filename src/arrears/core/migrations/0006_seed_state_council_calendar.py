"""Data: the State Council holiday and make-up working days, 2015–2026 (core/calendar_seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from arrears.core.calendar_seed import seed_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    CalendarDay.objects.bulk_create(
        [CalendarDay(**row) for row in seed_rows() if row["day"] not in existing]
    )


def unseed(apps, schema_editor):
    from arrears.core.calendar_seed import seed_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(day__in=[r["day"] for r in seed_rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_calendar_day")]

    operations = [migrations.RunPython(seed, unseed)]
