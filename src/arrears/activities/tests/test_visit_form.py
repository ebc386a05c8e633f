"""A visit the two-person rule refuses: the rule is shown before the form is sent, and what
was entered comes back (issue 13, "Phone-sized pages")."""

from __future__ import annotations

import io

import pytest

from arrears.activities.models import Activity
from arrears.activities.tests.conftest import client_for, local, yesterday

pytestmark = pytest.mark.django_db


def test_the_log_form_shows_the_visit_rule_before_it_is_sent(people, case):
    html = client_for(people["fay"], "zh-hans").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-min-participants="2"' in html
    assert (
        "规则包要求：" in html
        and "外访须至少两人，出示证件，全程录音录像。（CN.VISIT_TWO_PERSONS）" in html
    )
    assert "activities/log.js" in html


def test_a_refused_visit_keeps_what_was_entered_and_asks_for_the_photo_again(people, case):
    when = local(yesterday(), 10, 0).strftime("%Y-%m-%dT%H:%M")
    photo = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    photo.name = "visit.png"
    response = client_for(people["fay"], "zh-hans").post(
        f"/activities/case/{case.pk}/log/",
        {
            "log-channel": "visit",
            "log-target": "borrower:phone",
            "log-outcome": "right_party_contact",
            "log-occurred_at": when,
            "log-direction": "outbound",
            "log-purpose": "collect",
            "log-participants": "1",
            "log-recording_ref": "CAM-0042",
            "log-note": "借款人在家，称下月还款",
            "log-attachment": photo,
            "log-attachment_category": "visit_photo",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "外访须至少 2 人" in html and "（CN.VISIT_TWO_PERSONS）" in html
    assert "借款人在家，称下月还款" in html  # the note is kept
    assert 'value="CAM-0042"' in html and 'name="log-participants" value="1"' in html
    assert "请重新添加照片或文件" in html
    assert 'class="act-log" open' in html
    assert not Activity.objects.exists()
