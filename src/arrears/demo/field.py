"""The demo's field work: the region tree, a week of visits in 卧水镇 and its trip report, and
next week's trip to 香坪镇 (the seed's section 3, played through the services).

The field team (field1 with lead1: two people, as the rule pack asks) visits up to 19
households of 卧水镇 from Monday to Friday of the week before the demo date: most sign the
notice issued the week before, two pay cash against a receipt (posted as the receipt splits
it), four state a repayment intention, one has gone to work in Guangzhou, one needs the
village officials. Next week's trip to 香坪镇 takes the cases with an assist request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arrears.core.dates import local_today

TOWN = "四川省/青林县/卧水镇"
NEXT_TOWN = "四川省/青林县/香坪镇"
HOUSEHOLDS = 19
# Invented coordinates of 卧水镇's village committees (the route orders by them).
VILLAGE_COORDS = {
    "姚龙村": ("28.412100", "112.301500"),
    "六联村": ("28.405300", "112.318800"),
    "大竹湾村": ("28.398700", "112.327100"),
    "马头冲村": ("28.391200", "112.341900"),
    "黄家冲村": ("28.384400", "112.352600"),
    "卧水村": ("28.379900", "112.336700"),
}


@dataclass
class FieldDemo:
    visits: int = 0
    errors: list[str] = field(default_factory=list)
    report: dict | None = None
    trip: str = ""

    def lines(self) -> list[str]:
        out = [f"field work: {self.visits} visits in 卧水镇"]
        if self.report:
            r = self.report
            out.append(
                f"  trip report {r['region']} {r['from']}..{r['to']}: {r['borrowers']} borrowers,"
                f" {r['visited']} visited, {r['notices_signed']} signed, {r['cash_households']}"
                f" paid cash ({r['cash_principal']} principal, {r['cash_interest']} interest),"
                f" {r['intention_households']} intentions ({r['intention_principal']} principal)"
            )
        if self.trip:
            out.append(f"  {self.trip}")
        out += [f"  visit refused: {e}" for e in self.errors[:5]]
        return out


def demo_field(*, as_of: dt.date) -> FieldDemo:
    """Play the week in 卧水镇 and plan the next trip; see the module docstring."""
    from decimal import Decimal

    from arrears.cases.models import Case
    from arrears.demo.users import demo_users_ensure
    from arrears.field.errors import VisitInvalid
    from arrears.field.models import Region
    from arrears.field.services import due_parts, region_update, regions_rebuild, visit_record
    from arrears.field.trip_report import trip_report
    from arrears.notices.errors import NoticeInvalid
    from arrears.notices.models import NoticeTemplate
    from arrears.notices.services import notice_issue

    result = FieldDemo()
    users = demo_users_ensure()
    agent, partner, manager = users["field1"], users["lead1"], users["manager"]
    regions_rebuild(actor=manager, source="demo")
    town = Region.objects.filter(path=TOWN).first()
    if town is not None:
        region_update(region=town, actor=manager, population=7800, note="林业为主，农业为辅")
    for name, (lat, lon) in VILLAGE_COORDS.items():
        village = Region.objects.filter(path=f"{TOWN}/{name}").first()
        if village is not None:
            region_update(
                region=village, actor=manager, latitude=Decimal(lat), longitude=Decimal(lon)
            )

    last = min(as_of, local_today())
    monday = last - dt.timedelta(days=last.weekday() + 7)
    friday = monday + dt.timedelta(days=4)
    seen: set[int] = set()
    cases = []
    for case in (
        Case.objects.filter(
            status="open",
            borrower__town="卧水镇",
            opened_on__lte=monday - dt.timedelta(days=3),
        )
        .select_related("loan", "borrower")
        .order_by("borrower_id", "pk")
    ):
        if case.borrower_id not in seen:
            seen.add(case.borrower_id)
            cases.append(case)
        if len(cases) == HOUSEHOLDS:
            break
    template = NoticeTemplate.objects.filter(code="cn_default", active=True).first()

    for i, case in enumerate(cases):
        day = monday + dt.timedelta(days=i % 5)
        loan = case.loan
        kw: dict = {"outcome": "met_borrower"}
        if i < 13 and template is not None:
            try:
                notice_issue(
                    case=case,
                    template=template,
                    as_of=monday - dt.timedelta(days=3),
                    pay_by=friday + dt.timedelta(days=14),
                    actor=manager,
                    issued_on=monday - dt.timedelta(days=3),
                    source="demo",
                )
                kw.update(notice_served=True, notice_signed="signed")
            except NoticeInvalid as exc:
                result.errors.append(f"{loan.external_id}: notice: {exc.message}")
            if i < 4:
                kw.update(
                    intention_amount_fen=50_000 + 10_000 * i,
                    intention_date=day + dt.timedelta(days=14),
                )
        elif i in (13, 14):
            principal, interest, _penalty = due_parts(loan, day)
            kw.update(
                outcome="met_borrower" if i == 13 else "met_family",
                cash_principal_fen=min(30_000, principal),
                cash_interest_fen=min(20_000 + 10_000 * (i - 13), interest),
                receipt_no=f"SJ-WS-{day:%Y%m%d}-{i:02d}",
            )
            if kw["cash_principal_fen"] + kw["cash_interest_fen"] == 0:
                kw = {"outcome": "not_home"}
        elif i == 15:
            kw.update(outcome="moved_away", whereabouts="在广州打工")
        elif i == 16:
            kw.update(
                outcome="met_family",
                needs_officials=True,
                note="村委会借款两笔，需村干部及现任干部协助",
            )
        else:
            kw.update(outcome="not_home")
        try:
            visit_record(
                visit_id=f"DEMO-WS-{day:%Y%m%d}-{i:02d}",
                loan=loan,
                visited_on=day,
                visited_at=dt.time(9 + i % 7, 10 + i),
                collector=agent,
                participants=[partner],
                recording_ref=f"REC-WS-{i:02d}",
                source="demo",
                **kw,
            )
            result.visits += 1
        except VisitInvalid as exc:
            result.errors.append(f"{loan.external_id}: {exc.field}: {exc.message}")
    result.report = trip_report(user=None, region=TOWN, date_from=monday, date_to=friday)
    result.trip = _next_trip(agent, partner, manager, last)
    return result


def _next_trip(agent, partner, manager, today: dt.date) -> str:
    """Assist requests on a few 香坪镇 cases for field1, and next week's trip taking them."""
    from arrears.cases.assignment import assist_request
    from arrears.cases.errors import CaseError
    from arrears.cases.models import Case
    from arrears.field.errors import VisitInvalid
    from arrears.field.models import Region, Trip
    from arrears.field.services import trip_create

    region = Region.objects.filter(path=NEXT_TOWN).first()
    if region is None:
        return ""
    cases = list(Case.objects.filter(status="open", borrower__town="香坪镇").order_by("pk")[:12])
    for case in cases[:4]:
        try:
            assist_request(
                case=case,
                actor=manager,
                reason="下周香坪镇外访",
                until=today + dt.timedelta(days=10),
                user=agent,
                source="demo",
            )
        except CaseError:
            continue
    start = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    # A trip is not part of the loan book the demo's reset empties: replace the last demo's.
    Trip.objects.filter(name="香坪镇催收", created_by=manager).delete()
    try:
        trip = trip_create(
            name="香坪镇催收",
            starts_on=start,
            ends_on=start + dt.timedelta(days=4),
            members=[agent, partner],
            regions=[region],
            cases=cases[4:],
            actor=manager,
            source="demo",
        )
    except VisitInvalid as exc:
        return f"trip refused: {exc.message}"
    return f"trip #{trip.pk} 香坪镇催收 from {start}: {trip.stops.count()} cases (/field/trips/{trip.pk}/)"
