"""The field pages in Chinese: the visit page, planning a trip, a region's figures."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from arrears.core.dates import local_today
from arrears.field.models import Region, Trip
from arrears.field.services import regions_rebuild
from arrears.field.tests.conftest import TOWN, town_loan
from arrears.testing import PASSWORD


def client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_visit_page_lists_the_households_and_works_offline(people, loan):
    page = client(people["fay"]).get("/field/visit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "记录外访" in text and "房六桂" in text and "/static/field/visit.js" in text
    sw = Client().get("/field/sw.js")
    assert sw["Content-Type"].startswith("text/javascript")
    assert b"caches.open" in sw.content


def test_the_auditor_may_not_record_a_visit(people, loan):
    assert client(people["aud"]).get("/field/visit/").status_code == 403


def test_planning_a_trip_to_a_town(people, loan):
    from arrears.cases.assignment import assist_request
    from arrears.cases.models import Case

    other = town_loan(people, "L-WS2", "方石头", "卧水村", field_agent=None)
    regions_rebuild()
    assist_request(
        case=Case.objects.get(loan=other),
        actor=people["tom"],
        reason="需要外访",
        until=local_today() + dt.timedelta(days=20),
        user=people["fay"],
    )
    town = Region.objects.get(path=TOWN)
    r = client(people["fay"]).post(
        "/field/trips/new/",
        {"name": "卧水镇催收", "town": town.pk, "starts_on": "2026-12-07", "members": ["tom"]},
    )
    trip = Trip.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/field/trips/{trip.pk}/"
    # fay's own case (handed to her) and the one she was asked to help on, by village.
    assert list(trip.stops.values_list("case__loan__external_id", "source")) == [
        ("L-WS2", "assist"),
        ("L-WS1", "handover"),
    ]
    page = client(people["fay"]).get(f"/field/trips/{trip.pk}/").content.decode()
    assert "房六桂" in page and "10,000.00" in page
    pdf = client(people["fay"]).get(f"/field/trips/{trip.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"


def test_a_regions_population_is_edited_on_its_page(people, loan):
    regions_rebuild()
    village = Region.objects.get(path=f"{TOWN}/马头冲村")
    r = client(people["tom"]).post(
        f"/field/regions/{village.pk}/", {"population": "1300", "latitude": "28.1", "note": ""}
    )
    assert r.status_code == 302
    village.refresh_from_db()
    assert (village.population, str(village.latitude)) == (1300, "28.100000")
    bad = client(people["tom"]).post(f"/field/regions/{village.pk}/", {"population": "多"})
    assert "请填整数" in bad.content.decode()
