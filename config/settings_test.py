"""Test settings: the real settings with a fast password hasher and plain static storage."""

import os

os.environ.setdefault("DEBUG", "on")

from config.settings import *  # noqa: E402,F403
from config.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process its own caches (cleared before each test: tests/conftest.py), and always
# the dashboards of the data as it is.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboards": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dashboards",
    },
}
DASHBOARD_STALE_SECONDS = 0
