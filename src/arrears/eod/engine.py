"""The end-of-day engine: the ledger rule (book.ledger.replay) computed set-based over frames.

Pure functions over Polars frames, no Django. Inputs (dates are pl.Date, money Int64 fen):

- installments: id, loan_id, number, due_on, principal_due, interest_due
- allocations:  loan_id, installment_id (null for fees/credit), charge_id (null unless fee),
                component (fee|penalty|interest|principal|credit), amount, effective_on
- charges:      id, loan_id, charged_on, amount, waived
- loans:        id, borrower_id, product_id, penalty_rate_ppm, annual_rate_ppm, disbursed_on
- products:     id, day_count, grace_days, rate_cap_ppm (null: no cap), penalty_on_interest (bool),
                arrears_tolerance
- caps:         product_id, from_on, cap_ppm (optional) — the law's cap periods by contract
                date (book.terms.CapPeriod); a loan's cap is the lower of its product's
                rate_cap_ppm and the legal cap in force on its disbursement date.
- events:       loan_id, event_date, kind, actor, reached_on, revive_only
                (every limitation restart event; see eod.limitation for the rule)
- credit:       loan_id, credit (optional) — money held as credit as of D (paid by D and not
                yet applied) of the loans with an installment in the pre-due window.
- future:       loan_id, principal_due, last_due (optional) — installments due after the
                pre-due horizon, summed per loan by the loader instead of sent row by row.
                They cannot carry money as of D (nothing is applied before its due date), so
                all they add is principal outstanding and the last due date.

Why this equals the ledger: stored allocations are the output of replaying *all* payments,
and they are causal — a row dated e depends only on events up to e — so "paid as of D" is the
sum of rows with effective_on <= D. The penalty base on day d is what was due minus what was
paid before d, so with s = due + grace + 1 and n = max(0, D - s + 1) days:

    sum_d base(d) = due * n - sum_j a_j * max(0, D - max(e_j, s - 1))

and the accrued penalty is div_half_up(pen * sum_d base(d), day_count * 365 * 1e6) with
pen = min(rate_ppm * 365, cap_ppm * day_count) (rate * 365 without a cap): a day's penalty
is rate / day_count of the base but never more than cap / 365 (ledger.penalty_numerator),
exactly as replay keeps its numerator.

Fees under the cap (ledger.replay, "Fees are capped"): the allowance as of D is

    div_half_up((cap * day_count - pen) * sum_i sum_d base_i(d)
                + max(0, cap - annual) * day_count
                  * sum_i principal_due_i * max(0, min(due_i, D) - disbursed),
                day_count * 365 * 1e6)

per loan (installments due after the horizon count with due_i > D), and the fees owed are
min(charged - waived, allowance) - paid, with paid from the stored fee allocations: replay
pays a fee only up to the allowance on the payment's date, so the rows already obey it.

Overflow: amounts times days stay in Int64 for any installment (and, for the fee allowance's
sums, any loan) below ~9e13 fen (9e11 yuan) over 100,000 days; the products with the rates
(up to 1e9 ppm) are done in Int128 before the division, so they cannot overflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from arrears.eod import limitation
from arrears.eod.config import CLASSES, EodConfig

EPOCH = dt.date(1970, 1, 1)
PPM = 1_000_000

INSTALLMENTS_SCHEMA = {
    "id": pl.Int64,
    "loan_id": pl.Int64,
    "number": pl.Int64,
    "due_on": pl.Date,
    "principal_due": pl.Int64,
    "interest_due": pl.Int64,
}
ALLOCATIONS_SCHEMA = {
    "loan_id": pl.Int64,
    "installment_id": pl.Int64,
    "charge_id": pl.Int64,
    "component": pl.String,
    "amount": pl.Int64,
    "effective_on": pl.Date,
}
CHARGES_SCHEMA = {
    "id": pl.Int64,
    "loan_id": pl.Int64,
    "charged_on": pl.Date,
    "amount": pl.Int64,
    "waived": pl.Int64,
}
LOANS_SCHEMA = {
    "id": pl.Int64,
    "borrower_id": pl.Int64,
    "product_id": pl.Int64,
    "penalty_rate_ppm": pl.Int64,
    "annual_rate_ppm": pl.Int64,
    "disbursed_on": pl.Date,
}
CAPS_SCHEMA = {"product_id": pl.Int64, "from_on": pl.Date, "cap_ppm": pl.Int64}
# A cap is an annual figure: a day's charges are at most cap / 365 (book.ledger).
CAP_YEAR_DAYS = 365
PRODUCTS_SCHEMA = {
    "id": pl.Int64,
    "day_count": pl.Int64,
    "grace_days": pl.Int64,
    "rate_cap_ppm": pl.Int64,
    "penalty_on_interest": pl.Boolean,
    "arrears_tolerance": pl.Int64,
}
EVENTS_SCHEMA = limitation.EVENTS_SCHEMA
CREDIT_SCHEMA = {"loan_id": pl.Int64, "credit": pl.Int64}
FUTURE_SCHEMA = {"loan_id": pl.Int64, "principal_due": pl.Int64, "last_due": pl.Date}

# The per-loan result, in this order (also the snapshot's columns).
RESULT_COLUMNS = [
    "loan_id",
    "borrower_id",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal",
    "overdue_interest",
    "penalty",
    "fees",
    "outstanding_principal",
    "total_due",
    "limitation_deadline",
    "time_barred",
]


@dataclass
class EodResult:
    """What the engine computed as of a date: one row per loan, and the pre-due list."""

    as_of: dt.date
    loans: pl.DataFrame
    pre_due: pl.DataFrame
    # Classification of `peers` (see compute) under the borrower rule: loan_id, classification.
    peers: pl.DataFrame | None = None


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _days(col: str) -> pl.Expr:
    """A Date column as Int64 days since 1970-01-01 (integer maths is simplest and fastest)."""
    return pl.col(col).cast(pl.Int32).cast(pl.Int64)


def bucket_expr(dpd: pl.Expr, buckets: tuple[tuple[str, int | None], ...]) -> pl.Expr:
    expr = pl.lit(buckets[-1][0])
    for label, upper in reversed(buckets[:-1]):
        expr = pl.when(dpd <= upper).then(pl.lit(label)).otherwise(expr)
    return expr


def compute(
    *,
    installments: pl.DataFrame,
    allocations: pl.DataFrame,
    charges: pl.DataFrame,
    loans: pl.DataFrame,
    products: pl.DataFrame,
    events: pl.DataFrame,
    as_of: dt.date,
    config: EodConfig,
    future: pl.DataFrame | None = None,
    peers: pl.DataFrame | None = None,
    caps: pl.DataFrame | None = None,
    credit: pl.DataFrame | None = None,
) -> EodResult:
    """Every loan's figures as of `as_of` (see the module docstring for the frames).

    peers: loans not computed here whose figures are known (an incremental run's carried
    loans of the same borrowers: loan_id, borrower_id, dpd, outstanding_principal,
    overdue_interest). They count in the borrower rule, and come back classified in
    `EodResult.peers`.
    """
    d = (as_of - EPOCH).days

    loan_terms = loans.lazy().select(
        "id", "product_id", "penalty_rate_ppm", "annual_rate_ppm", "disbursed_on"
    )
    if caps is not None and caps.height:
        # The law's cap in force on the contract (disbursement) date, per product.
        loan_terms = loan_terms.sort("disbursed_on").join_asof(
            caps.lazy()
            .select("product_id", "from_on", pl.col("cap_ppm").alias("legal_cap"))
            .sort("from_on"),
            left_on="disbursed_on",
            right_on="from_on",
            by="product_id",
            strategy="backward",
            check_sortedness=False,  # both sorted just above
        )
    else:
        loan_terms = loan_terms.with_columns(pl.lit(None, pl.Int64).alias("legal_cap"))
    terms = (
        loan_terms.join(
            products.lazy().rename({"id": "product_id"}),
            on="product_id",
            how="left",
        )
        # The effective all-in cap: the lower of the product's and the law's.
        .with_columns(pl.min_horizontal("rate_cap_ppm", "legal_cap").alias("rate_cap_ppm"))
        .select(
            pl.col("id").alias("loan_id"),
            # The penalty rate actually charged never exceeds the all-in cap.
            pl.when(
                pl.col("rate_cap_ppm").is_not_null()
                & (pl.col("rate_cap_ppm") < pl.col("penalty_rate_ppm"))
            )
            .then(pl.col("rate_cap_ppm"))
            .otherwise(pl.col("penalty_rate_ppm"))
            .alias("rate"),
            pl.col("rate_cap_ppm"),
            pl.col("annual_rate_ppm"),
            _days("disbursed_on").alias("disb"),
            pl.col("day_count"),
            pl.col("grace_days"),
            pl.col("penalty_on_interest"),
            pl.col("arrears_tolerance"),
        )
        .with_columns(
            # Penalty per fen-day over day_count * 365 * PPM (ledger.penalty_numerator).
            pl.when(pl.col("rate_cap_ppm").is_null())
            .then(pl.col("rate") * CAP_YEAR_DAYS)
            .otherwise(
                pl.min_horizontal(
                    pl.col("rate") * CAP_YEAR_DAYS, pl.col("rate_cap_ppm") * pl.col("day_count")
                )
            )
            .alias("pen_num")
        )
    )

    inst = (
        installments.lazy()
        .select(
            "id",
            "loan_id",
            "number",
            _days("due_on").alias("due"),
            "principal_due",
            "interest_due",
        )
        .join(terms, on="loan_id", how="left")
        .with_columns((pl.col("due") + pl.col("grace_days") + 1).alias("start"))
    )

    paid = (
        allocations.lazy()
        .filter(
            pl.col("installment_id").is_not_null()
            & pl.col("component").is_in(["principal", "interest", "penalty"])
            & (pl.col("effective_on") <= pl.lit(as_of))
        )
        .select(
            pl.col("installment_id").alias("id"),
            "component",
            "amount",
            _days("effective_on").alias("eff"),
        )
        .join(inst.select("id", "start"), on="id", how="inner")
        .select(
            "id",
            *(
                pl.when(pl.col("component") == c).then(pl.col("amount")).otherwise(0).alias(c)
                for c in ("principal", "interest", "penalty")
            ),
            # Days in [start, D] on which this payment had already reduced the base.
            pl.max_horizontal(
                pl.lit(0, pl.Int64),
                pl.lit(d, pl.Int64) - pl.max_horizontal("eff", pl.col("start") - 1),
            ).alias("days"),
        )
        .group_by("id")
        .agg(
            pl.col("principal").sum().alias("p_paid"),
            pl.col("interest").sum().alias("i_paid"),
            pl.col("penalty").sum().alias("pen_paid"),
            (pl.col("principal") * pl.col("days")).sum().alias("p_w"),
            (pl.col("interest") * pl.col("days")).sum().alias("i_w"),
        )
    )

    n_days = pl.max_horizontal(pl.lit(0, pl.Int64), pl.lit(d + 1, pl.Int64) - pl.col("start"))
    base_days = pl.col("principal_due") * n_days - pl.col("p_w")
    base_days = base_days + pl.when(pl.col("penalty_on_interest")).then(
        pl.col("interest_due") * n_days - pl.col("i_w")
    ).otherwise(0)
    den2 = 2 * pl.col("day_count").cast(pl.Int128) * CAP_YEAR_DAYS * PPM
    numerator = base_days.cast(pl.Int128) * pl.col("pen_num").cast(pl.Int128)
    accrued = ((2 * numerator + den2 // 2) // den2).cast(pl.Int64)

    # Principal-days a current principal gives the fee cap room (nothing is paid before its
    # due date, so the whole principal_due is outstanding from disbursement to due date).
    current_days = pl.max_horizontal(
        pl.lit(0, pl.Int64), pl.min_horizontal("due", pl.lit(d, pl.Int64)) - pl.col("disb")
    )
    inst = (
        inst.join(paid, on="id", how="left")
        .with_columns(pl.col("p_paid", "i_paid", "pen_paid", "p_w", "i_w").fill_null(0))
        .with_columns(
            base_days.alias("base_days"),
            (pl.col("principal_due") * current_days).alias("current_pd"),
        )
        .with_columns(
            (pl.col("principal_due") - pl.col("p_paid")).alias("p_left"),
            (pl.col("interest_due") - pl.col("i_paid")).alias("i_left"),
            pl.max_horizontal(pl.lit(0, pl.Int64), accrued - pl.col("pen_paid")).alias("pen_left"),
        )
    )

    overdue = pl.col("due") < d
    late = (pl.col("due") <= d) & (
        pl.col("p_left") + pl.col("i_left") > pl.col("arrears_tolerance")
    )
    per_loan = inst.group_by("loan_id").agg(
        pl.col("due").filter(late).min().alias("first_late"),
        pl.col("p_left").filter(overdue).sum().alias("overdue_principal"),
        pl.col("i_left").filter(overdue).sum().alias("overdue_interest"),
        pl.col("pen_left").sum().alias("penalty"),
        pl.col("p_left").sum().alias("outstanding_principal"),
        pl.col("due").max().alias("last_due"),
        pl.col("base_days").sum(),
        pl.col("current_pd").sum(),
    )
    if future is not None and future.height:
        per_loan = (
            pl.concat(
                [
                    per_loan,
                    future.lazy()
                    .join(terms.select("loan_id", "disb"), on="loan_id", how="left")
                    .select(
                        "loan_id",
                        pl.lit(None, pl.Int64).alias("first_late"),
                        pl.lit(0, pl.Int64).alias("overdue_principal"),
                        pl.lit(0, pl.Int64).alias("overdue_interest"),
                        pl.lit(0, pl.Int64).alias("penalty"),
                        pl.col("principal_due").alias("outstanding_principal"),
                        _days("last_due").alias("last_due"),
                        pl.lit(0, pl.Int64).alias("base_days"),
                        (
                            pl.col("principal_due")
                            * pl.max_horizontal(pl.lit(0, pl.Int64), d - pl.col("disb"))
                        ).alias("current_pd"),
                    ),
                ],
                how="vertical_relaxed",
            )
            .group_by("loan_id")
            .agg(
                pl.col("first_late").min(),
                pl.col("overdue_principal", "overdue_interest", "penalty").sum(),
                pl.col("outstanding_principal").sum(),
                pl.col("last_due").max(),
                pl.col("base_days", "current_pd").sum(),
            )
        )

    fee_paid = (
        allocations.lazy()
        .filter(
            (pl.col("component") == "fee")
            & pl.col("charge_id").is_not_null()
            & (pl.col("effective_on") <= pl.lit(as_of))
        )
        .group_by(pl.col("charge_id").alias("id"))
        .agg(pl.col("amount").sum().alias("fee_paid"))
    )
    fees = (
        charges.lazy()
        .filter(pl.col("charged_on") <= pl.lit(as_of))
        .join(fee_paid, on="id", how="left")
        .group_by("loan_id")
        .agg(
            (pl.col("amount") - pl.col("waived")).sum().alias("fees_net"),
            pl.col("fee_paid").fill_null(0).sum().alias("fees_paid"),
        )
    )
    # The cap's allowance for fees (module docstring), exact in Int128, rounded once.
    cap = pl.col("rate_cap_ppm").cast(pl.Int128)
    dc = pl.col("day_count").cast(pl.Int128)
    overdue_room = cap * dc - pl.col("pen_num").cast(pl.Int128)
    current_room = (cap - pl.col("annual_rate_ppm").cast(pl.Int128)).clip(lower_bound=0) * dc
    room = overdue_room * pl.col("base_days").fill_null(0).cast(pl.Int128) + current_room * pl.col(
        "current_pd"
    ).fill_null(0).cast(pl.Int128)
    den_fee = 2 * dc * CAP_YEAR_DAYS * PPM
    allowance = ((2 * room + den_fee // 2) // den_fee).cast(pl.Int64)
    fees_owed = (
        pl.when(pl.col("fees_net").is_null())
        .then(pl.lit(0, pl.Int64))
        .when(pl.col("rate_cap_ppm").is_null())
        .then(pl.col("fees_net") - pl.col("fees_paid"))
        .otherwise(pl.min_horizontal("fees_net", allowance) - pl.col("fees_paid"))
    )

    dpd = (
        pl.when(pl.col("first_late").is_not_null())
        .then(pl.lit(d, pl.Int64) - pl.col("first_late"))
        .otherwise(0)
    )
    rank = (
        pl.when(pl.col("dpd") > config.loss_dpd)
        .then(4)
        .when(pl.col("dpd") > config.doubtful_dpd)
        .then(3)
        .when(pl.col("dpd") > config.substandard_dpd)
        .then(2)
        .when(pl.col("dpd") > 0)
        .then(1)
        .otherwise(0)
    )
    out = (
        loans.lazy()
        .select(pl.col("id").alias("loan_id"), "borrower_id")
        .join(per_loan, on="loan_id", how="left")
        .join(fees, on="loan_id", how="left")
        .join(
            terms.select(
                "loan_id", "rate", "pen_num", "rate_cap_ppm", "annual_rate_ppm", "day_count"
            ),
            on="loan_id",
            how="left",
        )
        .with_columns(fees_owed.alias("fees"))
        .with_columns(
            pl.col(
                "overdue_principal", "overdue_interest", "penalty", "outstanding_principal", "fees"
            ).fill_null(0),
        )
        .with_columns(dpd.cast(pl.Int64).alias("dpd"))
        .with_columns(rank.cast(pl.Int8).alias("rank"))
    )

    peers_out = None
    if peers is not None:
        peers_lazy = peers.lazy().with_columns(rank.cast(pl.Int8).alias("rank"))
    if config.borrower_np_share_bp is not None:
        # RULES.md: when more than 10% of a borrower's exposure is non-performing, all of it is.
        exposure = pl.col("outstanding_principal") + pl.col("overdue_interest")
        out = out.with_columns(exposure.alias("exposure"))
        pool = out.select("borrower_id", "rank", "exposure")
        if peers is not None:
            peers_lazy = peers_lazy.with_columns(exposure.alias("exposure"))
            pool = pl.concat([pool, peers_lazy.select("borrower_id", "rank", "exposure")])
        np_exposure = pl.col("exposure").filter(pl.col("rank") >= 2).sum()
        borrowers = pool.group_by("borrower_id").agg(
            (np_exposure * 10_000 > pl.col("exposure").sum() * config.borrower_np_share_bp).alias(
                "borrower_np"
            )
        )
        upgrade = (
            pl.when(pl.col("borrower_np") & (pl.col("exposure") > 0) & (pl.col("rank") < 2))
            .then(pl.lit(2, pl.Int8))
            .otherwise(pl.col("rank"))
            .alias("rank")
        )
        out = (
            out.join(borrowers, on="borrower_id", how="left")
            .with_columns(upgrade)
            .drop("exposure", "borrower_np")
        )
        if peers is not None:
            peers_lazy = peers_lazy.join(borrowers, on="borrower_id", how="left").with_columns(
                upgrade
            )
    if peers is not None:
        peers_out = peers_lazy.select(
            "loan_id",
            pl.col("rank")
            .replace_strict(dict(enumerate(CLASSES)), return_dtype=pl.String)
            .alias("classification"),
        ).sort("loan_id")

    # Limitation (eod.limitation): events in date order, interruption only while the period
    # runs, revival only by the debtor's own act, art. 203 calendar, 20-year outer limit.
    # The last due date straight from the frames (a cheap pass), so the limitation rounds,
    # which collect, do not compute the per-loan figures twice.
    last_due = installments.lazy().select("loan_id", pl.col("due_on").alias("last_due"))
    if future is not None and future.height:
        last_due = pl.concat([last_due, future.lazy().select("loan_id", "last_due")])
    deadlines = limitation.deadlines(
        last_due.group_by("loan_id").agg(pl.col("last_due").max()),
        events,
        as_of=as_of,
        years=config.limitation_years,
        kinds=config.restart_kinds,
        calendar=limitation.Calendar(
            holidays=frozenset(config.holidays), workdays=frozenset(config.workdays)
        ),
    )
    out = out.join(deadlines, on="loan_id", how="left")
    loans_out = (
        out.with_columns(
            bucket_expr(pl.col("dpd"), config.buckets).alias("bucket"),
            pl.col("rank")
            .replace_strict(
                dict(enumerate(CLASSES)),
                return_dtype=pl.String,
            )
            .alias("classification"),
            (
                pl.col("overdue_principal")
                + pl.col("overdue_interest")
                + pl.col("penalty")
                + pl.col("fees")
            ).alias("total_due"),
        )
        .with_columns(
            # Only a debt can be time-barred: a loan with nothing left owes nothing to bar.
            (
                pl.col("limitation_deadline").is_not_null()
                & (pl.col("limitation_deadline") < pl.lit(as_of))
                & (pl.col("outstanding_principal") + pl.col("total_due") > 0)
            ).alias("time_barred")
        )
        .select(RESULT_COLUMNS)
        .sort("loan_id")
    )

    horizon = d + config.pre_due_days
    pre_due = (
        inst.filter((pl.col("due") > d) & (pl.col("due") <= horizon))
        .with_columns((pl.col("p_left") + pl.col("i_left")).alias("amount_due"))
        .filter(pl.col("amount_due") > 0)
        .select(
            "loan_id",
            pl.col("id").alias("installment_id"),
            "number",
            pl.col("due").cast(pl.Int32).cast(pl.Date).alias("due_on"),
            "amount_due",
        )
        .sort("due_on", "loan_id", "number")
    )
    if peers_out is None:
        loans_df, pre_due_df = pl.collect_all([loans_out, pre_due])
        peers_df = None
    else:
        loans_df, pre_due_df, peers_df = pl.collect_all([loans_out, pre_due, peers_out])
    pre_due_df = pre_due_net_of_credit(pre_due_df, credit, loans_df)
    return EodResult(as_of=as_of, loans=loans_df, pre_due=pre_due_df, peers=peers_df)


def pre_due_net_of_credit(
    pre_due: pl.DataFrame, credit: pl.DataFrame | None, owed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The pre-due list less the credit each loan holds as of D.

    Held credit is applied on the next due date to what is due then, by the waterfall:
    first anything owed as of D (`owed`: loan_id, total_due — fees the cap released since
    the last event, say), then the installments oldest first. So an installment shows only
    what the credit will not cover, and one the credit covers in full is not listed: a
    prepaid loan is not falling due.
    """
    if credit is None or credit.height == 0 or pre_due.height == 0:
        return pre_due
    left = credit.lazy()
    if owed is not None:
        left = left.join(owed.lazy().select("loan_id", "total_due"), on="loan_id", how="left")
        left = left.select(
            "loan_id",
            (pl.col("credit") - pl.col("total_due").fill_null(0))
            .clip(lower_bound=0)
            .alias("credit"),
        )
    before = pl.col("amount_due").cum_sum().over("loan_id") - pl.col("amount_due")
    return (
        pre_due.lazy()
        .sort("loan_id", "due_on", "number")
        .join(left, on="loan_id", how="left")
        .with_columns(pl.col("credit").fill_null(0))
        .with_columns(
            # The part of this installment the credit left after the earlier ones covers.
            (
                pl.col("amount_due")
                - (pl.col("credit") - before).clip(lower_bound=0, upper_bound=pl.col("amount_due"))
            ).alias("amount_due")
        )
        .filter(pl.col("amount_due") > 0)
        .select(pre_due.columns)
        .sort("due_on", "loan_id", "number")
        .collect()
    )


GROUP_SCHEMA = {
    "bucket": pl.String,
    "classification": pl.String,
    "delinquent": pl.Int64,
    "time_barred": pl.Int64,
    "loans": pl.Int64,
    "total_due": pl.Int64,
    "principal": pl.Int64,
}


def totals(groups: pl.DataFrame, config: EodConfig) -> dict:
    """The summary's totals (loans, delinquent, time-barred, by bucket, by class) of rows
    grouped by bucket, classification, delinquent (0/1) and time_barred (0/1)."""
    by_bucket = {label: {"loans": 0, "total_due": 0, "principal": 0} for label, _ in config.buckets}
    agg = groups.group_by("bucket").agg(pl.col("loans", "total_due", "principal").sum())
    for row in agg.iter_rows(named=True):
        by_bucket[row["bucket"]] = {
            "loans": int(row["loans"]),
            "total_due": int(row["total_due"]),
            "principal": int(row["principal"]),
        }
    by_class = {
        row["classification"]: int(row["loans"])
        for row in groups.group_by("classification")
        .agg(pl.col("loans").sum())
        .iter_rows(named=True)
    }

    def total(where: pl.Expr | None = None) -> int:
        frame = groups if where is None else groups.filter(where)
        return int(frame.get_column("loans").sum() or 0)

    return {
        "loans": total(),
        "delinquent": total(pl.col("delinquent") == 1),
        "time_barred": total(pl.col("time_barred") == 1),
        "by_bucket": by_bucket,
        "by_class": by_class,
    }


def totals_add(a: dict, b: dict, sign: int = 1) -> dict:
    """a + sign × b, for totals() dicts (a run's summary holds the same keys)."""
    out = {k: a[k] + sign * b.get(k, 0) for k in ("loans", "delinquent", "time_barred")}
    out["by_bucket"] = {
        label: {
            f: a["by_bucket"].get(label, {}).get(f, 0)
            + sign * b["by_bucket"].get(label, {}).get(f, 0)
            for f in ("loans", "total_due", "principal")
        }
        for label in {**a["by_bucket"], **b["by_bucket"]}
    }
    out["by_class"] = {
        c: a["by_class"].get(c, 0) + sign * b["by_class"].get(c, 0)
        for c in {**a["by_class"], **b["by_class"]}
    }
    return out


def summarise(
    result: EodResult,
    previous_dpd: pl.DataFrame | None,
    config: EodConfig,
    carried: dict | None = None,
) -> dict:
    """Counts and balances by bucket, newly delinquent and cured (vs the previous snapshot).

    `carried`: an incremental run's loans carried forward unchanged, as totals() (see
    eod.incremental.carried_summary); their DPD did not move, so none of them is newly
    delinquent or cured.
    """
    df = result.loans
    groups = df.group_by(
        "bucket",
        "classification",
        (pl.col("dpd") > 0).cast(pl.Int64).alias("delinquent"),
        pl.col("time_barred").cast(pl.Int64),
    ).agg(
        pl.len().cast(pl.Int64).alias("loans"),
        pl.col("total_due").sum(),
        pl.col("outstanding_principal").sum().alias("principal"),
    )
    summary = totals(groups, config)
    if carried is not None:
        summary = totals_add(summary, carried)
    # One order for every run (and no empty classes), however the totals were put together.
    summary["by_bucket"] = {
        label: summary["by_bucket"].get(label, {"loans": 0, "total_due": 0, "principal": 0})
        for label, _ in config.buckets
    }
    summary["by_class"] = {c: n for c, n in sorted(summary["by_class"].items()) if n}
    if previous_dpd is None:  # no earlier snapshot: every delinquent loan is newly so
        previous_dpd = pl.DataFrame(schema={"loan_id": pl.Int64, "dpd": pl.Int64})
    joined = df.select("loan_id", "dpd").join(
        previous_dpd.rename({"dpd": "prev"}), on="loan_id", how="left"
    )
    prev = pl.col("prev").fill_null(0)
    return {
        "loans": summary["loans"],
        "delinquent": summary["delinquent"],
        "time_barred": summary["time_barred"],
        "pre_due": result.pre_due.height,
        "newly_delinquent": joined.filter((pl.col("dpd") > 0) & (prev == 0)).height,
        "cured": joined.filter((pl.col("dpd") == 0) & (prev > 0)).height,
        "by_bucket": summary["by_bucket"],
        "by_class": summary["by_class"],
    }
