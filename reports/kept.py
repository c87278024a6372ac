"""Dashboards kept rendered: each is computed once per state of the data, not once per request.
(The meeting boards of districts and provinces are kept the same way.)

A dashboard's body (every figure, table, alert and chart) is rendered once and kept in the
"dashboards" cache under its unit, day, language and what the viewer may see and do, with the
data generation it was computed at (reports.generation). A request whose generation matches is
answered from it; otherwise it is computed again, in the request.

Except for the large ones: while secretaries log meetings all over a province, the generation
moves on every few seconds and a province's dashboard (about a second of work) would be
recomputed for nearly every leader who opens it. A body that took DASHBOARD_STALE_AFTER seconds
or more to compute is answered as it was, for up to DASHBOARD_STALE_SECONDS after it was
computed, and the page says when its figures were computed. One background thread computes
the new one, once the kept one is DASHBOARD_REFRESH_SECONDS old: under a steady stream of
writes a province's dashboard is computed twice a minute, not continuously. Never answered
stale to a user who has written anything since (they see their own change), nor past that age.
"""

import dataclasses
import functools
import hashlib
import logging
import threading
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from config.routers import reading_primary
from reports import generation
from units.access import scope_for

log = logging.getLogger(__name__)

CACHE = "dashboards"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


@dataclasses.dataclass(frozen=True)
class Kept:
    """A rendered body and when it was computed."""

    stamp: generation.Stamp
    html: str
    facts: dict  # what the page around the body shows of it (a name, a count)
    computed_at: float  # seconds since the epoch
    seconds: float  # how long it took
    stale: bool = False  # answered while a newer one is being computed

    @property
    def computed_time(self) -> datetime:
        return datetime.fromtimestamp(self.computed_at, tz=UTC)


def _database() -> str:
    db = settings.DATABASES["default"]
    return f"{db.get('HOST', '')}:{db.get('PORT', '')}/{db['NAME']}"


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


# What a kept body is made with (templates, translations, the code that computes it).
RELEASE_PARTS = ("templates", "locale", "config", "units", "members", "meetings", "reports")
RELEASE_SUFFIXES = (".html", ".mo", ".py")


@functools.cache
def release() -> str:
    """A fingerprint of this release's templates, translations and code (each file's path, size
    and time), the same in every server process: bodies kept by another release are not
    answered, they are computed again."""
    root = settings.BASE_DIR
    files = []
    for part in RELEASE_PARTS:
        for path in sorted((root / part).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                stat = path.stat()
                files.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return _digest(*files)


def key_for(user, unit, day, *variant) -> str:
    """The cache key: release, unit, day, language, the viewer's scope (links, the members
    named) and `variant` (what else the body depends on: permissions, the page's query)."""
    scope = scope_for(user)
    return "kept:" + _digest(
        release(),
        _database(),
        unit.pk,
        day.isoformat(),
        translation.get_language(),
        scope.everything,
        scope.visible,
        variant,
    )


def _wrote_key(user) -> str:
    return "wrote:" + _digest(_database(), user.pk)


def note_write(user) -> None:
    """`user` has just written: their next dashboards are computed with the change."""
    caches[CACHE].set(_wrote_key(user), time.time(), settings.DASHBOARD_STALE_SECONDS + 60)


class WriteNoteMiddleware:
    """Notes a signed-in user's successful unsafe requests (see `note_write`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            note_write(request.user)
        return response


def _compute(key: str, stamp, render) -> Kept:
    started = time.perf_counter()
    with reading_primary():  # the data of the stamp, read on the primary
        html, facts = render()
    kept = Kept(stamp, html, facts, time.time(), time.perf_counter() - started)
    if stamp is not None:
        caches[CACHE].set(key, kept, settings.DASHBOARD_KEEP_SECONDS)
    return kept


def _age(kept: Kept) -> float:
    return time.time() - kept.computed_at


def _may_answer_stale(kept: Kept, user) -> bool:
    if _age(kept) >= settings.DASHBOARD_STALE_SECONDS:
        return False
    if kept.seconds < settings.DASHBOARD_STALE_AFTER:
        return False
    wrote = caches[CACHE].get(_wrote_key(user))
    return wrote is None or wrote < kept.computed_at


def start(work) -> None:
    """Run `work` in a background thread (the tests replace this to run it in place)."""
    threading.Thread(target=work, daemon=True, name="chibo-dashboard").start()


def _refresh_later(key: str, render) -> None:
    lock = key + ":computing"
    if not caches[CACHE].add(lock, 1, 300):
        return  # another request's thread is on it
    language, prefix = translation.get_language(), get_script_prefix()

    def work():
        try:
            set_script_prefix(prefix)  # the addresses the page's own request would write
            with translation.override(language):
                _compute(key, generation.current(), render)
        except Exception:
            log.exception("a dashboard could not be computed in the background")
        finally:
            caches[CACHE].delete(lock)
            connections.close_all()  # this thread's own connections

    start(work)


def body(key: str, user, render) -> Kept:
    """The body under `key`: kept if the data has not changed since, or (large ones) for a
    while as said above; `render()` computes it, as (html, facts)."""
    stamp = generation.current()
    if stamp is None:  # inside a transaction that has written: compute, keep nothing
        return _compute(key, None, render)
    kept = caches[CACHE].get(key)
    if kept is not None:
        if kept.stamp == stamp:
            return kept
        if _may_answer_stale(kept, user):
            if _age(kept) >= settings.DASHBOARD_REFRESH_SECONDS:
                _refresh_later(key, render)
            return dataclasses.replace(kept, stale=True)
    return _compute(key, stamp, render)
