"""`arrears export writeoff_ledger` (and the exports API): the written-off ledger as a file,
through the one safe writer (ingest.exports → core.spreadsheets). Amounts in yuan."""

from __future__ import annotations

from collections.abc import Iterator

from arrears.core.money import fen_to_yuan

COLUMNS = (
    "loan_id",
    "borrower",
    "county",
    "product",
    "written_off_on",
    "reason_code",
    "dpd",
    "principal",
    "interest",
    "penalty",
    "fees",
    "total",
    "recovered_after",
    "proposal",
)


def ledger_rows(*, user=None, **_) -> Iterator[tuple]:
    """One row per written-off loan in the user's scope, newest write-off first."""
    from arrears.writeoff.selectors import ledger

    for w in ledger(user=user).order_by("-written_off_on", "loan__external_id").iterator(2000):
        yield (
            w.loan.external_id,
            w.loan.borrower.name,
            w.loan.borrower.county,
            w.loan.product.code,
            w.written_off_on,
            w.reason_code,
            w.dpd,
            *(
                fen_to_yuan(v)
                for v in (
                    w.principal_fen,
                    w.interest_fen,
                    w.penalty_fen,
                    w.fees_fen,
                    w.total_fen,
                    w.recovered_fen,
                )
            ),
            w.proposal.number,
        )


def register_ledger_export() -> None:
    from arrears.ingest.exports import Exporter, register

    register(
        Exporter(
            name="writeoff_ledger",
            help="the written-off ledger (核销台账): amounts written off and recovered after",
            columns=COLUMNS,
            rows=ledger_rows,
        )
    )
