"""Fixtures shared by every test: the named people of arrears.testing."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create dozens of users, so they use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    from arrears.testing import make_people

    return make_people()
