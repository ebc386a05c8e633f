"""Commission tiers cover their range with no gap or overlap; the error names the tiers."""

from __future__ import annotations

from decimal import Decimal

from arrears.agencies.rules import (
    Tier,
    check_tiers,
    commission_fen,
    ip_allowed,
    parse_tier_lines,
    tier_for,
)

R = Decimal("0.1")
BUCKETS = ["M0", "M1", "M2", "M3+"]


def test_a_sound_dpd_plan_has_no_problem_and_every_day_finds_one_tier():
    tiers = [Tier(0, 30, rate=R), Tier(30, 90, rate=R), Tier(90, None, rate=Decimal("0.2"))]
    assert check_tiers("dpd", tiers) == []
    for dpd, low in ((0, 0), (29, 0), (30, 30), (89, 30), (90, 90), (5000, 90)):
        t = tier_for("dpd", tiers, dpd=dpd, bucket="", product="", owed_fen=0)
        assert t.low == low


def test_a_gap_and_an_overlap_are_named():
    gap = [Tier(0, 30, rate=R), Tier(40, None, rate=R)]
    assert check_tiers("dpd", gap) == ["gap between tiers [0, 30) and [40, ∞) (30 to 40)"]
    overlap = [Tier(0, 60, rate=R), Tier(30, None, rate=R)]
    assert check_tiers("dpd", overlap) == ["tiers [0, 60) and [30, ∞) overlap"]
    # Amount tiers are held in fen and named in yuan.
    late = [Tier(10_00, None, rate=R)]
    assert check_tiers("amount", late) == ["gap before tier [10.00, ∞): the first tier starts at 0"]
    closed = [Tier(0, 5_000_00, rate=R)]
    assert check_tiers("amount", closed) == [
        "gap after tier [0.00, 5,000.00): the last tier has no upper end"
    ]


def test_bucket_tiers_name_every_bucket_once():
    assert check_tiers("bucket", [Tier(value=b, rate=R) for b in BUCKETS], buckets=BUCKETS) == []
    problems = check_tiers(
        "bucket",
        [Tier(value="M1", rate=R), Tier(value="M1", rate=R), Tier(value="M9", rate=R)],
        buckets=BUCKETS,
    )
    assert problems == [
        "tier M1 is given 2 times (tiers overlap)",
        "no tier for bucket M0, M2, M3+ (gap)",
        "tier M9: no such bucket",
    ]


def test_a_product_without_its_own_tier_takes_the_catch_all():
    tiers = [Tier(value="CARLOAN", rate=Decimal("0.05")), Tier(value="", rate=R)]
    assert check_tiers("product", tiers) == []
    assert tier_for("product", tiers, dpd=0, bucket="", product="MICRO", owed_fen=0).rate == R


def test_commission_is_half_up_to_the_fen():
    assert commission_fen(33_33, Decimal("0.15")) == 500  # 499.95 fen -> 500
    assert commission_fen(1, Decimal("0.5")) == 1  # 0.5 fen rounds up
    assert commission_fen(123_456_78, Decimal("0.123456")) == 1_524_148  # 1,524,148.42


def test_tier_lines_are_read_back_in_yuan_for_amounts():
    tiers = parse_tier_lines("amount", "0-5000 12%\n5000- 0.1")
    assert [(t.low, t.high, t.rate) for t in tiers] == [
        (0, 500_000, Decimal("0.12")),
        (500_000, None, Decimal("0.1")),
    ]


def test_ip_ranges():
    assert ip_allowed("203.0.113.9", []) is True
    assert ip_allowed("203.0.113.9", ["203.0.113.0/24"]) is True
    assert ip_allowed("198.51.100.1", ["203.0.113.0/24"]) is False
    assert ip_allowed(None, ["203.0.113.0/24"]) is False
