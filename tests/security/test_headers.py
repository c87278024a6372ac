"""With DEBUG off, every answer carries the security headers, and cookies are secure."""

import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from tests.security.conftest import PRODUCTION

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _assert_security_headers(response):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_production_settings_are_the_ones_these_tests_use(monkeypatch):
    monkeypatch.setenv("DEBUG", "off")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "chibo.example.vn")
    values = runpy.run_path(str(SETTINGS_FILE))
    expected = {**PRODUCTION, "SECURE_SSL_REDIRECT": True}

    assert {name: values[name] for name in expected} == expected
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]


def test_a_page_carries_every_security_header(production, tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("unit_tree"), secure=True)

    assert response.status_code == 200
    _assert_security_headers(response)


def test_an_error_page_carries_every_security_header(production, secretary_a, client_for):
    response = client_for(secretary_a).get("/no-such-page/", secure=True)

    assert response.status_code == 404
    _assert_security_headers(response)


def test_the_sign_in_page_carries_every_security_header(production, client):
    response = client.get(reverse("login"), secure=True)

    _assert_security_headers(response)


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken"])
def test_cookies_set_at_sign_in_are_secure_and_out_of_scripts_reach(
    production, client, secretary_a, cookie
):
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"),
        {"username": "huong.lt", "password": "mat-khau-thu-nghiem"},
        secure=True,
    )

    assert response.status_code == 302
    morsel = response.cookies[cookie]
    assert morsel["secure"] and morsel["httponly"]
    assert morsel["samesite"] == "Lax"
