"""Loan.written_off_on: the day a loan was written off (核销, the writeoff app), indexed so
the end-of-day split of book and written-off figures finds the few written-off loans fast."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("book", "0008_merge_guarantees_and_schedule_conventions"),
    ]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="written_off_on",
            field=models.DateField(blank=True, null=True, verbose_name="written off on"),
        ),
        migrations.AddIndex(
            model_name="loan",
            index=models.Index(fields=["written_off_on"], name="loan_written_off_on_idx"),
        ),
    ]
