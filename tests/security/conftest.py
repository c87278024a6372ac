"""Production settings as `.ci/run` and the README's deployment give them (DEBUG off), with
HTTPS redirection left off: the test client speaks HTTP, and asks for HTTPS with secure=True."""

import pytest

PRODUCTION = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings
