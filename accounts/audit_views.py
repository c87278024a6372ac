"""The audit trail page, for those who may read it (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from accounts.audit_selectors import audit_events_for, audit_units_for
from accounts.filters import AuditEventFilter
from accounts.tables import AuditEventTable
from units.access import OutOfScope

PER_PAGE = 50


@login_required
@require_GET
def audit_list(request):
    events = audit_events_for(request.user)
    if events is None:
        raise OutOfScope  # a 404, recorded as a refusal
    filterset = AuditEventFilter(
        request.GET or None, queryset=events, units=audit_units_for(request.user)
    )
    table = AuditEventTable(filterset.qs)
    # The trail only grows: pages without counting it whole.
    RequestConfig(
        request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}
    ).configure(table)
    template = "accounts/audit_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filter": filterset, "table": table})
