"""The shipped payment probabilities and channel minutes (the seed's rule of thumb).

The seed: debts under two years old are ~80% recoverable, over two years ~20%, and age
matters more than amount. So the younger the bucket the higher the chance, 0.80 at M7+ up
to two years (730 DPD), 0.20 after; two or more broken promises take a third off.
"""

from __future__ import annotations

from decimal import Decimal

D = Decimal
BY_BUCKET = (
    ("M0", D("0.9500")),
    ("M1", D("0.9200")),
    ("M2", D("0.9000")),
    ("M3", D("0.8800")),
    ("M4", D("0.8600")),
    ("M5", D("0.8400")),
    ("M6", D("0.8200")),
    ("M7+", D("0.8000")),
)
OVER_TWO_YEARS_DPD = 730
OVER_TWO_YEARS = D("0.2000")
BROKEN_FACTOR = D("2") / D("3")
MINUTES = {"call": 5, "sms": 1, "email": 1, "letter": 3, "visit": 60}


def seed_rows() -> list[dict]:
    rows = []
    for bucket, p in BY_BUCKET:
        rows.append(dict(bucket=bucket, min_dpd=0, broken_min=0, broken_max=1, probability=p))
        rows.append(
            dict(
                bucket=bucket,
                min_dpd=0,
                broken_min=2,
                broken_max=None,
                probability=(p * BROKEN_FACTOR).quantize(D("0.0001")),
            )
        )
    rows.append(
        dict(
            bucket="M7+",
            min_dpd=OVER_TWO_YEARS_DPD,
            broken_min=0,
            broken_max=None,
            probability=OVER_TWO_YEARS,
        )
    )
    return rows


def seed(PaymentProbability, ChannelEffort) -> None:
    """Fill empty tables (models passed in so a data migration can use its historical ones)."""
    if not PaymentProbability.objects.exists():
        PaymentProbability.objects.bulk_create(
            [PaymentProbability(source="seed", **r) for r in seed_rows()]
        )
    for channel, minutes in MINUTES.items():
        ChannelEffort.objects.get_or_create(channel=channel, defaults={"minutes": minutes})
