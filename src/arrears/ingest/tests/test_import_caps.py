"""The loans import checks each new loan's rates against its product type's interest cap
(compliance.caps.check_loan_terms): a rate over the cap is a row error naming the cap."""

from __future__ import annotations

import pytest

from arrears.book.models import Loan, Product
from arrears.ingest.services import import_loans
from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv

pytestmark = pytest.mark.django_db


def errors(tmp_path, rows, **kw) -> tuple[list[str], object]:
    path = write_csv(tmp_path / "loans.csv", LOAN_HEADERS, rows)
    report = import_loans(path=path, **kw)
    return [str(e) for e in report.errors], report


def test_a_microloan_over_24_percent_is_a_row_error_naming_the_cap(tmp_path):
    found, report = errors(
        tmp_path,
        [loan_row(1), loan_row(2, annual_rate="36%", penalty_rate="0.24"), loan_row(3)],
    )
    assert found == [
        "row 3, column annual_rate: annual rate 36.00% exceeds the microloan all-in cap of "
        "24.00% a year (CN.INTEREST_CAP), for a contract dated 2026-01-10 ('36.00%')"
    ]
    assert report.errors[0].code == "rate_over_cap"
    assert not Loan.objects.exists()  # all or nothing


def test_the_boundary_is_the_cap_itself(tmp_path):
    found, report = errors(tmp_path, [loan_row(1, annual_rate="0.16", penalty_rate="24%")])
    assert found == [] and report.written
    found, _ = errors(tmp_path, [loan_row(2, annual_rate="0.16", penalty_rate="24.01%")])
    assert [e.split(":")[0] for e in found] == ["row 2, column penalty_rate"]


def test_private_lending_is_capped_at_four_times_the_lpr_on_the_contract_date(tmp_path):
    Product.objects.create(code="PRV", name="民间借贷", product_type="private")
    found, _ = errors(
        tmp_path,
        [
            loan_row(
                1, product="PRV", annual_rate="15%", penalty_rate="0.12", disbursed_on="2025-03-01"
            ),
            # Before the 2020 revision the private-lending cap was a flat 24%.
            loan_row(
                2, product="PRV", annual_rate="15%", penalty_rate="0.12", disbursed_on="2020-08-19"
            ),
        ],
    )
    assert found == [
        "row 2, column annual_rate: annual rate 15.00% exceeds 4 × the one-year LPR at the "
        "contract date (3.10%) = 12.40% (CN.INTEREST_CAP), for a contract dated 2025-03-01 "
        "('15.00%')"
    ]


def test_a_blank_penalty_defaults_to_one_and_a_half_times_the_rate_and_is_checked_too(tmp_path):
    found, report = errors(tmp_path, [loan_row(1, annual_rate="18%", penalty_rate="")])
    assert found == [
        "row 2, column penalty_rate: blank means the default penalty rate, and penalty rate "
        "27.00% exceeds the microloan all-in cap of 24.00% a year (CN.INTEREST_CAP), for a "
        "contract dated 2026-01-10: give a lawful penalty rate"
    ]
    assert report.errors[0].code == "default_penalty_over_cap"


def test_the_products_own_cap_applies_where_the_law_sets_none(tmp_path):
    Product.objects.create(code="CON", name="消费贷", product_type="consumer", rate_cap="0.18")
    Product.objects.create(code="BNK", name="银行贷款", product_type="bank")
    found, _ = errors(
        tmp_path,
        [
            loan_row(1, product="CON", annual_rate="0.20", penalty_rate="0.18"),
            loan_row(2, product="BNK", annual_rate="0.30", penalty_rate="0.45"),
        ],
    )
    assert found == [
        "row 2, column annual_rate: annual rate 20.00% exceeds the product cap of 18.00% "
        "(product.rate_cap), for a contract dated 2026-01-10 ('20.00%')"
    ]


def test_skip_invalid_imports_the_lawful_loans(tmp_path):
    found, report = errors(
        tmp_path,
        [loan_row(1), loan_row(2, annual_rate="30%", penalty_rate="0.2"), loan_row(3)],
        skip_invalid=True,
        error_file=tmp_path / "rejected.csv",
    )
    assert len(found) == 1
    assert sorted(Loan.objects.values_list("external_id", flat=True)) == ["L0001", "L0003"]
    assert "exceeds the microloan all-in cap" in (tmp_path / "rejected.csv").read_text("utf-8-sig")
