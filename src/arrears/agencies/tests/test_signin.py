"""An agency user signs in, and uses an API token, only from the agency's listed addresses."""

from __future__ import annotations

import pytest
from django.test import Client

from arrears.agencies import services
from arrears.core.models import ApiToken, AuditEntry
from arrears.testing import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(username: str, ip: str) -> tuple[Client, str]:
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    return client, response.content.decode() if response.status_code == 200 else ""


def test_an_agency_user_signs_in_only_from_the_listed_ranges(people):
    agency = people["ada"].agency
    services.agency_ip_ranges_set(
        agency=agency, networks=["203.0.113.0/24", " 198.51.100.7 "], actor=people["mia"]
    )
    client, html = sign_in("ada", "192.0.2.10")
    assert "_auth_user_id" not in client.session
    assert "only from its registered addresses; 192.0.2.10 is not one" in html
    refused = AuditEntry.objects.get(event="user.signin_refused")
    assert (refused.object_id, refused.ip) == ("ada", "192.0.2.10")
    client, _html = sign_in("ada", "203.0.113.77")
    assert client.session["_auth_user_id"] == str(people["ada"].pk)
    client, _html = sign_in("ada", "198.51.100.7")
    assert client.session["_auth_user_id"] == str(people["ada"].pk)
    # The lender's own people are not bound by an agency's ranges.
    client, _html = sign_in("mia", "192.0.2.10")
    assert client.session["_auth_user_id"] == str(people["mia"].pk)


def test_an_agency_with_no_ranges_signs_in_from_anywhere(people):
    client, _html = sign_in("ada", "192.0.2.10")
    assert client.session["_auth_user_id"] == str(people["ada"].pk)


def test_an_agency_users_token_is_refused_outside_the_ranges(people):
    _token, raw = ApiToken.issue(people["ada"], name="agency script")
    services.agency_ip_ranges_set(
        agency=people["ada"].agency, networks=["203.0.113.0/24"], actor=people["mia"]
    )
    auth = {"Authorization": f"Bearer {raw}"}
    outside = Client(REMOTE_ADDR="192.0.2.10").get("/api/v1/me", headers=auth)
    assert outside.status_code == 403
    assert outside.json()["errors"][0]["code"] == "address_refused"
    inside = Client(REMOTE_ADDR="203.0.113.5").get("/api/v1/me", headers=auth)
    assert inside.status_code == 200 and inside.json()["username"] == "ada"


def test_a_bad_range_is_refused_naming_it(people):
    from arrears.agencies.errors import AgencyInvalid

    with pytest.raises(AgencyInvalid, match="203.0.113.0/33 is not an address range"):
        services.agency_ip_ranges_set(
            agency=people["ada"].agency, networks=["203.0.113.0/33"], actor=people["mia"]
        )


def test_a_session_is_not_used_from_outside_the_ranges(people, placed):
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["ada"])
    services.agency_ip_ranges_set(
        agency=people["ada"].agency, networks=["203.0.113.0/24"], actor=people["mia"]
    )
    assert client.get("/cases/").status_code == 200
    moved = client.get("/cases/", REMOTE_ADDR="192.0.2.10")
    assert moved.status_code == 302 and moved["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
