import pytest


@pytest.fixture
def test_events(monkeypatch, db):
    """The stand-in restart-event sources of eod/tests/events.py, installed for one test."""
    from arrears.eod.tests import events

    events.install(monkeypatch)
    return events
