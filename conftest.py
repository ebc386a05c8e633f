"""Fixtures shared by every test: the named people of arrears.testing."""

import pytest


@pytest.fixture
def people(db):
    from arrears.testing import make_people

    return make_people()
