"""The field team's weekly trip report (下乡催收情况汇报), computed from the records.

`trip_report(user=, region=, date_from=, date_to=)` returns the JSON of issue 15, counting
borrowers (households) with a loan in the region — `region` is a prefix of the borrowers'
region paths (四川省/青林县/卧水镇). Every figure comes from the visits and the ledger:

- `borrowers`: borrowers in the region with an overdue loan at `date_to` (book.selectors.
  loan_totals, the one balance); `visited`: of those, visited in the period;
- `notices_signed`: visited borrowers with a notice signed for in the period (notices);
- `cash_*`: cash collected on visits in the period, as the receipts split it (each visit's
  payment is in the ledger under the receipt number, allocated exactly so);
- `intention_*`: borrowers who stated a repayment intention on a visit in the period, and the
  original principal of the loans concerned;
- `unsigned`: visited borrowers who neither signed nor paid, each counted once under the first
  that applies of: time_barred (the loan's limitation had lapsed as of the visit: the engine's
  rule, eod.selectors.loan_limitation), moved_away, refused, not_found (not home too), other;
- `needs_officials`: visits flagged for local officials' help;
- `next_plan`: the cases due a visit in the next 7 days, by town, from the registered plan
  sources: open assist requests and the strategy's scheduled visit steps (strategy.DueAction,
  channel `visit`); more plug in with `register_next_plan_source`.

Amounts are strings with two decimals, counts integers. The reads are set-based (a few
queries over the region); only the limitation of the handful of unsigned households is
evaluated loan by loan, with the same rule as the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from arrears.core.dates import local_today
from arrears.core.models import User

LEVEL_FIELDS = ("province", "county", "town", "village")
PLAN_DAYS = 7

# name → fn(user, region_q (a Q over Case with borrower__…), start, end) -> iterable of case ids
NextPlanSource = Callable[[User, Q, dt.date, dt.date], Iterable[int]]
_NEXT_PLAN_SOURCES: dict[str, NextPlanSource] = {}


def register_next_plan_source(name: str, fn: NextPlanSource) -> None:
    """Add (or replace) a source of cases due a visit soon (the strategy's visit steps)."""
    _NEXT_PLAN_SOURCES[name] = fn


def _assists(user: User, region_q: Q, start: dt.date, end: dt.date) -> Iterable[int]:
    """Open cases with an assist request (协催) open during [start, end]."""
    from arrears.cases.models import Case, CaseAssist

    return Case.objects.filter(
        region_q,
        status="open",
        pk__in=CaseAssist.objects.filter(
            status__in=(CaseAssist.Status.REQUESTED, CaseAssist.Status.ACTIVE), until__gte=start
        ).values("case_id"),
    ).values_list("pk", flat=True)


register_next_plan_source("assist", _assists)


def _strategy_visits(user: User, region_q: Q, start: dt.date, end: dt.date) -> Iterable[int]:
    """Open cases whose strategy schedules a visit step in [start, end] (strategy.DueAction
    rows of channel `visit` the rule pack did not refuse)."""
    from django.apps import apps

    if not apps.is_installed("arrears.strategy"):
        return []
    from arrears.cases.models import Case
    from arrears.strategy.models import DueAction

    steps = DueAction.objects.filter(
        on__gte=start, on__lte=end, channel="visit", skipped_rule=""
    ).values("case_id")
    return Case.objects.filter(region_q, status="open", pk__in=steps).values_list("pk", flat=True)


register_next_plan_source("strategy", _strategy_visits)


def region_parts(region: str) -> list[str]:
    """The levels of a region path ('四川省/青林县/卧水镇'); blank is the whole book."""
    return [p.strip() for p in (region or "").strip().strip("/").split("/") if p.strip()]


def region_q(region: str, prefix: str = "") -> Q:
    """Borrowers (through `prefix`) whose region path starts with `region`, level by level.
    A path deeper than 省/县/镇/村 matches nobody."""
    parts = region_parts(region)
    if len(parts) > len(LEVEL_FIELDS):
        return Q(pk__in=[])
    q = Q()
    for field, value in zip(LEVEL_FIELDS, parts, strict=False):
        q &= Q(**{f"{prefix}{field}": value})
    return q


def amount(fen: int) -> str:
    return str((Decimal(int(fen)) / 100).quantize(Decimal("0.01")))


def trip_report(*, user: User | None, region: str, date_from: dt.date, date_to: dt.date) -> dict:
    """The report as a dict with exactly the keys of issue 15 (see the module docstring).
    `user` None is the command-line operator, who reads the whole book."""
    from arrears.book.models import Borrower, Loan
    from arrears.book.selectors import loan_totals
    from arrears.core.scoping import cases_for, loans_for
    from arrears.field.models import Region, Visit, VisitOutcome
    from arrears.notices.models import Notice

    if date_to < date_from:
        raise ValueError("the period ends before it starts")
    parts = region_parts(region)
    path = "/".join(parts)
    everything = user is None
    loans: QuerySet[Loan] = (Loan.objects.all() if everything else loans_for(user)).filter(
        region_q(path, "borrower__")
    )

    # Villages: the region tree's and the borrowers', with how many borrowers have a loan.
    per_village: dict[str, int] = {}
    for row in (
        Borrower.objects.filter(pk__in=loans.values("borrower_id"))
        .values(*LEVEL_FIELDS)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = "/".join(row[f] for f in LEVEL_FIELDS if row[f])
        per_village[key] = per_village.get(key, 0) + row["n"]
    villages: dict[str, dict] = {}
    in_region = Q(path=path) | Q(path__startswith=path + "/") if path else Q()
    for r in Region.objects.filter(in_region, level=Region.Level.VILLAGE):
        villages[r.path] = {
            "name": r.name,
            "path": r.path,
            "borrowers": 0,
            "population": r.population,
        }
    for key, n in per_village.items():
        if key.count("/") != 3 or not (not path or key == path or key.startswith(path + "/")):
            continue
        entry = villages.setdefault(
            key, {"name": key.rsplit("/", 1)[-1], "path": key, "borrowers": 0, "population": None}
        )
        entry["borrowers"] += n

    overdue = set(
        loan_totals(loans, as_of=date_to)
        .filter(is_overdue=True)
        .values_list("borrower_id", flat=True)
    )
    visits = list(
        Visit.objects.filter(
            loan__in=loans, visited_on__gte=date_from, visited_on__lte=date_to
        ).select_related("loan", "borrower")
    )
    visited = {v.borrower_id for v in visits} & overdue
    signed = (
        set(
            Notice.objects.filter(
                loan__in=loans, signed_on__gte=date_from, signed_on__lte=date_to
            ).values_list("borrower_id", flat=True)
        )
        & visited
    )
    cash_visits = [v for v in visits if v.cash_fen > 0]
    paid = {v.borrower_id for v in cash_visits}
    intention_visits = [v for v in visits if v.intention_amount_fen is not None]
    intention_loans = {v.loan_id: v.loan.principal_fen for v in intention_visits}

    unsigned = {"time_barred": 0, "moved_away": 0, "refused": 0, "not_found": 0, "other": 0}
    by_borrower: dict[int, list] = {}
    for v in visits:
        by_borrower.setdefault(v.borrower_id, []).append(v)
    for borrower_id in sorted(visited - signed - paid):
        unsigned[_unsigned_reason(by_borrower[borrower_id], VisitOutcome)] += 1

    needs = [
        {
            "loan_id": v.loan.external_id,
            "borrower": v.borrower.name,
            "village": v.borrower.village,
            "note": v.note,
        }
        for v in sorted(visits, key=lambda v: (v.visited_on, v.visit_id))
        if v.needs_officials
    ]

    today = local_today()
    start, end = today, today + dt.timedelta(days=PLAN_DAYS)
    from arrears.cases.models import Case

    scope_cases = Case.objects.all() if everything else cases_for(user)
    case_q = region_q(path, "borrower__")
    due: set[int] = set()
    for fn in _NEXT_PLAN_SOURCES.values():
        due.update(fn(user, case_q, start, end))
    towns: dict[str, list[int]] = {}
    for case_id, province, county, town in (
        scope_cases.filter(pk__in=due)
        .values_list("pk", "borrower__province", "borrower__county", "borrower__town")
        .order_by("pk")
    ):
        towns.setdefault("/".join(p for p in (province, county, town) if p), []).append(case_id)

    return {
        "region": path,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "villages": [villages[k] for k in sorted(villages)],
        "borrowers": len(overdue),
        "visited": len(visited),
        "notices_signed": len(signed),
        "cash_households": len(paid),
        "cash_principal": amount(sum(v.cash_principal_fen for v in cash_visits)),
        "cash_interest": amount(sum(v.cash_interest_fen for v in cash_visits)),
        "cash_penalty": amount(sum(v.cash_penalty_fen for v in cash_visits)),
        "intention_households": len({v.borrower_id for v in intention_visits}),
        "intention_principal": amount(sum(intention_loans.values())),
        "unsigned": unsigned,
        "needs_officials": needs,
        "next_plan": [{"town": t, "cases": ids} for t, ids in sorted(towns.items())],
    }


def _unsigned_reason(visits: list, VisitOutcome) -> str:
    """The first reason that applies to a household's visits of the period (precedence)."""
    from arrears.eod.selectors import loan_limitation

    for v in visits:
        lim = loan_limitation(v.loan, as_of=v.visited_on)
        if lim is not None and lim.time_barred:
            return "time_barred"
    outcomes = {v.outcome for v in visits}
    if VisitOutcome.MOVED_AWAY in outcomes or any(v.whereabouts for v in visits):
        return "moved_away"
    if VisitOutcome.REFUSED in outcomes or any(v.notice_signed == "refused" for v in visits):
        return "refused"
    if outcomes & {VisitOutcome.NOT_FOUND, VisitOutcome.NOT_HOME}:
        return "not_found"
    return "other"


def report_rows(report: dict) -> list[tuple[str, str]]:
    """One row per figure (the CSV form): (figure, value), nested figures by dotted name."""
    rows: list[tuple[str, str]] = [
        ("region", report["region"]),
        ("from", report["from"]),
        ("to", report["to"]),
    ]
    for v in report["villages"]:
        rows.append((f"villages.{v['name']}.borrowers", str(v["borrowers"])))
        rows.append(
            (
                f"villages.{v['name']}.population",
                "" if v["population"] is None else str(v["population"]),
            )
        )
    for key in (
        "borrowers",
        "visited",
        "notices_signed",
        "cash_households",
        "cash_principal",
        "cash_interest",
        "cash_penalty",
        "intention_households",
        "intention_principal",
    ):
        rows.append((key, str(report[key])))
    for key, n in report["unsigned"].items():
        rows.append((f"unsigned.{key}", str(n)))
    for item in report["needs_officials"]:
        rows.append(
            (
                f"needs_officials.{item['loan_id']}",
                f"{item['borrower']} {item['village']} {item['note']}".strip(),
            )
        )
    for item in report["next_plan"]:
        rows.append((f"next_plan.{item['town']}", " ".join(str(c) for c in item["cases"])))
    return rows
