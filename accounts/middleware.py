"""Refusals recorded in the audit trail, in one place rather than view by view."""

from django.core.exceptions import PermissionDenied

from accounts.audit import record
from accounts.models import AuditKind
from units.access import OutOfScope

# The kind of refusal, as stored in an event's detail.
FORBIDDEN = "forbidden"
OUT_OF_SCOPE = "out_of_scope"
CSRF = "csrf"


def record_denial(request, refusal: str, *, unit_path: str = "", reason: str = "") -> None:
    """One DENIED event: who was refused what, and why."""
    detail = {"refusal": refusal, "method": request.method}
    if reason:
        detail["reason"] = reason
    record(AuditKind.DENIED, request=request, unit_path=unit_path, detail=detail)


class DenialAuditMiddleware:
    """Records every 403 (PermissionDenied) and every out-of-scope 404 (units.access.OutOfScope)
    a view raises: one INSERT on a refusal, nothing on any other request. A 404 for an address
    that leads nowhere is not a refusal and is not recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            record_denial(request, FORBIDDEN)
        elif isinstance(exception, OutOfScope):
            record_denial(request, OUT_OF_SCOPE, unit_path=exception.path)
        # Django goes on to answer with the 403 / 404 page.
        return None
