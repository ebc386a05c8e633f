"""The loans import's optional guarantee type (保证方式): joint or general, in English or
Chinese; missing means general (Civil Code art. 686) with a warning."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.book.models import Guarantor
from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv

pytestmark = pytest.mark.django_db
HEADERS = (*LOAN_HEADERS, "guarantee_type")


def run(path, *extra) -> str:
    out = io.StringIO()
    call_command("import", "loans", str(path), "--no-progress", *extra, stdout=out)
    return out.getvalue()


def test_joint_and_general_in_either_language_and_blank_means_general(tmp_path):
    rows = [
        loan_row(1, guarantor_name="甲", guarantee_type="连带责任保证"),
        loan_row(2, guarantor_name="乙", guarantee_type="joint"),
        loan_row(3, guarantor_name="丙", guarantee_type="一般保证"),
        loan_row(4, guarantor_name="丁", guarantee_type=""),
    ]
    out = run(write_csv(tmp_path / "loans.csv", HEADERS, rows, chinese=True))
    kinds = dict(Guarantor.objects.values_list("name", "kind"))
    assert kinds == {"甲": "joint", "乙": "joint", "丙": "general", "丁": "general"}
    assert "warning: 1 guarantors without a guarantee type recorded as general" in out


def test_an_unknown_guarantee_type_is_refused_naming_the_row_and_column(tmp_path):
    rows = [loan_row(1, guarantor_name="甲", guarantee_type="抵押")]
    path = write_csv(tmp_path / "loans.csv", HEADERS, rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "loans", str(path), "--no-progress", stdout=io.StringIO(), stderr=err
        )
    assert "row 2" in err.getvalue() and "guarantee_type" in err.getvalue()
    assert "unknown guarantee type" in err.getvalue()
    assert not Guarantor.objects.exists()
