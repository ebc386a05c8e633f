"""`arrears demo_users` prints the address the app is actually served on."""

from __future__ import annotations

import pytest

from arrears.demo.management.commands.demo_users import served_url


def test_it_defaults_to_the_makefiles_address(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    assert served_url() == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1:8015", "http://127.0.0.1:8015/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("9001", "http://127.0.0.1:9001/"),
        ("demo.example.cn:80", "http://demo.example.cn:80/"),
    ],
)
def test_it_reads_the_served_address_from_host(monkeypatch, host, url):
    monkeypatch.setenv("HOST", host)
    assert served_url() == url


def test_a_machine_name_in_host_is_not_an_address(monkeypatch):
    # zsh and some images set HOST to the machine's name.
    monkeypatch.setenv("HOST", "buildbox")
    assert served_url() == "http://127.0.0.1:8000/"


def test_the_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("HOST", "127.0.0.1:8015")
    assert served_url("127.0.0.1:7000") == "http://127.0.0.1:7000/"
