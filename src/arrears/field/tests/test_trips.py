"""Regions from the borrowers' paths, a trip's visit list by village in route order, the two-
person team, the route sheet with each household's dues."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.cases.models import Case
from arrears.field.errors import VisitInvalid
from arrears.field.models import Region
from arrears.field.route import route_pdf, route_rows
from arrears.field.services import region_update, regions_rebuild, trip_create
from arrears.field.tests.conftest import TOWN, town_loan

D = dt.date


@pytest.fixture
def households(people):
    return {
        village: town_loan(people, f"L-{i}", f"户{i}", village)
        for i, village in enumerate(("卧水村", "姚龙村", "马头冲村"))
    }


def test_regions_are_built_once_from_the_borrowers_paths(people, households):
    assert regions_rebuild() == 6  # province, county, town, three villages
    village = Region.objects.get(path=f"{TOWN}/卧水村")
    assert (village.level, village.parent.path, village.parent.level) == ("village", TOWN, "town")
    region_update(region=village, actor=people["tom"], population=900, note="林业为主")
    assert regions_rebuild() == 0
    village.refresh_from_db()
    assert (village.population, village.note) == (900, "林业为主")


def test_a_trip_groups_by_village_and_orders_by_distance(people, households):
    regions_rebuild()
    coords = {
        "姚龙村": ("28.40", "112.30"),
        "马头冲村": ("28.39", "112.34"),
        "卧水村": ("28.38", "112.33"),
    }
    for name, (lat, lon) in coords.items():
        region_update(
            region=Region.objects.get(path=f"{TOWN}/{name}"),
            actor=people["tom"],
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )
    trip = trip_create(
        name="卧水镇催收",
        starts_on=D(2026, 12, 7),
        ends_on=D(2026, 12, 11),
        members=[people["fay"], people["tom"]],
        cases=list(Case.objects.all()),
        actor=people["tom"],
    )
    villages = route_rows(trip, people["tom"])
    # From 卧水村 (the first path with coordinates) to the nearest, 马头冲村 (0.014 away),
    # then 姚龙村 — not 姚龙村 (0.036 away) in between.
    assert [v["name"].rsplit("/", 1)[-1] for v in villages] == ["卧水村", "马头冲村", "姚龙村"]
    first = villages[0]["households"][0]
    # 10,000.00 principal and 600.00 interest overdue since 2026-07-10, penalty 5.00 a day.
    assert (first["principal"], first["interest"]) == (1_000_000, 60_000)
    assert first["total"] > 1_060_000
    assert route_pdf(trip, people["tom"]).startswith(b"%PDF")


def test_a_trip_of_one_is_refused_where_the_pack_asks_for_two(people, households):
    with pytest.raises(VisitInvalid) as exc:
        trip_create(
            name="独自外访",
            starts_on=D(2026, 12, 7),
            ends_on=D(2026, 12, 7),
            members=[people["fay"]],
            cases=list(Case.objects.all()),
            actor=people["tom"],
        )
    assert exc.value.field == "members"
    assert "2" in exc.value.message


def test_next_plan_lists_the_cases_with_an_open_assist_by_town(people, households):
    from arrears.cases.assignment import assist_request
    from arrears.core.dates import local_today
    from arrears.field.trip_report import register_next_plan_source, trip_report

    case = Case.objects.get(loan=households["卧水村"])
    assist_request(
        case=case,
        actor=people["tom"],
        reason="下周外访",
        until=local_today() + dt.timedelta(days=5),
        user=people["tina"],
    )
    week = {"region": "四川省/青林县", "date_from": D(2026, 11, 23), "date_to": D(2026, 11, 27)}
    got = trip_report(user=people["mia"], **week)
    assert got["next_plan"] == [{"town": TOWN, "cases": [case.pk]}]

    # The strategy's scheduled visit steps plug in the same way.
    other = Case.objects.get(loan=households["姚龙村"])
    register_next_plan_source("test_steps", lambda user, q, start, end: [other.pk])
    try:
        got = trip_report(user=people["mia"], **week)
    finally:
        from arrears.field import trip_report as module

        module._NEXT_PLAN_SOURCES.pop("test_steps")
    assert got["next_plan"] == [{"town": TOWN, "cases": sorted([case.pk, other.pk])}]


def test_next_plan_reads_the_strategys_scheduled_visit_steps(people, households):
    from arrears.core.dates import local_today
    from arrears.field.trip_report import trip_report
    from arrears.strategy.models import DueAction

    case = Case.objects.get(loan=households["马头冲村"])
    for channel, days in (("visit", 3), ("call", 2), ("visit", 9)):
        DueAction.objects.create(
            on=local_today() + dt.timedelta(days=days),
            case=case if channel == "visit" or days != 2 else Case.objects.exclude(pk=case.pk)[0],
            strategy_version_id=1,
            segment_key="m1",
            path_key="field",
            step_key=f"{channel}{days}",
            channel=channel,
            role="field_agent",
        )
    got = trip_report(
        user=people["mia"], region=TOWN, date_from=D(2026, 11, 23), date_to=D(2026, 11, 27)
    )
    assert got["next_plan"] == [{"town": TOWN, "cases": [case.pk]}]
