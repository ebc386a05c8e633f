"""`arrears import agency-payments FILE`: row errors, all or nothing, idempotent, matched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from arrears.agencies.imports import import_agency_payments
from arrears.agencies.models import AgencyPayment
from arrears.book.services import payment_post

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
HEADER = "payment_id,loan_id,paid_on,amount,agency,reference\n"


def write(tmp_path, rows: list[str]):
    path = tmp_path / "agency.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_file_is_matched_and_importing_it_again_changes_nothing(
    tmp_path, people, placed, cases, today
):
    day = today - 3 * DAY
    payment_post(loan=cases["m1"].loan, external_id="P-1", paid_on=day, amount_fen=300_00)
    path = write(
        tmp_path,
        [
            f"AG-1,L-M1,{day},300.00,Agency One,P-1",
            f"AG-2,L-M4,{day},125.50,Agency One,",
        ],
    )
    report = import_agency_payments(path=path, actor=people["mia"])
    assert report.ok and (report.created, report.counts) == (2, {"confirmed": 1, "to_check": 1})
    rows = dict(AgencyPayment.objects.values_list("payment_id", "status"))
    assert rows == {"AG-1": "confirmed", "AG-2": "pending"}
    again = import_agency_payments(path=path, actor=people["mia"])
    assert (again.created, again.unchanged) == (0, 2)
    assert AgencyPayment.objects.count() == 2


def test_a_bad_row_imports_nothing_and_names_row_column_and_reason(
    tmp_path, people, placed, cases, today
):
    day = today - 3 * DAY
    path = write(
        tmp_path,
        [
            f"AG-1,L-M1,{day},300.00,Agency One,",
            f"AG-2,L-TINA,{day},10.00,Agency One,",
            f"AG-3,L-M1,{day},10.00,Agency Nine,",
            f"AG-4,L-M1,{day},-5,Agency One,",
        ],
    )
    report = import_agency_payments(path=path, actor=people["mia"])
    assert [str(e) for e in report.errors] == [
        f"row 3, column loan_id: loan L-TINA was not placed with Agency One on {day} ('L-TINA')",
        "row 4, column agency: no such agency ('Agency Nine')",
        "row 5, column amount: " + report.errors[2].reason + " ('-5')",
    ]
    assert not AgencyPayment.objects.exists()


def test_the_same_id_with_other_figures_is_a_row_error(tmp_path, people, placed, today):
    day = today - 3 * DAY
    import_agency_payments(
        path=write(tmp_path, [f"AG-1,L-M1,{day},300.00,Agency One,"]), actor=people["mia"]
    )
    report = import_agency_payments(
        path=write(tmp_path, [f"AG-1,L-M1,{day},310.00,Agency One,"]), actor=people["mia"]
    )
    assert [str(e) for e in report.errors] == [
        f"row 2, column payment_id: payment AG-1 was reported before with other figures "
        f"(L-M1, {day}, 300.00) ('AG-1')"
    ]


def test_an_agency_user_imports_only_their_agencys_rows(tmp_path, people, placed, today):
    from arrears.core.models import Agency

    Agency.objects.create(name="Agency Two")
    day = today - 3 * DAY
    report = import_agency_payments(
        path=write(tmp_path, [f"AG-1,L-M1,{day},1.00,Agency Two,"]), actor=people["ada"]
    )
    assert "an agency user imports only their own agency's payments" in str(report.errors[0])


def test_the_command_takes_the_kind(tmp_path, people, placed, today, capsys):
    day = today - 3 * DAY
    call_command(
        "import", "agency-payments", str(write(tmp_path, [f"AG-1,L-M1,{day},1.00,Agency One,"]))
    )
    assert AgencyPayment.objects.get().amount_fen == 100
    with pytest.raises(CommandError):
        call_command("import", "agency-payments", str(tmp_path / "missing.csv"))
