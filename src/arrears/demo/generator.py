"""The synthetic demo portfolio: a deterministic Chinese microloan book, written in bulk.

Loans are built in chunks of CHUNK loans, each chunk from its own `random.Random` seeded by
(seed, chunk number), and written with COPY (PostgreSQL) or executemany (SQLite) by a writer
thread while the next chunk is built — never a per-row ORM save and never the whole book in
memory. Primary keys are assigned here (the book is empty or was just reset), so
installments, payments, charges and their allocations can be written in one pass.

Allocations are exactly what `book.services.loans_replay` would store. Loans whose every
payment settles whole installments (with their exact penalty and fees; no fee under a capped
product, which the cap may hold back) get their
allocations written directly — fees, penalty, interest, principal, on the payment date —
and every other loan goes through `book.ledger.replay`, the very rule `loans_replay` runs.
tests/test_replay_consistency.py re-runs `loans_replay` over a generated book and finds
nothing to change.
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from arrears.book import ledger
from arrears.book.models import (
    Allocation,
    Borrower,
    Charge,
    Collateral,
    Contact,
    Guarantor,
    Installment,
    Loan,
    Payment,
    Product,
)
from arrears.book.schedule import build_schedule, due_dates
from arrears.book.services import default_penalty_rate
from arrears.book.terms import terms_for
from arrears.core.audit import audit_record
from arrears.core.crypto import seal_rows
from arrears.core.dates import add_months
from arrears.core.ids import make_id_number
from arrears.core.money import div_half_up
from arrears.demo import geography
from arrears.demo.names import NamePools
from arrears.demo.users import FIELD_TOWNS, DemoStaff, demo_staff

CHUNK = 10_000
# Every tenth loan goes to a borrower who already has one (a repeat customer).
REPEAT_EVERY = 10
HISTORY_DAYS = 5 * 365
SQLITE_BATCH = 50_000
# Loans this many days past due go to the legal officer (the seed: after two years only
# about 20 % is recovered, and the limitation period is three years).
LEGAL_DPD = 540


class DemoError(Exception):
    """Something a person must fix before the demo can be generated."""


# --- products --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    product_type: str
    annual_rate: str
    rates: tuple[str, ...]
    penalty_rate: str | None
    penalty_base: str
    grace_days: int
    rate_cap: str | None
    fee_fen: int
    methods: tuple[tuple[str, int], ...]  # (method, weight)
    # A broken promise to pay costs this fee and flags the borrower for negative credit.
    broken_promise_fee_fen: int = 0
    negative_credit_on_broken_promise: bool = False


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        code="",  # settings.ARREARS_DEFAULT_PRODUCT
        name="标准小额贷款 Standard microloan",
        product_type=Product.ProductType.MICROLOAN,
        annual_rate="0.144",
        rates=("0.12", "0.144", "0.18", "0.216"),
        penalty_rate=None,  # 1.5 × the contract rate, capped at 24 % all-in
        penalty_base=Product.PenaltyBase.PRINCIPAL,
        grace_days=0,
        rate_cap="0.24",
        fee_fen=2000,  # 扣款失败费 20 yuan
        methods=(("annuity", 50), ("equal_principal", 30), ("interest_first", 10), ("bullet", 10)),
        broken_promise_fee_fen=5000,  # 50 yuan (the case work shows it charged)
        negative_credit_on_broken_promise=True,
    ),
    ProductSpec(
        code="AGRI",
        name="农户小额信用贷款 Farmer's microcredit",
        product_type=Product.ProductType.MICROLOAN,
        annual_rate="0.096",
        rates=("0.087", "0.096", "0.108"),
        penalty_rate="0.144",
        penalty_base=Product.PenaltyBase.PRINCIPAL,
        grace_days=3,
        rate_cap="0.24",
        fee_fen=0,
        methods=(("bullet", 35), ("interest_first", 35), ("annuity", 15), ("equal_principal", 15)),
    ),
    ProductSpec(
        code="BIZ",
        name="个体工商户经营贷 Small-business loan",
        product_type=Product.ProductType.MICROLOAN,
        annual_rate="0.12",
        rates=("0.10", "0.12", "0.15"),
        penalty_rate=None,
        penalty_base=Product.PenaltyBase.PRINCIPAL_INTEREST,
        grace_days=0,
        rate_cap="0.24",
        fee_fen=2000,
        methods=(("interest_first", 40), ("annuity", 30), ("equal_principal", 20), ("bullet", 10)),
    ),
)

TERMS = ((3, 8), (6, 18), (9, 8), (12, 34), (18, 10), (24, 14), (36, 8))
BULLET_TERMS = ((3, 25), (6, 35), (9, 15), (12, 25))
# (low, high, step, weight) in yuan: most microloans are small.
AMOUNT_TIERS = (
    (500, 3_000, 100, 30),
    (3_000, 10_000, 100, 30),
    (10_000, 30_000, 1_000, 22),
    (30_000, 80_000, 1_000, 12),
    (80_000, 200_000, 5_000, 6),
)
PROFILES = (
    ("on_time", 60),
    ("late", 11),
    ("cured", 5),
    ("partial", 5),
    ("default", 14),
    ("overpay", 2),
    ("statute", 3),
)
# Days past due aimed at by defaulters: every bucket M1 … M7+ gets some.
DPD_BANDS = (
    (1, 30, 20),
    (31, 60, 17),
    (61, 90, 14),
    (91, 120, 10),
    (121, 150, 8),
    (151, 180, 7),
    (181, 900, 24),
)


@dataclass
class ProductInfo:
    """A demo product as the generator needs it (ids, weights, ledger terms by rate)."""

    spec: ProductSpec
    id: int
    product: Product
    methods: Callable
    terms_by_rate: dict[str, tuple[str, ledger.Terms]] = field(default_factory=dict)

    def terms(self, rate: str) -> tuple[str, ledger.Terms]:
        """(the loan's penalty rate as text, the ledger terms) for a contract rate."""
        hit = self.terms_by_rate.get(rate)
        if hit is None:
            p = self.product
            penalty = default_penalty_rate(p, Decimal(rate))
            terms = terms_for(
                penalty_rate=penalty,
                rate_cap=p.rate_cap,
                day_count=p.day_count,
                grace_days=p.grace_days,
                penalty_base=p.penalty_base,
                allocation_order=p.allocation_order,
                annual_rate=Decimal(rate),
            )
            hit = self.terms_by_rate[rate] = (str(penalty), terms)
        return hit


def demo_products() -> list[Product]:
    """Create or refresh the three demo products."""
    out = []
    for spec in PRODUCTS:
        product, _ = Product.objects.update_or_create(
            code=spec.code or settings.ARREARS_DEFAULT_PRODUCT,
            defaults={
                "name": spec.name,
                "product_type": spec.product_type,
                "annual_rate": Decimal(spec.annual_rate),
                "penalty_rate": Decimal(spec.penalty_rate) if spec.penalty_rate else None,
                "penalty_base": spec.penalty_base,
                "grace_days": spec.grace_days,
                "rate_cap": Decimal(spec.rate_cap) if spec.rate_cap else None,
                "failed_deduction_fee_fen": spec.fee_fen,
                "broken_promise_fee_fen": spec.broken_promise_fee_fen,
                "negative_credit_on_broken_promise": spec.negative_credit_on_broken_promise,
            },
        )
        out.append(product)
    return out


# --- small helpers ---------------------------------------------------------------------


def weighted(pairs) -> Callable:
    """A picker over (value, weight) pairs driven by one rng.random() call (fast)."""
    values = [p[0] for p in pairs]
    cum = []
    total = 0
    for p in pairs:
        total += p[-1]
        cum.append(total)

    def pick(rng) -> object:
        return values[bisect.bisect_right(cum, rng.random() * total)]

    return pick


_pick_term = weighted(TERMS)
_pick_bullet_term = weighted(BULLET_TERMS)
_pick_tier = weighted([(t, t[3]) for t in AMOUNT_TIERS])
_pick_profile = weighted(PROFILES)
_pick_band = weighted([(b, b[2]) for b in DPD_BANDS])
_pick_town = weighted([(t, t.weight) for t in geography.TOWNS])


class ScheduleCache:
    """build_schedule, memoised: amounts depend only on (principal, rate, term, method), and
    due dates only on (disbursement date, term) — see test_schedule_cache_equals_build."""

    def __init__(self) -> None:
        self.amounts: dict[tuple, tuple[tuple[int, int], ...]] = {}
        self.dates: dict[tuple, tuple[dt.date, ...]] = {}

    def get(
        self, principal_fen: int, rate: str, term: int, method: str, disbursed_on: dt.date
    ) -> tuple[tuple[tuple[int, int], ...], tuple[dt.date, ...]]:
        key = (principal_fen, rate, term, method)
        amounts = self.amounts.get(key)
        if amounts is None:
            if len(self.amounts) > 200_000:
                self.amounts.clear()
            sched = build_schedule(
                principal_fen=principal_fen,
                annual_rate=Decimal(rate),
                term_months=term,
                method=method,
                disbursed_on=disbursed_on,
            )
            amounts = self.amounts[key] = tuple((s.principal_fen, s.interest_fen) for s in sched)
        n = 1 if method == "bullet" else term
        dkey = (disbursed_on, term, n)
        dates = self.dates.get(dkey)
        if dates is None:
            if len(self.dates) > 200_000:
                self.dates.clear()
            all_dates = due_dates(disbursed_on, term)
            dates = self.dates[dkey] = tuple(all_dates[-1:] if n == 1 else all_dates)
        return amounts, dates


# --- the rows of one chunk -------------------------------------------------------------

BORROWER_FIELDS = (
    "id",
    "external_id",
    "kind",
    "name",
    "id_number",
    "phone",
    "phone2",
    "address",
    "province",
    "county",
    "town",
    "village",
    "employer",
    "created_at",
    "updated_at",
)
CONTACT_FIELDS = (
    "borrower_id",
    "name",
    "relation",
    "phone",
    "address",
    "consent_to_contact",
    "consent_to_sms",
    "note",
)
LOAN_FIELDS = (
    "id",
    "external_id",
    "borrower_id",
    "product_id",
    "principal_fen",
    "annual_rate",
    "penalty_rate",
    "disbursed_on",
    "term_months",
    "repayment_method",
    "status",
    "schedule_source",
    "credit_balance_fen",
    "team_id",
    "collector_id",
    "field_agent_id",
    "legal_officer_id",
    "agency_id",
    "created_at",
    "updated_at",
    # New loans are changed loans for the end-of-day run (docs/eod.md, incremental runs).
    "ledger_changed_at",
)
INSTALLMENT_FIELDS = (
    "id",
    "loan_id",
    "number",
    "due_on",
    "principal_due_fen",
    "interest_due_fen",
    "principal_paid_fen",
    "interest_paid_fen",
    "penalty_paid_fen",
)
CHARGE_FIELDS = (
    "id",
    "loan_id",
    "kind",
    "charged_on",
    "amount_fen",
    "paid_fen",
    "waived_fen",
    "note",
    "created_at",
)
PAYMENT_FIELDS = (
    "id",
    "external_id",
    "loan_id",
    "paid_on",
    "amount_fen",
    "channel",
    "source",
    "posted_at",
    "posted_by_id",
)
ALLOCATION_FIELDS = (
    "payment_id",
    "loan_id",
    "installment_id",
    "charge_id",
    "component",
    "amount_fen",
    "effective_on",
)
GUARANTOR_FIELDS = ("loan_id", "name", "phone", "id_number", "address", "kind", "limit_fen")
COLLATERAL_FIELDS = ("loan_id", "kind", "description", "value_fen")

# Parents before children, so a chunk can be written in this order with checks on.
TABLES = (
    (Borrower, BORROWER_FIELDS, "borrowers"),
    (Contact, CONTACT_FIELDS, "contacts"),
    (Loan, LOAN_FIELDS, "loans"),
    (Installment, INSTALLMENT_FIELDS, "installments"),
    (Charge, CHARGE_FIELDS, "charges"),
    (Payment, PAYMENT_FIELDS, "payments"),
    (Allocation, ALLOCATION_FIELDS, "allocations"),
    (Guarantor, GUARANTOR_FIELDS, "guarantors"),
    (Collateral, COLLATERAL_FIELDS, "collateral"),
)


@dataclass
class Counters:
    """Next primary keys and external numbers; carried from chunk to chunk."""

    borrower_id: int = 1
    loan_id: int = 1
    installment_id: int = 1
    payment_id: int = 1
    charge_id: int = 1
    borrower_no: int = 1
    loan_no: int = 1
    payment_no: int = 1


@dataclass
class Summary:
    """What was generated, for the command's report and the benchmark."""

    loans: int = 0
    borrowers: int = 0
    contacts: int = 0
    installments: int = 0
    payments: int = 0
    allocations: int = 0
    charges: int = 0
    guarantors: int = 0
    collateral: int = 0
    principal_fen: int = 0
    by_method: Counter = field(default_factory=Counter)
    by_town: Counter = field(default_factory=Counter)
    by_profile: Counter = field(default_factory=Counter)
    by_bucket: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    eod: str = ""

    def add_rows(self, name: str, n: int) -> None:
        """Count `n` more rows of table `name`."""
        setattr(self, name, getattr(self, name) + n)


def bucket_of(dpd: int) -> str:
    """M0 … M7+ with the default 30-day bands (for the summary only)."""
    if dpd <= 0:
        return "M0"
    return f"M{min((dpd - 1) // 30 + 1, 7)}" + ("+" if dpd > 180 else "")


class ChunkBuilder:
    """Builds the rows of one chunk of loans from its own random stream."""

    def __init__(
        self,
        *,
        seed: int,
        chunk_no: int,
        as_of: dt.date,
        products: list[ProductInfo],
        staff: DemoStaff,
        names: NamePools,
        cache: ScheduleCache,
        counters: Counters,
        now_db,
    ) -> None:
        import random

        self.rng = random.Random(f"arrears-demo:{seed}:{chunk_no}")
        self.as_of = as_of
        self.as_of_iso = as_of.isoformat()
        self.products = products
        self.staff = staff
        self.names = names
        self.cache = cache
        self.c = counters
        self.now = now_db
        self.rows: dict[str, list[tuple]] = {t[2]: [] for t in TABLES}
        self.chunk_borrowers: list[tuple[int, geography.Town, str, str, str]] = []
        self.principal_fen = 0
        self.by_method: Counter = Counter()
        self.by_town: Counter = Counter()
        self.by_profile: Counter = Counter()
        self.by_bucket: Counter = Counter()

    # -- people ----------------------------------------------------------------------

    def borrower(self) -> tuple[int, geography.Town, str, str, str, bool]:
        """A new borrower (person or business) with contacts; returns what the loan needs."""
        rng, nm, c = self.rng, self.names, self.c
        town = _pick_town(rng)
        village = town.villages[int(rng.random() * len(town.villages))]
        group = geography.GROUPS[int(rng.random() * len(geography.GROUPS))]
        address = (
            f"{geography.PROVINCE}{town.county}{town.name}{village}{group}组{rng.randint(1, 120)}号"
        )
        business = rng.random() < 0.08
        local = town.name in FIELD_TOWNS
        person = nm.person(rng, local=local)
        birth = self.birth_date()
        id_number = make_id_number(town.area_code, birth, rng.randint(0, 999))
        if business:
            name = nm.shop(rng, town.name)
            kind = Borrower.Kind.BUSINESS
            employer = ""
        else:
            name = person
            kind = Borrower.Kind.PERSON
            employer = nm.employer(rng)
        bid = c.borrower_id
        c.borrower_id += 1
        ext = f"DEMO-B{c.borrower_no:06d}"
        c.borrower_no += 1
        phone = nm.mobile(rng)
        phone2 = nm.mobile(rng) if rng.random() < 0.2 else ""
        self.rows["borrowers"].append(
            (
                bid,
                ext,
                kind,
                name,
                id_number,
                phone,
                phone2,
                address,
                geography.PROVINCE,
                town.county,
                town.name,
                village,
                employer,
                self.now,
                self.now,
            )
        )
        contacts = self.rows["contacts"]
        if business:
            # The owner (法定代表人) is the first person to call about a shop's loan.
            contacts.append((bid, person, "self", phone, address, True, True, "经营者本人"))
        elif rng.random() < 0.7:
            contacts.append(
                (bid, nm.spouse(rng, person), "spouse", nm.mobile(rng), address, True, True, "")
            )
        contacts.append(
            (
                bid,
                nm.person(rng, local=local),
                "relative",
                nm.mobile(rng),
                "",
                True,
                rng.random() < 0.6,
                "",
            )
        )
        if employer.endswith("公司") and rng.random() < 0.6:
            contacts.append(
                (
                    bid,
                    employer,
                    "employer",
                    nm.landline(rng),
                    "",
                    rng.random() < 0.5,
                    False,
                    "人事部",
                )
            )
        elif rng.random() < 0.3:
            contacts.append(
                (
                    bid,
                    nm.person(rng),
                    "colleague",
                    nm.mobile(rng),
                    "",
                    rng.random() < 0.5,
                    False,
                    "",
                )
            )
        contacts.append(
            (
                bid,
                nm.person(rng, local=local),
                "emergency",
                nm.mobile(rng),
                "",
                rng.random() < 0.9,
                rng.random() < 0.5,
                "",
            )
        )
        entry = (bid, town, village, address, person, business)
        self.chunk_borrowers.append(entry)
        return entry

    def birth_date(self) -> dt.date:
        """A birth date for an adult borrower or guarantor."""
        # Borrowers are 22–62 years old at the as-of date.
        days = self.rng.randint(22 * 365, 62 * 365)
        return self.as_of - dt.timedelta(days=days)

    # -- loans -----------------------------------------------------------------------

    def loan(self) -> None:
        """One loan with its schedule, payments, charges, allocations and guarantees."""
        rng, c = self.rng, self.c
        if c.loan_no % REPEAT_EVERY == 0 and self.chunk_borrowers:
            who = self.chunk_borrowers[int(rng.random() * len(self.chunk_borrowers))]
        else:
            who = self.borrower()
        bid, town, _village, address, person, business = who
        if business:
            info = self.products[2]
        else:
            info = self.products[1] if rng.random() < 0.35 else self.products[0]
        spec = info.spec
        method = info.methods(rng)
        term = _pick_bullet_term(rng) if method == "bullet" else _pick_term(rng)
        n = 1 if method == "bullet" else term
        rate = spec.rates[int(rng.random() * len(spec.rates))]
        low, high, step, _w = _pick_tier(rng)
        principal_fen = rng.randrange(low, high + 1, step) * 100
        if business:
            principal_fen = max(principal_fen, 1_000_000)
        profile = _pick_profile(rng)
        as_of = self.as_of

        # When the loan was disbursed, and (defaulters) after how many installments it stopped.
        paid_k = None
        if profile == "default":
            lo, hi, _w = _pick_band(rng)
            target_dpd = rng.randint(lo, hi)
            paid_k = rng.randint(0, n - 1)
            room = (HISTORY_DAYS - target_dpd) // 31 - 1
            paid_k = max(0, min(paid_k, room))
            # The first unpaid installment (number paid_k+1) falls due about target_dpd ago.
            months_to_first_unpaid = term if n == 1 else paid_k + 1
            disbursed = add_months(as_of - dt.timedelta(days=target_dpd), -months_to_first_unpaid)
        elif profile == "statute":
            # Matured 2.5–4 years ago, nothing paid since well before then.
            if method != "bullet":
                term = min(term, 12)
                n = term
            matured_ago = rng.randint(913, 1460)
            disbursed = add_months(as_of - dt.timedelta(days=matured_ago), -term)
            paid_k = rng.randint(0, n - 1)
        else:
            days_ago = int(HISTORY_DAYS * rng.random() ** 1.4)
            disbursed = as_of - dt.timedelta(days=days_ago)
        amounts, dates = self.cache.get(principal_fen, rate, term, method, disbursed)

        lid = c.loan_id
        c.loan_id += 1
        loan_ext = f"DEMO-L{c.loan_no:06d}"
        c.loan_no += 1
        penalty_text, terms = info.terms(rate)
        auto_debit = rng.random() < (0.3 if spec.code == "AGRI" else 0.6)

        inst_ids = list(range(c.installment_id, c.installment_id + n))
        c.installment_id += n
        due_count = bisect.bisect_right(dates, as_of)  # installments due on or before as_of

        # id, external id, paid on, amount, channel, and for an exact payment what it settles:
        # ((installment index, penalty), …) and the charges it pays; None for any other.
        payments: list[tuple] = []
        charges: list[tuple[int, dt.date, int]] = []
        regular = (
            "auto_debit" if auto_debit else ("bank_transfer" if rng.random() < 0.6 else "cash")
        )

        def pay(day, amount, channel=regular, covers=None, fees=()) -> None:
            pid = c.payment_id
            c.payment_id += 1
            payments.append((pid, f"DEMO-P{c.payment_no:07d}", day, amount, channel, covers, fees))
            c.payment_no += 1

        def pay_exact(day, ks, channel=regular, fees=()) -> None:
            """Pay installments `ks` in full on `day`, with their penalty and `fees`."""
            covers = tuple((k, penalty(k, day)) for k in ks)
            amount = sum(total(k) + pen for k, pen in covers) + sum(f[2] for f in fees)
            pay(day, amount, channel, covers, fees)

        def penalty(k: int, day: dt.date) -> int:
            # Exactly the ledger's accrual for installment k unpaid in full until `day`.
            days = (day - dates[k]).days - terms.grace_days
            if days <= 0:
                return 0
            base = amounts[k][0] + (amounts[k][1] if terms.penalty_on_interest else 0)
            return div_half_up(
                base * ledger.penalty_numerator(terms) * days,
                terms.day_count * ledger.CAP_YEAR_DAYS * 1_000_000,
            )

        def total(k: int) -> int:
            return amounts[k][0] + amounts[k][1]

        if profile == "on_time":
            for k in range(due_count):
                pay_exact(dates[k], (k,))
        elif profile in ("default", "statute"):
            for k in range(min(paid_k, due_count)):
                pay_exact(dates[k], (k,))
        elif profile == "overpay":
            for k in range(due_count):
                amount = total(k)
                if rng.random() < 0.3:
                    amount = (amount // 10_000 + 1) * 10_000  # rounded up to 100 yuan
                pay(dates[k], amount)
        elif profile == "partial":
            pct = rng.randint(30, 80)
            stop = rng.randint(1, max(due_count, 1))
            for k in range(min(due_count, stop)):
                pay(dates[k], max(100, total(k) * pct // 100))
        elif profile == "late":
            for k in range(due_count):
                if rng.random() < 0.4:
                    pay_exact(dates[k], (k,))
                    continue
                # Late, but before the next installment falls due.
                gap = (dates[k + 1] - dates[k]).days - 1 if k + 1 < n else 40
                day = dates[k] + dt.timedelta(days=rng.randint(1, min(gap, 25)))
                fees = ()
                if auto_debit and spec.fee_fen and rng.random() < 0.6:
                    fees = ((c.charge_id, dates[k], spec.fee_fen),)
                    charges.extend(fees)
                    c.charge_id += 1
                if day > as_of:
                    break  # not paid yet: late right now
                pay_exact(day, (k,), "bank_transfer", fees)
        elif profile == "cured":
            j = rng.randint(0, max(n - 2, 0))
            missed = rng.randint(1, 3)
            catch = min(j + missed, n - 1)  # index of the installment the catch-up lands on
            for k in range(min(j, due_count)):
                pay_exact(dates[k], (k,))
            if catch < due_count:
                day = dates[catch] + dt.timedelta(days=rng.randint(0, 10))
                if day <= as_of:
                    pay_exact(day, range(j, catch + 1), "cash")
                    for k in range(catch + 1, due_count):
                        pay_exact(dates[k], (k,))

        rows = self.rows
        inst_rows = rows["installments"]
        alloc_rows = rows["allocations"]
        # The direct case: every payment settles whole installments (the oldest unpaid ones,
        # before the next falls due) with their exact penalty and the fees charged on them.
        # The ledger's waterfall then gives, on the payment date: the fees, each
        # installment's penalty, their interest, their principal; nothing is left as credit.
        direct = (
            info.product.arrears_tolerance_fen == 0
            and terms.waterfall == ledger.DEFAULT_WATERFALL
            and all(p[5] is not None for p in payments)
            # A capped product may hold a fee back (book.ledger): the ledger decides.
            and not (charges and terms.fee_cap_ppm is not None)
        )
        if direct:
            paid_pen = [0] * n
            paid_fee: dict[int, int] = {}
            paid_n = 0
            for pid, _ext, day, _amount, _channel, covers, fees in payments:
                d = day.isoformat()
                for fid, _on, fee in fees:
                    alloc_rows.append((pid, lid, None, fid, "fee", fee, d))
                    paid_fee[fid] = fee
                for k, pen in covers:
                    if pen:
                        alloc_rows.append((pid, lid, inst_ids[k], None, "penalty", pen, d))
                        paid_pen[k] = pen
                for k, _pen in covers:
                    if amounts[k][1]:
                        alloc_rows.append(
                            (pid, lid, inst_ids[k], None, "interest", amounts[k][1], d)
                        )
                for k, _pen in covers:
                    if amounts[k][0]:
                        alloc_rows.append(
                            (pid, lid, inst_ids[k], None, "principal", amounts[k][0], d)
                        )
                paid_n += len(covers)
            for k in range(n):
                p, i = amounts[k]
                if k < paid_n:
                    inst_rows.append(
                        (inst_ids[k], lid, k + 1, dates[k].isoformat(), p, i, p, i, paid_pen[k])
                    )
                else:
                    inst_rows.append((inst_ids[k], lid, k + 1, dates[k].isoformat(), p, i, 0, 0, 0))
            for fid, on, fee in charges:
                rows["charges"].append(
                    (
                        fid,
                        lid,
                        Charge.Kind.FAILED_DEDUCTION,
                        on.isoformat(),
                        fee,
                        paid_fee.get(fid, 0),
                        0,
                        "自动扣款失败",
                        self.now,
                    )
                )
            credit = 0
            settled = paid_n == n and len(paid_fee) == len(charges)
            status = Loan.Status.PAID_OFF if settled else Loan.Status.ACTIVE
            dpd = (as_of - dates[paid_n]).days if paid_n < due_count else 0
        else:
            result = ledger.replay(
                installments=[
                    ledger.InstallmentIn(inst_ids[k], k + 1, dates[k], amounts[k][0], amounts[k][1])
                    for k in range(n)
                ],
                payments=[ledger.PaymentIn(p[0], p[1], p[2], p[3]) for p in payments],
                charges=[ledger.ChargeIn(ch[0], ch[1], ch[2], 0) for ch in charges],
                terms=terms,
                disbursed_on=disbursed,
            )
            for pos in result.installments:
                inst_rows.append(
                    (
                        pos.key,
                        lid,
                        pos.number,
                        pos.due_on.isoformat(),
                        pos.principal_due,
                        pos.interest_due,
                        pos.principal_paid,
                        pos.interest_paid,
                        pos.penalty_paid,
                    )
                )
            for a in result.allocations:
                alloc_rows.append(
                    (
                        a.payment_key,
                        lid,
                        a.installment_key,
                        a.charge_key,
                        a.component,
                        a.amount,
                        a.effective_on.isoformat(),
                    )
                )
            for ch in charges:
                rows["charges"].append(
                    (
                        ch[0],
                        lid,
                        Charge.Kind.FAILED_DEDUCTION,
                        ch[1].isoformat(),
                        ch[2],
                        result.charges_paid[ch[0]],
                        0,
                        "自动扣款失败",
                        self.now,
                    )
                )
            # The same rule as book.services._replay_chunk.
            settled = result.settled
            status = Loan.Status.PAID_OFF if settled else Loan.Status.ACTIVE
            credit = result.credit_balance
            dpd = result.dpd(as_of, info.product.arrears_tolerance_fen)

        for pid, ext, day, amount, channel, _covers, _fees in payments:
            rows["payments"].append(
                (pid, ext, lid, day.isoformat(), amount, channel, "demo", self.now, None)
            )

        team = collector = field_agent = legal = agency = None
        if dpd > 0:
            # Who works the loan: phone teams for the early buckets, the field agent in the
            # towns he covers, the legal officer for the oldest, the agencies for part of M4+.
            side = lid % 2
            team = self.staff.teams[side]
            if dpd <= 90:
                collector = self.staff.collectors[side]
            if dpd > 60 and town.name in FIELD_TOWNS:
                field_agent = self.staff.field_agent
            if dpd > LEGAL_DPD:
                legal = self.staff.legal_officer
            elif dpd > 90 and field_agent is None and lid % 3 != 0:
                # One in four of those with the second agency (demo/agencies.py).
                agency = self.staff.agency if lid % 4 else self.staff.second_agency
        rows["loans"].append(
            (
                lid,
                loan_ext,
                bid,
                info.id,
                principal_fen,
                rate,
                penalty_text,
                disbursed.isoformat(),
                term,
                method,
                status,
                "generated",
                credit,
                team,
                collector,
                field_agent,
                legal,
                agency,
                self.now,
                self.now,
                self.now,
            )
        )

        if rng.random() < 0.4:
            g_name = self.names.person(rng, local=town.name in FIELD_TOWNS)
            g_phone = self.names.mobile(rng)
            g_id = make_id_number(town.area_code, self.birth_date(), rng.randint(0, 999))
            joint = rng.random() < 0.85
            rows["guarantors"].append(
                (
                    lid,
                    g_name,
                    g_phone,
                    g_id,
                    address,
                    "joint" if joint else "general",
                    None if joint else principal_fen,
                )
            )
            rows["contacts"].append(
                (
                    bid,
                    g_name,
                    "guarantor",
                    g_phone,
                    address,
                    True,
                    rng.random() < 0.5,
                    f"{loan_ext} 担保人",
                )
            )
        if principal_fen >= 3_000_000 and rng.random() < 0.35 or business and rng.random() < 0.3:
            kind, desc = self.names.collateral(rng, town.name)
            value = principal_fen * rng.randint(12, 30) // 10
            rows["collateral"].append((lid, kind, desc, value))

        self.principal_fen += principal_fen
        self.by_method[method] += 1
        self.by_town[town.name] += 1
        self.by_profile[profile] += 1
        self.by_bucket[bucket_of(dpd)] += 1


# --- writing -------------------------------------------------------------------------


def insert_rows(raw, vendor: str, model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Append rows to a model's table through the DB-API connection `raw`.

    COPY on PostgreSQL, executemany on SQLite. Takes the raw connection (not Django's
    thread-local proxy) so a writer thread can use the generating thread's transaction.
    """
    if not rows:
        return
    # Personal numbers are written sealed, with their blind indexes (core/crypto.py).
    fields, rows = seal_rows(model, fields, rows)
    table = model._meta.db_table
    cols = [model._meta.get_field(f).column for f in fields]
    if vendor == "postgresql":
        quoted = ", ".join(f'"{c}"' for c in cols)
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as cp:
                for row in rows:
                    cp.write_row(row)
        return
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
    for start in range(0, len(rows), SQLITE_BATCH):
        raw.executemany(sql, rows[start : start + SQLITE_BATCH])


def _write_chunk(raw, vendor: str, rows: dict[str, list[tuple]], errors: list) -> None:
    """Write one chunk's rows, parents first (runs in the writer thread)."""
    try:
        for model, fields, name in TABLES:
            insert_rows(raw, vendor, model, fields, rows[name])
    except BaseException as exc:  # handed to the generating thread, which re-raises it
        errors.append(exc)


def book_models() -> list:
    """Every model holding loan-book data: the book app, and anything that points at it.

    Products are kept (the generator updates them in place), so settings that hang off a
    product, such as another app's rule packs, survive a reset.
    """
    found = [m for m in apps.get_app_config("book").get_models() if m is not Product]
    found += (
        list(apps.get_app_config("eod").get_models()) if apps.is_installed("arrears.eod") else []
    )
    changed = True
    while changed:
        changed = False
        # Auto-created models too: the many-to-many tables (an activity's documents, a death
        # report's evidence) point at rows the reset deletes.
        for model in apps.get_models(include_auto_created=True):
            if model in found:
                continue
            for f in model._meta.get_fields():
                if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model in found:
                    found.append(model)
                    changed = True
                    break
    # Views (unmanaged models such as eod_loanstate) hold no rows of their own.
    return [m for m in found if m._meta.managed and not m._meta.proxy]


def book_reset() -> int:
    """Delete the whole loan book and everything built on it (cases, snapshots, …).

    Users, teams, agencies and the audit trail stay. Returns the number of tables emptied.
    """
    models = book_models()
    tables = [m._meta.db_table for m in models]
    # TRUNCATE is fastest, but PostgreSQL refuses it inside a transaction that has pending
    # deferred-constraint checks (e.g. a test's); DELETE works everywhere.
    truncate = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cur:
        if truncate:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cur.execute(f"TRUNCATE {names} RESTART IDENTITY")
        else:
            for table in tables:
                cur.execute(f'DELETE FROM "{table}"')
        if connection.vendor == "sqlite":
            # Start the ids at 1 again, as TRUNCATE … RESTART IDENTITY does on PostgreSQL.
            placeholders = ", ".join("%s" for _ in tables)
            cur.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({placeholders})", tables)
    return len(tables)


def book_is_empty() -> bool:
    """Whether the book has no loans, borrowers or payments (the generator refuses otherwise)."""
    return not (Loan.objects.exists() or Borrower.objects.exists() or Payment.objects.exists())


def _counters() -> Counters:
    """Counters starting after the highest ids already in the tables."""

    def nxt(model) -> int:
        return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    return Counters(
        borrower_id=nxt(Borrower),
        loan_id=nxt(Loan),
        installment_id=nxt(Installment),
        payment_id=nxt(Payment),
        charge_id=nxt(Charge),
    )


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids written explicitly."""
    # Rows were written with explicit ids; PostgreSQL's identity sequences must catch up.
    if connection.vendor != "postgresql":
        return
    sql = connection.ops.sequence_reset_sql(
        no_style(), [Borrower, Loan, Installment, Payment, Charge]
    )
    with connection.cursor() as cur:
        for statement in sql:
            cur.execute(statement)


def demo_generate(
    *,
    loans: int,
    seed: int,
    as_of: dt.date,
    reset: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
) -> Summary:
    """Generate the demo book. Refuses a non-empty book unless `reset` empties it first."""
    if loans <= 0:
        raise DemoError("the number of loans must be positive")
    started = time.perf_counter()
    if reset:
        book_reset()
    elif not book_is_empty():
        raise DemoError(
            "the loan book is not empty: `arrears demo --reset` deletes it first "
            "(only do that on a demo database)"
        )
    staff = demo_staff()
    with transaction.atomic():
        products = demo_products()
    infos = [
        ProductInfo(spec=s, id=p.pk, product=p, methods=weighted(s.methods))
        for s, p in zip(PRODUCTS, products, strict=True)
    ]
    names = NamePools(seed)
    cache = ScheduleCache()
    counters = _counters()
    now_db = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: the indexes of a large book outgrow the
        # 2 MB default and every insert would then read pages back from disk.
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -262144")
    summary = Summary()

    def build(chunk_no: int) -> ChunkBuilder | None:
        """The rows of chunk `chunk_no` (None past the last chunk)."""
        first = chunk_no * chunk_size
        if first >= loans:
            return None
        builder = ChunkBuilder(
            seed=seed,
            chunk_no=chunk_no,
            as_of=as_of,
            products=infos,
            staff=staff,
            names=names,
            cache=cache,
            counters=counters,
            now_db=now_db,
        )
        for _ in range(min(chunk_size, loans - first)):
            builder.loan()
        return builder

    # Two stages in step: while a writer thread inserts chunk i (the database drivers
    # release the GIL while they work), this thread builds chunk i + 1. Each chunk is
    # committed on its own, so a huge book never sits in one transaction.
    chunk_no = 0
    builder = build(0)
    while builder is not None:
        with transaction.atomic():
            connection.ensure_connection()
            errors: list[BaseException] = []
            writer = threading.Thread(
                target=_write_chunk,
                args=(connection.connection, connection.vendor, builder.rows, errors),
                name="demo-writer",
            )
            writer.start()
            try:
                following = build(chunk_no + 1)
            finally:
                writer.join()
            if errors:
                raise errors[0]
            _reset_sequences()
        for _model, _fields, name in TABLES:
            summary.add_rows(name, len(builder.rows[name]))
        summary.principal_fen += builder.principal_fen
        summary.by_method.update(builder.by_method)
        summary.by_town.update(builder.by_town)
        summary.by_profile.update(builder.by_profile)
        summary.by_bucket.update(builder.by_bucket)
        if progress is not None:
            progress(sum(builder.by_method.values()))
        builder = following
        chunk_no += 1
    audit_record(
        actor=None,
        event="demo.generate",
        object_type="book",
        after={"loans": loans, "seed": seed, "as_of": as_of.isoformat(), "reset": reset},
        source="cli",
    )
    summary.seconds = time.perf_counter() - started
    return summary


def demo_eod(*, as_of: dt.date) -> str:
    """Run the daily cycle as far as it exists (arrears.eod.services.eod_run); say what ran."""
    try:
        module = importlib.import_module("arrears.eod.services")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("arrears.eod"):
            return "daily cycle skipped: arrears.eod.services does not exist yet"
        raise
    if not hasattr(module, "eod_run"):
        return "daily cycle skipped: arrears.eod.services has no eod_run yet"
    started = time.perf_counter()
    run = module.eod_run(as_of=as_of, actor=None)
    took = time.perf_counter() - started
    parts = [f"daily cycle for {as_of} done in {took:.1f}s"]
    for name in ("loans", "delinquent", "cases_opened"):
        if hasattr(run, name):
            parts.append(f"{name.replace('_', ' ')} {getattr(run, name)}")
    return ", ".join(parts)
