"""The compliance facts of many cases at once, for planning a day's queues.

`activities.facts.case_facts` reads one case in several queries; a queue of thousands needs
the same facts in a handful. `cases_facts` gathers them for a list of cases: the borrowers'
zones and numbers, the suspensions (停催, cases.selectors.suspension_facts), the holds (the set-based expressions apps register in cases.holds, and
the per-case sources that have none), what people recorded (opt-outs, named times, consent,
refusals, forbearance, enforcement: the same reading as activities.recorded
.borrower_conduct_facts) and every earlier attempt (activities.facts.borrower_attempts).
Debtor statuses (unreachable, deceased) are left unset: they only decide contact with third
parties, and a queue contacts the borrower. `test_bulk_facts_equal_case_facts` proves the
result equal to case_facts for the borrower.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from arrears.compliance.rules import CaseFacts, default_timezone

CHUNK = 2000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _holds(case_ids: list[int]) -> dict[int, set[str]]:
    from arrears.cases import holds as registry
    from arrears.cases.models import Case

    found: dict[int, set[str]] = defaultdict(set)
    expressions = registry.hold_expressions()
    if expressions:
        for chunk in _chunks(case_ids):
            rows = (
                Case.objects.filter(pk__in=chunk)
                .order_by()
                .annotate(**{f"hold_{h}": e for h, e in expressions.items()})
                .values_list("pk", *(f"hold_{h}" for h in expressions))
            )
            names = list(expressions)
            for pk, *flags in rows:
                for name, flag in zip(names, flags, strict=True):
                    if flag:
                        found[pk].add(name)
    # A hold with no set-based form is asked case by case (none of the shipped ones).
    per_case = [h for h in registry._HOLDS if h not in expressions]
    if per_case:
        for case in Case.objects.filter(pk__in=case_ids):
            for hold in per_case:
                if any(fn(case) for fn in registry._HOLDS[hold]):
                    found[case.pk].add(hold)
    return found


def _conduct(borrower_ids: list[int]) -> dict[int, list[tuple]]:
    from arrears.activities.models import RecordedFact

    rows: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(borrower_ids):
        for b, *rest in RecordedFact.objects.filter(
            borrower_id__in=chunk, withdrawn_at__isnull=True
        ).values_list("borrower_id", "kind", "loan_id", "contact_id", "channel", "starts", "ends"):
            rows[b].append(tuple(rest))
    return rows


def _conduct_fields(rows: list[tuple], loan_id: int) -> dict:
    from arrears.activities.models import RecordedFact

    kind = RecordedFact.Kind
    return {
        "opted_out": frozenset(ch for k, _l, _c, ch, _s, _e in rows if k == kind.OPT_OUT),
        "inconvenient_windows": tuple(
            sorted((s, e) for k, _l, _c, _ch, s, e in rows if k == kind.INCONVENIENT_TIME)
        ),
        "consent_outside_hours": any(k == kind.CONSENT_OUTSIDE_HOURS for k, *_ in rows),
        "refused_by": frozenset(
            f"contact:{c}" for k, _l, c, *_ in rows if k == kind.THIRD_PARTY_REFUSED
        ),
        "forbearance_offered": any(
            k == kind.FORBEARANCE_OFFERED and loan == loan_id for k, loan, *_ in rows
        ),
        "debtor_enforcement_exhausted": any(
            k == kind.ENFORCEMENT_EXHAUSTED and loan == loan_id for k, loan, *_ in rows
        ),
    }


def borrower_zones(borrower_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{borrower id: (time zone, phone)}."""
    from arrears.activities.facts import borrower_zone
    from arrears.book.models import Borrower

    out = {}
    for chunk in _chunks(borrower_ids):
        for b in Borrower.objects.filter(pk__in=chunk).only("id", "phone", "time_zone"):
            out[b.pk] = (borrower_zone(b), b.phone or "")
    return out


def cases_facts(
    cases: list[tuple[int, int, int, bool]], *, until: dt.datetime
) -> dict[int, CaseFacts]:
    """{case id: CaseFacts} for (case id, loan id, borrower id, time barred) rows, with the
    attempts up to `until`."""
    from arrears.activities.facts import borrower_attempts
    from arrears.cases.selectors import suspension_facts

    case_ids = [c for c, *_ in cases]
    borrower_ids = sorted({b for _c, _l, b, _t in cases})
    zones = borrower_zones(borrower_ids)
    holds = _holds(case_ids)
    suspensions = suspension_facts(case_ids)
    conduct = _conduct(borrower_ids)
    attempts: dict[int, list] = {}
    for chunk in _chunks(borrower_ids):
        attempts.update(borrower_attempts(chunk, until=until))
    out = {}
    for case_id, loan_id, borrower_id, barred in cases:
        zone, phone = zones.get(borrower_id, (default_timezone(), ""))
        out[case_id] = CaseFacts(
            timezone=zone,
            borrower_number=phone,
            holds=frozenset(holds.get(case_id, ())),
            time_barred=bool(barred),
            suspensions=suspensions.get(case_id, ()),
            attempts=tuple(attempts.get(borrower_id, ())),
            **_conduct_fields(conduct.get(borrower_id, []), loan_id),
        )
    return out
