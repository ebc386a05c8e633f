"""The published loan prime rates (LPR) since the August 2019 reform, month by month.

Source: the monthly LPR announcements of the National Interbank Funding Center, authorised by
the People's Bank of China, published on the 20th of each month (moved to the next working day;
only weekend moves are modelled here — in every month where the rate changed, that is the real
announcement date). Values end with October 2025, the last month known reliably when this was
written; later months are carried forward by `lpr_in_force` and flagged until an admin enters
them (`arrears rulepack lpr-set`).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# (first month, last month, one-year %, five-year %): runs of unchanged announcements.
RUNS = [
    ("2019-08", "2019-08", "4.25", "4.85"),
    ("2019-09", "2019-10", "4.20", "4.85"),
    ("2019-11", "2020-01", "4.15", "4.80"),
    ("2020-02", "2020-03", "4.05", "4.75"),
    ("2020-04", "2021-11", "3.85", "4.65"),
    ("2021-12", "2021-12", "3.80", "4.65"),
    ("2022-01", "2022-04", "3.70", "4.60"),
    ("2022-05", "2022-07", "3.70", "4.45"),
    ("2022-08", "2023-05", "3.65", "4.30"),
    ("2023-06", "2023-07", "3.55", "4.20"),
    ("2023-08", "2024-01", "3.45", "4.20"),
    ("2024-02", "2024-06", "3.45", "3.95"),
    ("2024-07", "2024-09", "3.35", "3.85"),
    ("2024-10", "2025-04", "3.10", "3.60"),
    ("2025-05", "2025-10", "3.00", "3.50"),
]


def _months(first: str, last: str):
    y, m = (int(p) for p in first.split("-"))
    end = tuple(int(p) for p in last.split("-"))
    while (y, m) <= end:
        yield dt.date(y, m, 1)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _published(month: dt.date) -> dt.date:
    day = month.replace(day=20)
    return day + dt.timedelta(days={5: 2, 6: 1}.get(day.weekday(), 0))


def load(apps, schema_editor):
    LprRate = apps.get_model("compliance", "LprRate")
    rows = []
    for first, last, one, five in RUNS:
        for month in _months(first, last):
            published = _published(month)
            rows.append(
                LprRate(
                    month=month,
                    published_on=published,
                    one_year_rate=Decimal(one) / 100,
                    five_year_rate=Decimal(five) / 100,
                    source=f"NIFC/PBOC LPR announcement {published:%Y-%m-%d}",
                    carried_forward=False,
                )
            )
    LprRate.objects.bulk_create(rows)


def unload(apps, schema_editor):
    LprRate = apps.get_model("compliance", "LprRate")
    LprRate.objects.filter(source__startswith="NIFC/PBOC LPR announcement").delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_ship_default_packs")]

    operations = [migrations.RunPython(load, unload)]
