"""Fixtures shared by every test: the named people of arrears.testing."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create dozens of users, so they use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _documents_in_a_temp_dir(settings, tmp_path_factory):
    # Uploaded documents and issued notices never land in the checkout's var/.
    settings.ARREARS_DOCUMENT_ROOT = tmp_path_factory.getbasetemp() / "documents"
    # Uploaded imports, error and result files of jobs too.
    settings.ARREARS_JOB_ROOT = tmp_path_factory.getbasetemp() / "jobs"


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


CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    # A browser test talks to a live server in another thread, so it runs in a transactional
    # database that is emptied afterwards; serialized_rollback puts back the rows migrations
    # seeded (rule packs, categories, templates, playbooks) for the tests that follow.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False
            )


@pytest.fixture
def browser(monkeypatch):
    """Debian's headless chromium driven by Playwright; skipped, saying why, without it."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium): browser test skipped"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
