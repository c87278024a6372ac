"""Who may read the audit trail, and which part of it."""

from django.db.models import QuerySet

from accounts.models import AuditEvent
from units.access import scope_for
from units.models import Unit

VIEW_AUDIT_TRAIL = "accounts.view_audit_trail"


def audit_events_for(user) -> QuerySet | None:
    """The events `user` may read, or None for someone who may read none.

    The whole trail for superusers and holders of `accounts.view_audit_trail`; for an
    administrator of a subtree, the events about its units (their exports, refusals, roles).
    """
    if not user.is_active:
        return None
    scope = scope_for(user)
    if scope.everything or user.has_perm(VIEW_AUDIT_TRAIL):
        return AuditEvent.objects.all()
    if scope.administered:
        return AuditEvent.objects.filter(scope.administered_q("unit_path"))
    return None


def audit_units_for(user) -> QuerySet:
    """The units the audit page's filter offers: all of them for the whole trail, otherwise the
    administered subtrees."""
    scope = scope_for(user)
    units = Unit.objects.order_by("path")
    if scope.everything or user.has_perm(VIEW_AUDIT_TRAIL):
        return units
    return units.filter(scope.administered_q("path"))
