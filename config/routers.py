"""Reads to a read replica, writes to the primary (used when DATABASE_REPLICA_URL is set).

A request that writes, and everything inside a transaction, reads from the primary as well: a
replica lags by a fraction of a second, and a secretary who has just saved a meeting must see it
on the next page. `PrimaryPinMiddleware` pins the rest of a request to the primary once it is not
a GET or HEAD, and for a few seconds after (a cookie), so the redirect after a save reads it too.
"""

import contextlib
import random
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PIN_COOKIE = "chibo_primary"
PIN_SECONDS = 5

_state = threading.local()


def _pinned() -> bool:
    return getattr(_state, "pinned", False)


@contextlib.contextmanager
def reading_primary():
    """Reads inside go to the primary: what is computed from them is kept under the data
    generation read there (reports.kept), which a lagging replica might not have reached."""
    before = _pinned()
    _state.pinned = True
    try:
        yield
    finally:
        _state.pinned = before


class PrimaryReplicaRouter:
    """Spreads reads over settings.DATABASE_REPLICAS; the primary takes every write."""

    def db_for_read(self, model, **hints):
        replicas = getattr(settings, "DATABASE_REPLICAS", ())
        if not replicas or _pinned() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's data: objects from any of them may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryPinMiddleware:
    """Unsafe requests, and the next few seconds of that browser's requests, read the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        _state.pinned = writes or PIN_COOKIE in request.COOKIES
        try:
            response = self.get_response(request)
        finally:
            _state.pinned = False
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
