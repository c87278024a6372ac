"""Session limits and the two-factor gate, run on every request after authentication."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.signals import ACTIVE_AT, SIGNED_IN_AT
from accounts.twofactor import pending_step

# Views an unverified user may reach: signing in and out, and the two-factor step itself.
OPEN_VIEWS = frozenset({"login", "logout", "two_factor_verify", "two_factor_setup"})


def _redirect(request, url: str):
    """A redirect htmx follows as a whole-page navigation, or a plain one."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def with_next(name: str, next_url: str) -> str:
    """The page `name`, coming back to `next_url` afterwards."""
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class SessionLifetimeMiddleware:
    """Signs the user out SESSION_MAX_HOURS after signing in, however active they were.

    The idle limit is the session's age (SESSION_COOKIE_AGE): a request renews it when the session
    was last saved SESSION_RENEW_SECONDS ago or more, so a user is signed out after
    SESSION_COOKIE_AGE minus at most that without a request. The limit after signing in does
    not move.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            now = int(time.time())
            if signed_in_at is None:
                # A session from before this limit existed: it starts counting now.
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(
                    request,
                    _("You were signed in for %(hours)d hours. Please sign in again.")
                    % {"hours": settings.SESSION_MAX_HOURS},
                )
                return _redirect(request, with_next("login", request.get_full_path()))
            if now - request.session.get(ACTIVE_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[ACTIVE_AT] = now  # saved, with a new expiry
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until the second step is passed, a user who needs it reaches no page but that step.

    Runs on the resolved view, so an unknown address still gets its 404 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in OPEN_VIEWS:
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        step = pending_step(request)
        if step is None:
            return None
        return _redirect(request, with_next(step, request.get_full_path()))
