"""chibo's answer to a refused form (CSRF_FAILURE_VIEW): a Vietnamese page and an audit event."""

from django.http import HttpResponseForbidden
from django.template import loader

from accounts.middleware import CSRF, record_denial


def csrf_failure(request, reason: str = ""):
    """403 for a form without a valid CSRF token, recorded like any other refusal."""
    record_denial(request, CSRF, reason=reason)
    return HttpResponseForbidden(loader.render_to_string("csrf_failure.html", request=request))
