"""Fixtures shared by every test: the named people of arrears.testing."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create dozens of users, so they use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    from arrears.testing import make_people

    return make_people()


PACKAGE_DIR = Path(__file__).resolve().parent / "src" / "arrears"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages():
    """Compile each zh-Hans catalogue (project and apps) whose .mo is missing or stale.

    The .mo is a build product (gitignored, made by `make messages`); without this a stale one
    would make the language tests fail for a reason that has nothing to do with the code.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in [
        *PACKAGE_DIR.glob("locale/*/LC_MESSAGES/django.po"),
        *PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"),
    ]:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)
