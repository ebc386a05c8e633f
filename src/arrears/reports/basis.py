"""What the book reports (aging, portfolio, NPL summary, roll rates) share: the reader's scope
as SQL, the region and product options, the snapshot days, money received from the ledger,
and the one seam for written-off figures.

Every figure is read set-based: GROUP BY over the snapshot or the allocations, or one query
of per-loan rows grouped in Polars — never a loop over ORM rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.eod.config import CLASSES, eod_config
from arrears.eod.retention import snapshot_day_on_or_before
from arrears.reports.registry import Param, ReportError, ReportRequest

NON_PERFORMING = ("substandard", "doubtful", "loss")
# Money received: what the ledger allocated of payments in the period, waivers (减免, a
# settlement's discount) excepted — they are not money from anyone.
COMPONENTS = ("principal", "interest", "penalty", "fee")

REGION = Param(
    "region",
    _("Region"),
    help=_("A region path or its start, e.g. 四川省/某县/卧水镇"),
)
PRODUCT = Param("product", _("Product"), help=_("A product code"))


def bucket_codes() -> list[str]:
    return [label for label, _upper in eod_config().buckets]


def ordered_buckets(found: set[str] | list[str]) -> list[str]:
    """The configured buckets in order, then any other code the snapshot holds (a bucket
    of an earlier configuration), so no row is lost."""
    codes = bucket_codes()
    return codes + sorted(set(found) - set(codes))


def ordered_classes(found: set[str] | list[str]) -> list[str]:
    return list(CLASSES) + sorted(set(found) - set(CLASSES))


def loan_filter_sql(request: ReportRequest, column: str = "s.loan_id") -> tuple[str, list]:
    """`AND column IN (…)` limiting a query to the loans the reader may see and the report's
    region and product options; empty when nothing limits it (the whole book)."""
    from arrears.book.models import Loan
    from arrears.core.scoping import loan_scope_q

    qs = None
    user = request.user
    if user is not None:
        q = loan_scope_q(user)
        if q:  # Q() is the whole book
            qs = Loan.objects.filter(q)
    region = request.option("region")
    if region:
        parts = [p.strip() for p in str(region).split("/") if p.strip()]
        if len(parts) > 4:
            raise ReportError(
                _g("region: at most four levels (省/县/镇/村): %(value)s") % {"value": region},
                field="region",
            )
        names = ("province", "county", "town", "village")
        cond = {f"borrower__{names[i]}": part for i, part in enumerate(parts)}
        qs = (qs if qs is not None else Loan.objects.all()).filter(**cond)
    product = request.option("product")
    if product:
        from arrears.book.models import Product

        if not Product.objects.filter(code=product).exists():
            raise ReportError(
                _g("product: no such product code: %(code)s") % {"code": product},
                field="product",
            )
        qs = (qs if qs is not None else Loan.objects.all()).filter(product__code=product)
    if qs is None:
        return "", []
    sql, params = qs.values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def snapshot_day(day: dt.date, field: str = "as_of") -> dt.date:
    """The snapshot a report reads for `day`: that day's, else the latest kept before it."""
    found = snapshot_day_on_or_before(day)
    if found is None:
        raise ReportError(
            _g("%(field)s: no end-of-day snapshot on or before %(day)s (run `arrears eod`)")
            % {"field": field, "day": day.isoformat()},
            field=field,
            code="no_snapshot",
        )
    return found


@contextmanager
def _snapshot_planner() -> Iterator[None]:
    """On PostgreSQL, read with random_page_cost 1.1 (this transaction only).

    The snapshot table is appended a day at a time, so one day's rows lie together and
    reading them through the (as_of, loan) index is near-sequential; with the default cost
    (4, for spinning disks) the planner scans every kept day instead once a table holds only
    a dozen or so days (bench/README.md, "Reports")."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL random_page_cost = 1.1")
            # Group a day or two of a million loans in memory, not in temp files.
            cur.execute("SET LOCAL work_mem = '64MB'")
        yield


def rows(sql: str, params: list) -> list[tuple]:
    with _snapshot_planner(), connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def frame(sql: str, params: list, schema: dict[str, Any]) -> pl.DataFrame:
    """A SELECT as a Polars frame (ints and text only): COPY on PostgreSQL, cursor batches on
    SQLite."""
    if connection.vendor == "postgresql":
        from arrears.eod import loader

        with _snapshot_planner():
            return loader.fetch(connection.ops.compose_sql(sql, params), schema)
    out = []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while batch := cur.fetchmany(100_000):
            out.append(pl.DataFrame(batch, schema=schema, orient="row"))
    return pl.concat(out) if out else pl.DataFrame(schema=schema)


def received_sql(date_from: dt.date, date_to: dt.date, among: str = "") -> tuple[str, list]:
    """Per loan, money received in the period as the ledger allocated it (fen):
    columns loan_id, principal, interest, penalty, fee, credit. A payment counts on the day
    it was paid (paid_on), whatever day its allocation took effect; `credit` is the part held
    as credit (not yet owed). `among`: a SELECT of loan IDs to limit it to (no parameters)."""
    sums = ", ".join(
        f"SUM(CASE WHEN a.component = '{c}' THEN a.amount_fen ELSE 0 END) AS {c}"
        for c in (*COMPONENTS, "credit")
    )
    return (
        f"SELECT a.loan_id AS loan_id, {sums}"
        " FROM book_allocation a JOIN book_payment p ON p.id = a.payment_id"
        " WHERE p.paid_on >= %s AND p.paid_on <= %s AND p.channel <> 'waiver'"
        # Money takes effect on its payment day or later (credit on a later due date), so
        # this bound changes nothing and lets the (loan, effective_on) index skip history.
        " AND a.effective_on >= %s"
        + (f" AND a.loan_id IN ({among})" if among else "")
        + " GROUP BY a.loan_id",
        [date_from, date_to, date_from],
    )


# --- written off: read from the write-off register ------------------------------------------


def _written_off_sql(request: ReportRequest, end_day: dt.date) -> tuple[str, list, str]:
    """Per loan written off in the period (written_off_on from–to, not after end_day): columns
    loan_id, amount (fen, the total written off), from the write-off register. Returns
    (sql, params, source)."""
    start = request.date_from or dt.date(1, 1, 1)
    end = min(request.date_to or end_day, end_day)
    return (
        "SELECT loan_id, total_fen AS amount FROM writeoff_writtenoffloan"
        " WHERE written_off_on >= %s AND written_off_on <= %s",
        [start, end],
        "writeoff_register",
    )


def loan_filter_qs(request: ReportRequest):
    """The Loan queryset of loan_filter_sql (scope, region, product), or None for the book."""
    from arrears.book.models import Loan

    sql, params = loan_filter_sql(request, "id")
    if not sql:
        return None
    return Loan.objects.extra(where=[sql.removeprefix(" AND ")], params=params)


def _written_off(request: ReportRequest, end_day: dt.date) -> dict:
    """Loans written off in the period (written_off_on from–to) and the amount written off
    (principal, interest, penalty, fees as written off), and the recoveries after write-off
    received in the period — the write-off register's figures (writeoff.selectors: the same
    rule, recovery_q, as its ledger page and API), in the reader's scope and the report's
    region and product."""
    from django.db.models import Count, Sum

    from arrears.book.models import Payment
    from arrears.writeoff.models import WrittenOffLoan
    from arrears.writeoff.selectors import recovery_q

    loans = loan_filter_qs(request)
    wo = WrittenOffLoan.objects.filter(written_off_on__lte=end_day)
    pays = Payment.objects.filter(recovery_q())
    if request.date_from:
        wo = wo.filter(written_off_on__gte=request.date_from)
        pays = pays.filter(paid_on__gte=request.date_from)
    if request.date_to:
        wo = wo.filter(written_off_on__lte=request.date_to)
        pays = pays.filter(paid_on__lte=request.date_to)
    if loans is not None:
        ids = loans.values("pk")
        wo = wo.filter(loan_id__in=ids)
        pays = pays.filter(loan_id__in=ids)
    # The same loans as _written_off_sql (npl-summary), so the two reports agree.
    written = wo.aggregate(n=Count("pk"), total=Sum("total_fen"))
    recovered = pays.aggregate(total=Sum("amount_fen"))
    return {
        "loans": int(written["n"] or 0),
        "amount_fen": int(written["total"] or 0),
        "recovered_fen": int(recovered["total"] or 0),
        "source": "writeoff_register",
    }
