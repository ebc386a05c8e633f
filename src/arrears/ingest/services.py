"""Imports of loan tapes, schedules and payments: validate everything, then write in bulk.

Each import reads the whole file, reports every problem in one pass, and writes in one
transaction: nothing if any row is wrong, or only the valid rows with `skip_invalid` (the
rejected rows go to an error file with their reasons). The CLI, the web and the API all
call these functions.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from arrears.book.models import (
    Borrower,
    Contact,
    Guarantor,
    Installment,
    Loan,
    Payment,
    Product,
    Relation,
)
from arrears.book.schedule import build_schedule
from arrears.book.services import default_penalty_rate, loans_replay, product_default
from arrears.core import spreadsheets
from arrears.core.audit import audit_record
from arrears.core.crypto import with_index_fields
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import fen_to_yuan
from arrears.ingest.bulk import LOOKUP_CHUNK, chunked, insert_rows
from arrears.ingest.errors import RowError
from arrears.ingest.readers import Table, cell_text, is_blank_row, read_table
from arrears.ingest.validators import identifier, parse_row

LOAN_BATCH = 2000
# Counts that are warnings, said in words by ImportReport.warnings.
WARNING_COUNTS = frozenset({"guarantors_general_by_default"})


@dataclass
class ImportReport:
    """What an import found and did: counts, every row error, and where rejected rows went."""

    kind: str
    source: str = ""
    dry_run: bool = False
    skip_invalid: bool = False
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rejected: dict[int, list[str]] = field(default_factory=dict)
    written: bool = False
    error_file: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warnings(self) -> list[str]:
        """What was imported but deserves a look (not errors: the rows were written)."""
        out = []
        if n := self.counts.get("guarantors_general_by_default"):
            out.append(
                f"warning: {n:,} guarantors without a guarantee type recorded as general "
                "(一般保证, Civil Code art. 686): check the contracts"
            )
        return out

    def summary(self) -> str:
        parts = [
            f"{self.kind}: {self.rows:,} rows read, {self.valid:,} valid, "
            f"{len(self.rejected):,} rejected",
            f"created {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}",
        ]
        extra = ", ".join(
            f"{k.replace('_', ' ')} {v:,}"
            for k, v in self.counts.items()
            if v and k not in WARNING_COUNTS
        )
        if extra:
            parts.append(extra)
        parts.extend(self.warnings)
        if self.dry_run:
            parts.append("dry run: nothing written")
        elif not self.written:
            parts.append("nothing written")
        if self.error_file:
            parts.append(f"rejected rows in {self.error_file}")
        return "; ".join(parts) + f" ({self.seconds:.1f} s)"


class _Run:
    """Bookkeeping shared by the three imports."""

    def __init__(
        self,
        kind: str,
        table: Table,
        *,
        dry_run: bool,
        skip_invalid: bool,
        progress: bool,
    ) -> None:
        self.table = table
        self.progress = progress
        self.started = self._last = time.monotonic()
        self.report = ImportReport(
            kind=kind,
            source=table.path.name if table.path else "",
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
        self.fatal = False  # a header problem: no row can be imported
        for f in table.missing:
            self.error(RowError(1, f.name, "missing_column", params={"names": f.names}))
            self.fatal = True
        for name, header, other in table.duplicates:
            self.error(
                RowError(1, header, "duplicate_column", params={"field": name, "other": other})
            )
            self.fatal = True

    def lap(self, phase: str) -> None:
        """Record the seconds since the previous lap under `phase` (for benchmarks)."""
        now = time.monotonic()
        self.report.timings[phase] = self.report.timings.get(phase, 0.0) + now - self._last
        self._last = now

    def error(self, err: RowError) -> None:
        self.report.errors.append(err)
        self.reject(err.row, err.cell_reason)

    def reject(self, row: int, reason: str) -> None:
        if row > 1:
            self.report.rejected.setdefault(row, []).append(reason)

    def is_rejected(self, row: int) -> bool:
        return row in self.report.rejected

    def col(self, name: str) -> str:
        return self.table.header(name)

    def rows(self) -> Iterator[tuple[int, dict, bool, list]]:
        """(row number, parsed values, all cells right, raw cells) for each non-blank row."""
        it: Iterable = self.table.rows
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(
                it,
                total=self.table.total,
                unit=" rows",
                desc=f"reading {self.report.kind}",
                file=sys.stderr,
                leave=False,
            )
            it = bar
        errors: list[RowError] = []
        try:
            for row_no, cells in it:
                if is_blank_row(cells):
                    continue
                self.report.rows += 1
                values, ok = parse_row(self.table, row_no, cells, errors)
                for err in errors:
                    self.error(err)
                errors.clear()
                yield row_no, values, ok and not self.fatal, cells
        finally:
            if bar is not None:
                bar.close()

    def may_write(self) -> bool:
        if self.report.dry_run or self.fatal:
            return False
        return self.report.ok or self.report.skip_invalid

    def finish(self, error_file: str | Path | None) -> ImportReport:
        report = self.report
        if report.rejected and report.skip_invalid and not report.dry_run and not self.fatal:
            report.error_file = write_error_file(self.table, report.rejected, error_file)
        # Reported in file order: row by row, columns in the order the checks met them.
        report.errors.sort(key=lambda e: e.row)
        report.seconds = time.monotonic() - self.started
        return report


def _open(kind: str, path: str | Path | None, table: Table | None) -> Table:
    if table is not None:
        return table
    if path is None:
        raise ValueError("give a path or a table")
    return read_table(path, kind)


def default_error_path(path: Path) -> Path:
    """loans.csv → loans.errors.csv, next to the input."""
    return path.with_name(f"{path.stem}.errors.csv")


def write_error_file(
    table: Table, rejected: dict[int, list[str]], error_file: str | Path | None
) -> Path | None:
    """Write the rejected rows as they were, plus a `reason` column (UTF-8 with BOM for Excel)."""
    if error_file is None:
        if table.path is None:
            return None
        error_file = default_error_path(table.path)
    error_file = Path(error_file)
    # Read the file again rather than keep every raw row in memory for the few rejected.
    source = read_table(table.path, table.kind) if table.path is not None else table
    width = len(table.headers)

    def rows():
        for row_no, cells in source.rows:
            reasons = rejected.get(row_no)
            if reasons is None:
                continue
            texts = [cell_text(c) for c in cells][:width]
            texts += [""] * (width - len(texts))
            yield [*texts, "; ".join(r for r in reasons if r)]

    # Through the one safe writer: a rejected row may be exactly the attack the import refused.
    with error_file.open("w", encoding="utf-8-sig", newline="") as fh:
        spreadsheets.write_csv([*table.headers, "reason"], rows(), fh)
    return error_file


def _lookup(qs, key: str, keys: Iterable[str], fields: tuple[str, ...]) -> dict[str, dict]:
    """{key value: row} for the rows of `qs` whose `key` is among `keys` (chunked IN lists)."""
    out: dict[str, dict] = {}
    for batch in chunked(sorted(set(keys)), LOOKUP_CHUNK):
        for row in qs.filter(**{f"{key}__in": batch}).values(key, *fields):
            out[row[key]] = row
    return out


def _yuan(fen: int) -> str:
    return f"{fen_to_yuan(fen)}"


# --------------------------------------------------------------------------------- loans

_TERMS = (
    # (field in the file, label in messages, column in the loan lookup, how to show old value)
    ("principal", "principal", "principal_fen", _yuan),
    ("annual_rate", "annual rate", "annual_rate", str),
    ("penalty_rate", "penalty rate", "penalty_rate", str),
    ("disbursed_on", "disbursement date", "disbursed_on", str),
    ("term_months", "term", "term_months", str),
    ("repayment_method", "repayment method", "repayment_method", str),
    ("product", "product", "product__code", str),
)
_CONTACT_FIELDS = ("name", "phone", "address", "province", "county", "town", "village")


def import_loans(
    *,
    path: str | Path | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor: User | None = None,
    source: str = "cli",
    progress: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import a loan tape: new borrowers and loans with generated schedules, guarantors and
    contacts; re-imported loans may update the borrower's contact data, never loan terms."""
    run = _Run(
        "loans",
        _open("loans", path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    today = today or local_today()
    products = {p.code.casefold(): p for p in Product.objects.all()}
    default_code = settings.ARREARS_DEFAULT_PRODUCT
    # Until the first loan needs it the default product may not exist; an unsaved stand-in
    # has the same (blank) penalty rate that product_default() will create it with.
    default_product = products.get(default_code.casefold()) or Product(code=default_code)

    rows: list[tuple[int, dict]] = []
    first_row: dict[str, int] = {}
    id_numbers: dict[str, tuple[int, str]] = {}
    product_index = run.table.columns.get("product")
    for row_no, v, ok, cells in run.rows():
        if v["product"] is None:
            has_cell = product_index is not None and product_index < len(cells)
            raw = cells[product_index] if has_cell else ""
            if not cell_text(raw).strip():  # blank means the default; a wrong cell is reported
                v["product_obj"] = default_product
        elif (product := products.get(v["product"].casefold())) is None:
            run.error(RowError(row_no, run.col("product"), "unknown_product", v["product"]))
            ok = False
        else:
            v["product_obj"] = product
        v["penalty_given"] = v["penalty_rate"] is not None
        if ok and v["penalty_rate"] is None:
            v["penalty_rate"] = default_penalty_rate(v["product_obj"], v["annual_rate"])
        if v["disbursed_on"] is not None and v["disbursed_on"] > today:
            run.error(
                RowError(row_no, run.col("disbursed_on"), "date_in_future", str(v["disbursed_on"]))
            )
            ok = False
        if v.get("guarantee_type") and not v["guarantor_name"]:
            run.error(
                RowError(
                    row_no,
                    run.col("guarantee_type"),
                    "guarantee_type_without_guarantor",
                    v["guarantee_type"],
                )
            )
            ok = False
        if v["guarantor_phone"] and not v["guarantor_name"]:
            run.error(
                RowError(
                    row_no,
                    run.col("guarantor_phone"),
                    "guarantor_phone_without_name",
                    v["guarantor_phone"],
                )
            )
            ok = False
        if v["borrower_id"] and v["id_number"]:
            first_id = id_numbers.setdefault(v["borrower_id"], (row_no, v["id_number"]))
            if first_id[1] != v["id_number"]:
                run.error(
                    RowError(
                        row_no,
                        run.col("id_number"),
                        "id_number_conflict",
                        v["id_number"],
                        {"borrower": v["borrower_id"], "first": first_id[0]},
                    )
                )
                ok = False
        if v["loan_id"] is None:
            pass
        elif (first := first_row.setdefault(v["loan_id"], row_no)) != row_no:
            run.error(
                RowError(
                    row_no, run.col("loan_id"), "duplicate_loan", v["loan_id"], {"first": first}
                )
            )
            ok = False
        if ok:
            rows.append((row_no, v))

    run.lap("read")
    existing_loans = _lookup(
        Loan.objects.all(),
        "external_id",
        (v["loan_id"] for _, v in rows),
        (
            "id",
            "borrower_id",
            "borrower__external_id",
            "principal_fen",
            "annual_rate",
            "penalty_rate",
            "disbursed_on",
            "term_months",
            "repayment_method",
            "product__code",
        ),
    )
    existing_borrowers = _lookup(
        Borrower.objects.all(),
        "external_id",
        (v["borrower_id"] for _, v in rows),
        ("id", "id_number", *_CONTACT_FIELDS),
    )
    caps = _CapCheck()
    for row_no, v in rows:
        old = existing_loans.get(v["loan_id"])
        if old is not None:
            _check_terms(run, row_no, v, old)
        else:
            caps.check(run, row_no, v)  # a new loan's rates against its product type's cap
        b = existing_borrowers.get(v["borrower_id"])
        if b is not None and b["id_number"] and v["id_number"] and b["id_number"] != v["id_number"]:
            run.error(
                RowError(
                    row_no,
                    run.col("id_number"),
                    "id_number_changed",
                    v["id_number"],
                    {"borrower": v["borrower_id"]},
                )
            )

    valid = [(n, v) for n, v in rows if not run.is_rejected(n)]
    report = run.report
    report.valid = len(valid)
    new_rows = [v for _, v in valid if v["loan_id"] not in existing_loans]
    report.created = len(new_rows)
    report.unchanged = len(valid) - len(new_rows)
    run.lap("check")
    if run.may_write():
        with transaction.atomic():
            _write_loans(run, valid, new_rows, existing_loans, existing_borrowers, default_product)
            audit_record(
                actor=actor,
                event="import.loans",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    **report.counts,
                },
                source=source,
            )
            run.lap("audit")
        run.lap("commit")
        report.written = True
    return run.finish(error_file)


def _check_terms(run: _Run, row_no: int, v: dict, old: dict) -> None:
    loan_id = v["loan_id"]
    if old["borrower__external_id"] != v["borrower_id"]:
        run.error(
            RowError(
                row_no,
                run.col("borrower_id"),
                "loan_other_borrower",
                v["borrower_id"],
                {"loan": loan_id, "borrower": old["borrower__external_id"]},
            )
        )
    new_values = {
        "principal": v["principal"],
        "annual_rate": v["annual_rate"],
        # A blank penalty rate or product means "the default" for a new loan; for an existing
        # one the file states nothing, so there is nothing to compare.
        "penalty_rate": v["penalty_rate"] if v["penalty_given"] else None,
        "disbursed_on": v["disbursed_on"],
        "term_months": v["term_months"],
        "repayment_method": v["repayment_method"],
        "product": v["product_obj"].code if v["product"] is not None else None,
    }
    for name, label, column, show in _TERMS:
        new = new_values[name]
        if new is None:
            continue
        was = old[column]
        same = Decimal(was) == new if isinstance(new, Decimal) else was == new
        if not same:
            shown = _yuan(new) if name == "principal" else str(new)
            run.error(
                RowError(
                    row_no,
                    run.col(name),
                    "loan_term_changed",
                    shown,
                    {"loan": loan_id, "term": label, "old": show(was)},
                )
            )


class _CapCheck:
    """Interest caps (compliance.caps.check_loan_terms) for the rows of one import.

    A tape has few distinct (product, date, rates), so answers are kept: the LPR and pack
    lookups run once per combination, not once per row.
    """

    def __init__(self) -> None:
        self.answers: dict[tuple, list] = {}
        self.packs: dict[str, object] = {}

    def _pack(self, product: Product):
        from arrears.compliance.selectors import default_pack_code, pack_current, pack_for_product

        if product.code not in self.packs:
            self.packs[product.code] = (
                pack_for_product(product) if product.pk else pack_current(default_pack_code())
            )
        return self.packs[product.code]

    def problems(self, product: Product, on: dt.date, rate: Decimal, penalty: Decimal) -> list:
        from arrears.compliance.caps import check_loan_terms

        key = (product.code, on, rate, penalty)
        if key not in self.answers:
            found = check_loan_terms(
                product.product_type,
                on,
                rate,
                penalty,
                product_cap=product.rate_cap,
                pack=self._pack(product),
            )
            # One error per rate: the tightest cap it breaks (the legal one on a tie).
            tightest: dict[str, object] = {}
            for p in found:
                if p.field not in tightest or p.cap < tightest[p.field].cap:
                    tightest[p.field] = p
            self.answers[key] = list(tightest.values())
        return self.answers[key]

    def check(self, run: _Run, row_no: int, v: dict) -> None:
        from arrears.compliance.errors import ComplianceError

        product = v.get("product_obj")
        if product is None or v["annual_rate"] is None or v["disbursed_on"] is None:
            return
        try:
            found = self.problems(product, v["disbursed_on"], v["annual_rate"], v["penalty_rate"])
        except ComplianceError as exc:
            run.error(
                RowError(
                    row_no,
                    run.col("disbursed_on"),
                    "rate_cap_unknown",
                    str(v["disbursed_on"]),
                    {"detail": exc.message},
                )
            )
            return
        for p in found:
            given = p.field != "penalty_rate" or v["penalty_given"]
            run.error(
                RowError(
                    row_no,
                    run.col(p.field),
                    "rate_over_cap" if given else "default_penalty_over_cap",
                    f"{v[p.field]:.2%}" if given else "",
                    {"detail": p.message_en, "date": v["disbursed_on"], "rule": p.rule_id},
                )
            )


_BORROWER_FIELDS = (*_CONTACT_FIELDS, "id_number")


def _borrower_values(v: dict) -> dict:
    """The borrower columns a loans row gives, in _BORROWER_FIELDS order."""
    province, county, town, village = v["region"] or ("", "", "", "")
    return {
        "name": v["borrower_name"],
        "phone": v["phone"] or "",
        "address": v["address"] or "",
        "province": province,
        "county": county,
        "town": town,
        "village": village,
        "id_number": v["id_number"] or "",
    }


def _write_loans(
    run: _Run,
    valid: list[tuple[int, dict]],
    new_rows: list[dict],
    existing_loans: dict[str, dict],
    existing_borrowers: dict[str, dict],
    default_product: Product,
) -> None:
    counts = run.report.counts
    if default_product.pk is None and any(v["product_obj"] is default_product for v in new_rows):
        real = product_default()
        for v in new_rows:
            if v["product_obj"] is default_product:
                v["product_obj"] = real

    # Borrowers: the last row naming a borrower carries its contact data.
    latest: dict[str, dict] = {}
    for _, v in valid:
        latest[v["borrower_id"]] = v
    now = timezone.now()
    new_ids = [bid for bid in latest if bid not in existing_borrowers]
    # Plain rows, not bulk_create: SQLite's parameter limit makes Django compile one INSERT
    # per ~60 objects, ~15 s for 100,000 borrowers. The keys are read back in one pass.
    insert_rows(
        Borrower,
        ("external_id", *_BORROWER_FIELDS, "created_at", "updated_at"),
        ((bid, *_borrower_values(latest[bid]).values(), now, now) for bid in new_ids),
    )
    borrower_pk = {bid: b["id"] for bid, b in existing_borrowers.items()}
    created = _lookup(Borrower.objects.all(), "external_id", new_ids, ("id",))
    borrower_pk.update((bid, row["id"]) for bid, row in created.items())
    counts["borrowers_created"] = len(new_ids)
    changed: list[Borrower] = []
    for bid, b in existing_borrowers.items():
        v = latest.get(bid)
        if v is None:
            continue
        given = _borrower_values(v)
        update = {}
        for f in _CONTACT_FIELDS:
            # A blank cell leaves what we know; it does not erase it.
            if f in ("province", "county", "town", "village"):
                if v["region"] is not None and given[f] != b[f]:
                    update[f] = given[f]
            elif given[f] and given[f] != b[f]:
                update[f] = given[f]
        if given["id_number"] and not b["id_number"]:
            update["id_number"] = given["id_number"]
        if update:
            changed.append(
                Borrower(
                    id=b["id"],
                    updated_at=now,
                    **{**{f: b[f] for f in _CONTACT_FIELDS}, "id_number": b["id_number"], **update},
                )
            )
    if changed:
        Borrower.objects.bulk_update(
            changed,
            # The blind indexes move with their numbers (core/crypto.py).
            with_index_fields(Borrower, [*_CONTACT_FIELDS, "id_number", "updated_at"]),
            batch_size=500,
        )
    counts["borrowers_updated"] = len(changed)
    run.report.updated = len(changed)
    run.lap("borrowers")

    # Loans, then their generated schedules, a batch at a time to bound memory. Loans are
    # written as plain rows and their keys read back by loan ID: bulk_create measured 5.7 s
    # per 20,000 loans on SQLite (an INSERT compiled per 49 objects), plain rows 1.1 s.
    loan_pk: dict[str, int] = {lid: old["id"] for lid, old in existing_loans.items()}
    installments = 0
    for batch in chunked(new_rows, LOAN_BATCH):
        insert_rows(
            Loan,
            (
                "external_id",
                "borrower",
                "product",
                "principal_fen",
                "annual_rate",
                "penalty_rate",
                "disbursed_on",
                "term_months",
                "repayment_method",
                "created_at",
                "updated_at",
                # New loans are changed loans for the end-of-day run (docs/eod.md).
                "ledger_changed_at",
            ),
            (
                (
                    v["loan_id"],
                    borrower_pk[v["borrower_id"]],
                    v["product_obj"].pk,
                    v["principal"],
                    v["annual_rate"],
                    v["penalty_rate"],
                    v["disbursed_on"],
                    v["term_months"],
                    v["repayment_method"],
                    now,
                    now,
                    now,
                )
                for v in batch
            ),
        )
        keys = _lookup(Loan.objects.all(), "external_id", (v["loan_id"] for v in batch), ("id",))
        for v in batch:
            v["pk"] = loan_pk[v["loan_id"]] = keys[v["loan_id"]]["id"]
        installments += insert_rows(
            Installment,
            (
                "loan",
                "number",
                "due_on",
                "principal_due_fen",
                "interest_due_fen",
                "principal_paid_fen",
                "interest_paid_fen",
                "penalty_paid_fen",
            ),
            _schedule_rows(batch),
        )
    counts["installments_created"] = installments
    run.lap("loans")

    _write_guarantors(valid, loan_pk, borrower_pk, counts)
    run.lap("guarantors")


def _schedule_rows(rows: list[dict]) -> Iterator[tuple]:
    """The generated installments of new loans, as plain rows for insert_rows."""
    for v in rows:
        for s in build_schedule(
            principal_fen=v["principal"],
            annual_rate=v["annual_rate"],
            term_months=v["term_months"],
            method=v["repayment_method"],
            disbursed_on=v["disbursed_on"],
            annuity_interest=v["product_obj"].annuity_interest,
            accrual=v["product_obj"].interest_accrual,
        ):
            yield (v["pk"], s.number, s.due_on, s.principal_fen, s.interest_fen, 0, 0, 0)


def _write_guarantors(
    valid: list[tuple[int, dict]],
    loan_pk: dict[str, int],
    borrower_pk: dict[str, int],
    counts: dict[str, int],
) -> None:
    """A guarantor on the loan and a guarantor contact on the borrower, unless already there."""
    wanted = [v for _, v in valid if v["guarantor_name"]]
    loan_ids = [loan_pk[v["loan_id"]] for v in wanted]
    borrower_ids = [borrower_pk[v["borrower_id"]] for v in wanted]
    have_g: set[tuple[int, str]] = set()
    for batch in chunked(sorted(set(loan_ids)), LOOKUP_CHUNK):
        have_g.update(Guarantor.objects.filter(loan_id__in=batch).values_list("loan_id", "name"))
    have_c: set[tuple[int, str]] = set()
    for batch in chunked(sorted(set(borrower_ids)), LOOKUP_CHUNK):
        have_c.update(
            Contact.objects.filter(borrower_id__in=batch, relation=Relation.GUARANTOR).values_list(
                "borrower_id", "name"
            )
        )
    guarantors: list[tuple] = []
    contacts: list[tuple] = []
    by_default = 0
    for v, lid, bid in zip(wanted, loan_ids, borrower_ids, strict=True):
        name, phone = v["guarantor_name"], v["guarantor_phone"] or ""
        if (lid, name) not in have_g:
            have_g.add((lid, name))
            # Where the contract does not say, the guarantee is general (Civil Code art. 686).
            kind = v.get("guarantee_type") or "general"
            by_default += not v.get("guarantee_type")
            guarantors.append((lid, name, phone, kind))
        if (bid, name) not in have_c:
            have_c.add((bid, name))
            contacts.append((bid, name, phone, Relation.GUARANTOR.value))
    # No keys needed back, so plain rows (see ingest.bulk); other columns take their defaults.
    counts["guarantors_created"] = insert_rows(
        Guarantor, ("loan", "name", "phone", "kind"), guarantors
    )
    # A warning, not an error: shown in the summary so the lender can check the contracts.
    counts["guarantors_general_by_default"] = by_default
    counts["contacts_created"] = insert_rows(
        Contact, ("borrower", "name", "phone", "relation"), contacts
    )


# ------------------------------------------------------------------------------ payments


def import_payments(
    *,
    path: str | Path | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor: User | None = None,
    source: str = "cli",
    progress: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import payments (流水): new ones are posted through the ledger; a payment ID already
    imported with the same loan, date and amount changes nothing."""
    run = _Run(
        "payments",
        _open("payments", path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    today = today or local_today()
    report = run.report
    rows: list[tuple[int, dict]] = []
    seen: dict[str, tuple[int, tuple]] = {}
    repeats = 0
    for row_no, v, ok, _cells in run.rows():
        if not ok:
            continue
        key = (v["loan_id"], v["paid_on"], v["amount"])
        first = seen.get(v["payment_id"])
        if first is None:
            seen[v["payment_id"]] = (row_no, key)
            rows.append((row_no, v))
        elif first[1] == key:
            repeats += 1  # the same payment listed twice: nothing to do for the second
        else:
            run.error(
                RowError(
                    row_no,
                    run.col("payment_id"),
                    "duplicate_payment",
                    v["payment_id"],
                    {"first": first[0]},
                )
            )

    loans = _lookup(
        Loan.objects.all(), "external_id", (v["loan_id"] for _, v in rows), ("id", "disbursed_on")
    )
    existing = _lookup(
        Payment.objects.all(),
        "external_id",
        (v["payment_id"] for _, v in rows),
        ("loan__external_id", "paid_on", "amount_fen"),
    )
    new: list[tuple[int, dict]] = []
    for row_no, v in rows:
        loan = loans.get(v["loan_id"])
        if loan is None:
            run.error(RowError(row_no, run.col("loan_id"), "unknown_loan", v["loan_id"]))
        elif v["paid_on"] < loan["disbursed_on"]:
            run.error(
                RowError(
                    row_no,
                    run.col("paid_on"),
                    "paid_before_disbursement",
                    str(v["paid_on"]),
                    {"loan": v["loan_id"], "disbursed": loan["disbursed_on"]},
                )
            )
        if v["paid_on"] > today:
            run.error(RowError(row_no, run.col("paid_on"), "date_in_future", str(v["paid_on"])))
        old = existing.get(v["payment_id"])
        if old is not None and (old["loan__external_id"], old["paid_on"], old["amount_fen"]) != (
            v["loan_id"],
            v["paid_on"],
            v["amount"],
        ):
            run.error(
                RowError(
                    row_no,
                    run.col("payment_id"),
                    "payment_conflict",
                    v["payment_id"],
                    {
                        "loan": old["loan__external_id"],
                        "paid_on": old["paid_on"],
                        "amount": _yuan(old["amount_fen"]),
                    },
                )
            )
        if not run.is_rejected(row_no):
            if old is None:
                new.append((row_no, v))
            else:
                report.unchanged += 1
    report.unchanged += repeats
    report.valid = len(new) + report.unchanged
    report.created = len(new)
    if run.may_write():
        with transaction.atomic():
            if new:
                now = timezone.now()
                Payment.objects.bulk_create(
                    [
                        Payment(
                            external_id=v["payment_id"],
                            loan_id=loans[v["loan_id"]]["id"],
                            paid_on=v["paid_on"],
                            amount_fen=v["amount"],
                            channel=v["channel"] or Payment.Channel.OTHER,
                            source="import",
                            posted_at=now,
                            posted_by=actor if actor is not None and actor.pk else None,
                        )
                        for _, v in new
                    ],
                    batch_size=LOAN_BATCH,
                )
                affected = {loans[v["loan_id"]]["id"] for _, v in new}
                loans_replay(affected)
                report.counts["loans_replayed"] = len(affected)
            report.counts["amount_fen"] = sum(v["amount"] for _, v in new)
            audit_record(
                actor=actor,
                event="import.payments",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "unchanged": report.unchanged,
                    "rejected": len(report.rejected),
                    **report.counts,
                },
                source=source,
            )
        report.written = True
    return run.finish(error_file)


# ------------------------------------------------------------------------------ schedule


def import_schedule(
    *,
    path: str | Path | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    error_file: str | Path | None = None,
    actor: User | None = None,
    source: str = "cli",
    progress: bool = False,
) -> ImportReport:
    """Replace the generated schedule of loans that have no payments yet with the file's.

    A loan's rows stand or fall together: one bad row rejects the loan's whole schedule.
    """
    run = _Run(
        "schedule",
        _open("schedule", path, table),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    report = run.report
    groups: dict[str, list[tuple[int, dict | None]]] = defaultdict(list)
    loan_index = run.table.columns.get("loan_id")
    for row_no, v, ok, cells in run.rows():
        if ok:
            groups[v["loan_id"]].append((row_no, v))
        elif loan_index is not None and loan_index < len(cells):
            # Keep a bad row with its loan, so the loan's other rows are rejected with it.
            try:
                groups[identifier(cells[loan_index])].append((row_no, None))
            except ValueError:
                pass

    loans = _lookup(
        Loan.objects.all(), "external_id", groups, ("id", "principal_fen", "disbursed_on")
    )
    with_payments: set[int] = set()
    for batch in chunked(sorted(x["id"] for x in loans.values()), LOOKUP_CHUNK):
        with_payments.update(
            Payment.objects.filter(loan_id__in=batch).values_list("loan_id", flat=True)
        )

    accepted: dict[int, list[dict]] = {}
    for loan_id, members in groups.items():
        first_row = members[0][0]
        loan = loans.get(loan_id)
        parsed = [(n, v) for n, v in members if v is not None]
        if loan is None:
            for n, _ in parsed:
                run.error(RowError(n, run.col("loan_id"), "unknown_loan", loan_id))
        elif loan["id"] in with_payments:
            run.error(
                RowError(
                    first_row, run.col("loan_id"), "loan_has_payments", loan_id, {"loan": loan_id}
                )
            )
        elif len(parsed) == len(members):  # a loan with an unreadable row is not checked
            _check_schedule(run, loan_id, loan, parsed)
        bad = [n for n, _ in members if run.is_rejected(n)]
        if bad:
            for n, _ in members:
                if not run.is_rejected(n):
                    run.reject(n, _reason("loan_rows_rejected", loan=loan_id, row=bad[0]))
            continue
        accepted[loan["id"]] = [v for _, v in sorted(parsed, key=lambda p: p[1]["installment_no"])]

    report.valid = sum(len(v) for v in accepted.values())
    report.created = len(accepted)
    if run.may_write() and accepted:
        with transaction.atomic():
            ids = sorted(accepted)
            for batch in chunked(ids, LOOKUP_CHUNK):
                Installment.objects.filter(loan_id__in=batch).delete()
            count = insert_rows(
                Installment,
                (
                    "loan",
                    "number",
                    "due_on",
                    "principal_due_fen",
                    "interest_due_fen",
                    "principal_paid_fen",
                    "interest_paid_fen",
                    "penalty_paid_fen",
                ),
                (
                    (
                        lid,
                        v["installment_no"],
                        v["due_on"],
                        v["principal_due"],
                        v["interest_due"],
                        0,
                        0,
                        0,
                    )
                    for lid, vs in accepted.items()
                    for v in vs
                ),
            )
            for batch in chunked(ids, LOOKUP_CHUNK):
                now = timezone.now()
                Loan.objects.filter(id__in=batch).update(
                    schedule_source="imported", updated_at=now, ledger_changed_at=now
                )
            # Charges may hold credit or fees against the old dates; the ledger re-decides.
            loans_replay(ids)
            report.counts["installments_created"] = count
            audit_record(
                actor=actor,
                event="import.schedule",
                object_type="import",
                object_id=report.source,
                after={
                    "rows": report.rows,
                    "loans": len(ids),
                    "rejected": len(report.rejected),
                    "installments_created": count,
                },
                source=source,
            )
        report.written = True
    return run.finish(error_file)


def _reason(code: str, **params) -> str:
    from arrears.ingest.errors import message

    return message(code, **params)


def _check_schedule(run: _Run, loan_id: str, loan: dict, parsed: list[tuple[int, dict]]) -> None:
    if not parsed:
        return
    seen: dict[int, int] = {}
    for n, v in parsed:
        no = v["installment_no"]
        if no in seen:
            run.error(
                RowError(
                    n,
                    run.col("installment_no"),
                    "duplicate_installment",
                    str(no),
                    {"number": no, "loan": loan_id, "first": seen[no]},
                )
            )
        else:
            seen[no] = n
        if v["due_on"] <= loan["disbursed_on"]:
            run.error(
                RowError(
                    n,
                    run.col("due_on"),
                    "due_before_disbursement",
                    str(v["due_on"]),
                    {"loan": loan_id, "disbursed": loan["disbursed_on"]},
                )
            )
    first_row = parsed[0][0]
    if len(seen) == len(parsed) and sorted(seen) != list(range(1, len(seen) + 1)):
        run.error(
            RowError(
                first_row,
                run.col("installment_no"),
                "installments_not_consecutive",
                ", ".join(str(x) for x in sorted(seen)),
                {"loan": loan_id, "count": len(seen)},
            )
        )
    ordered = sorted(((v["installment_no"], n, v["due_on"]) for n, v in parsed))
    for (_, _, prev), (_, n, due) in zip(ordered, ordered[1:], strict=False):
        if due <= prev:
            run.error(
                RowError(
                    n, run.col("due_on"), "due_dates_not_increasing", str(due), {"loan": loan_id}
                )
            )
    total = sum(v["principal_due"] for _, v in parsed)
    if total != loan["principal_fen"]:
        run.error(
            RowError(
                first_row,
                run.col("principal_due"),
                "principal_sum_mismatch",
                _yuan(total),
                {"loan": loan_id, "total": _yuan(total), "principal": _yuan(loan["principal_fen"])},
            )
        )


IMPORTERS = {"loans": import_loans, "schedule": import_schedule, "payments": import_payments}
