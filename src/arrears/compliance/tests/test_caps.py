"""Interest caps and the LPR table."""

import datetime as dt
from decimal import Decimal

import pytest

from arrears.compliance import errors
from arrears.compliance.caps import check_loan_terms, private_lending_cap, rate_cap_for
from arrears.compliance.errors import ComplianceError
from arrears.compliance.models import LprRate
from arrears.compliance.selectors import lpr_in_force, pack_current
from arrears.compliance.services import lpr_set, rulepack_revise
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_lpr_table_ships_the_published_values():
    assert LprRate.objects.get(month=D(2019, 8, 1)).one_year_rate == Decimal("0.0425")
    assert LprRate.objects.get(month=D(2020, 4, 1)).one_year_rate == Decimal("0.0385")
    assert LprRate.objects.get(month=D(2024, 10, 1)).one_year_rate == Decimal("0.0310")
    assert LprRate.objects.get(month=D(2024, 10, 1)).published_on == D(2024, 10, 21)
    assert LprRate.objects.get(month=D(2025, 5, 1)).one_year_rate == Decimal("0.0300")
    assert LprRate.objects.get(month=D(2025, 5, 1)).five_year_rate == Decimal("0.0350")
    # One row a month, none missing, from the reform to the last known month.
    assert LprRate.objects.count() == 75
    assert not LprRate.objects.filter(carried_forward=True).exists()


def test_the_rate_in_force_changes_on_the_announcement_day():
    assert lpr_in_force(D(2024, 10, 20)).one_year_rate == Decimal("0.0335")
    assert lpr_in_force(D(2024, 10, 21)).one_year_rate == Decimal("0.0310")
    assert lpr_in_force(D(2019, 8, 19)) is None


def test_after_the_table_ends_the_last_value_is_carried_forward_and_flagged():
    assert not lpr_in_force(D(2025, 11, 1)).carried_forward
    later = lpr_in_force(D(2026, 3, 5))
    assert later.one_year_rate == Decimal("0.0300") and later.carried_forward


def test_private_lending_cap_is_four_times_the_lpr_at_the_contract_date():
    assert private_lending_cap(D(2024, 10, 20)) == Decimal("0.1340")
    assert private_lending_cap(D(2024, 10, 21)) == Decimal("0.1240")
    assert private_lending_cap(D(2025, 6, 1)) == Decimal("0.1200")
    with pytest.raises(ComplianceError) as exc:
        private_lending_cap(D(2019, 1, 1))
    assert exc.value.code == errors.LPR_MISSING


def test_cap_per_product_type():
    assert rate_cap_for("microloan", D(2026, 1, 10)).rate == Decimal("0.24")
    assert rate_cap_for("private", D(2025, 6, 1)).rate == Decimal("0.1200")
    assert rate_cap_for("private", D(2018, 6, 1)).rate == Decimal(
        "0.24"
    )  # before the 2020 revision
    assert rate_cap_for("bank", D(2026, 1, 10)) is None
    assert rate_cap_for("consumer", D(2026, 1, 10)) is None


def test_microloan_cap_is_configurable(people):
    pack = pack_current("cn_default")
    caps = dict(pack.rules.get(rule_id="CN.INTEREST_CAP").parameters["caps"])
    caps["microloan"] = [*caps["microloan"], {"from": "2028-01-01", "lpr_multiple": "4"}]
    v2 = rulepack_revise(
        pack=pack,
        changes={"rules": {"CN.INTEREST_CAP": {"parameters": {"caps": caps}}}},
        actor=people["alice"],
    )
    assert rate_cap_for("microloan", D(2027, 12, 31), pack=v2).rate == Decimal("0.24")
    assert rate_cap_for("microloan", D(2028, 1, 1), pack=v2).rate == Decimal("0.1200")


def test_loan_terms_within_the_cap_have_no_problems():
    assert check_loan_terms("microloan", D(2026, 1, 10), Decimal("0.18"), Decimal("0.24")) == []
    assert check_loan_terms("bank", D(2026, 1, 10), Decimal("0.36"), Decimal("0.54")) == []


def test_loan_terms_over_the_cap_name_it():
    problems = check_loan_terms("microloan", D(2026, 1, 10), Decimal("0.20"), Decimal("0.30"))
    assert [(p.field, p.rule_id, p.cap) for p in problems] == [
        ("penalty_rate", "CN.INTEREST_CAP", Decimal("0.24"))
    ]
    assert "24.00%" in problems[0].message_en and "30.00%" in problems[0].message_en
    private = check_loan_terms("private", D(2025, 6, 1), Decimal("0.1201"), None)
    assert private[0].field == "annual_rate" and private[0].cap == Decimal("0.1200")
    assert "LPR" in private[0].message_en and "LPR" in private[0].message_zh


def test_the_products_own_cap_also_applies():
    problems = check_loan_terms(
        "bank", D(2026, 1, 10), Decimal("0.12"), Decimal("0.18"), product_cap=Decimal("0.15")
    )
    assert [(p.field, p.rule_id) for p in problems] == [("penalty_rate", "product.rate_cap")]


def test_admin_enters_a_new_lpr_month_audited(people):
    row = lpr_set(
        month=D(2025, 11, 1),
        one_year_rate=Decimal("0.0300"),
        five_year_rate=Decimal("0.0350"),
        source="NIFC announcement 2025-11-20",
        actor=people["alice"],
    )
    assert row.published_on == D(2025, 11, 20)
    assert AuditEntry.objects.get(event="lpr.set").actor == people["alice"]
    with pytest.raises(ComplianceError):
        lpr_set(
            month=D(2025, 12, 1),
            one_year_rate=Decimal("3.0"),
            five_year_rate=Decimal("0.035"),
            source="x",
            actor=people["alice"],
        )
    with pytest.raises(ComplianceError) as exc:
        lpr_set(
            month=D(2025, 12, 1),
            one_year_rate=Decimal("0.03"),
            five_year_rate=Decimal("0.035"),
            source="x",
            actor=people["mia"],
        )
    assert exc.value.code == errors.NOT_PERMITTED
