"""Production mode: `arrears check --deploy` passes with the documented environment
(docs/deploy.md), the cookies and headers are strict, and passwords are hashed with Argon2."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import check_password, make_password

from arrears import settings as project_settings
from arrears.testing import PASSWORD


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# The documented production environment (docs/deploy.md), minus the database: the checks do
# not connect to it. Fresh keys each run, as `arrears keys generate` would print them.
PRODUCTION_ENV = {
    "ARREARS_PRODUCTION": "1",
    "ARREARS_SECRET_KEY": secrets.token_urlsafe(50),
    "ARREARS_FIELD_KEYS": _key(),
    "ARREARS_INDEX_KEY": _key(),
    "ARREARS_ALLOWED_HOSTS": "arrears.example.com",
    "ARREARS_BEHIND_PROXY": "1",
    "ARREARS_CSRF_TRUSTED_ORIGINS": "https://arrears.example.com",
}


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests of this very run.
        if not k.startswith("ARREARS_")
        and k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(ARREARS_VAR_DIR=str(tmp_path), **extra)
    return env


def _arrears(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from arrears.cli import main; main()", *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(tmp_path, *names: str, **env: str) -> dict:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'arrears.settings';"
        "from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, **env), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_deploy_check_passes_in_the_documented_production_configuration(tmp_path):
    done = _arrears(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.slow  # a subprocess each; the main check above stays in the fast suite
def test_the_deploy_check_passes_without_a_proxy_too(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ARREARS_BEHIND_PROXY"}
    done = _arrears(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow  # a subprocess each; the main check above stays in the fast suite
def test_the_demo_configuration_fails_the_deploy_check(tmp_path):
    """So the check above means something: the laptop defaults are not production."""
    done = _arrears(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


@pytest.mark.slow  # a subprocess each; the main check above stays in the fast suite
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ARREARS_SECRET_KEY"}
    done = _arrears(tmp_path, "check", **env)
    assert done.returncode != 0
    assert "ARREARS_SECRET_KEY must be set" in done.stderr


def test_production_settings_are_strict(tmp_path):
    values = _settings(
        tmp_path,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_COOKIE_AGE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
        "CSRF_TRUSTED_ORIGINS",
        "ARREARS_PROXY_COUNT",
        **PRODUCTION_ENV,
    )
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_TRUSTED_ORIGINS": ["https://arrears.example.com"],
        "ARREARS_PROXY_COUNT": 1,
    }


def test_the_proxy_header_is_trusted_only_when_asked(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ARREARS_BEHIND_PROXY"}
    values = _settings(tmp_path, "SECURE_PROXY_SSL_HEADER", "ARREARS_PROXY_COUNT", **env)
    assert values == {"SECURE_PROXY_SSL_HEADER": None, "ARREARS_PROXY_COUNT": 0}


@pytest.mark.slow  # a subprocess each; the main check above stays in the fast suite
def test_the_demo_settings_work_over_plain_http(tmp_path):
    values = _settings(tmp_path, "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT")
    assert values == {"SESSION_COOKIE_SECURE": False, "SECURE_SSL_REDIRECT": False}


@pytest.mark.django_db
def test_pages_deny_framing(client):
    assert client.get("/login/")["X-Frame-Options"] == "DENY"


# --- passwords -------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(settings):
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests use a fast one
    encoded = make_password("long enough passphrase")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("long enough passphrase", encoded)
    assert not check_password("long enough passphrasE", encoded)


@pytest.mark.django_db
def test_an_older_hash_is_upgraded_to_argon2_at_the_next_sign_in(client, people, settings):
    carl = people["carl"]  # stored with the tests' fast hasher
    settings.PASSWORD_HASHERS = [
        *project_settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert client.post("/login/", {"username": "carl", "password": PASSWORD}).status_code == 302
    carl.refresh_from_db()
    assert carl.password.startswith("argon2$")
