"""The audit page's table: newest first, times as H:i dd/mm/yyyy, units by name."""

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import AuditEvent
from units.models import Role, Unit

# The words of an event's detail, as chibo's own recorders write them (middleware, role_audit).
DETAIL_KEYS = {
    "refusal": _("refusal"),
    "method": _("method"),
    "reason": _("reason"),
    "change": _("change"),
    "before": _("before"),
    "after": _("after"),
    "added": _("added"),
    "removed": _("removed"),
    "subject": _("account or group"),
    "user": _("user"),
    "unit": _("unit"),
    "role": _("role"),
}
DETAIL_VALUES = {
    "forbidden": _("not allowed (403)"),
    "out_of_scope": _("outside the user's units (404)"),
    "csrf": _("form refused (CSRF)"),
    "assignment_created": _("role given"),
    "assignment_changed": pgettext_lazy("audit", "role changed"),
    "assignment_deleted": _("role taken away"),
    "user_created": _("account created"),
    "user_flags_changed": _("account rights changed"),
    "groups_changed": _("groups changed"),
    "user_permissions_changed": _("permissions changed"),
    "group_permissions_changed": _("permissions of a group changed"),
}
USER_FLAGS = ("is_superuser", "is_staff", "is_active")

OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}


def _unit_id(path: str) -> int | None:
    """The unit an id path ends with: "1.34.5678." → 5678."""
    last = path.rstrip(".").rpartition(".")[2]
    return int(last) if last.isdigit() else None


def _label(key: str) -> str:
    if key in USER_FLAGS:
        return str(get_user_model()._meta.get_field(key).verbose_name)
    return str(DETAIL_KEYS.get(key, key))


def detail_text(key: str, value) -> str:
    """An event's detail in words: "refusal: outside the user's units (404); method: GET"."""
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)}: {detail_text(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(detail_text(key, v) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    return str(DETAIL_VALUES.get(value, value))


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(format="H:i:s d/m/Y")
    kind = tables.Column(verbose_name=capfirst(_("kind of event")), orderable=False)
    username = tables.Column(verbose_name=capfirst(_("user")), orderable=False)
    ip = tables.Column(orderable=False, attrs=OPTIONAL)
    path = tables.Column(orderable=False, attrs=OPTIONAL)
    unit_path = tables.Column(orderable=False)
    object_repr = tables.Column(orderable=False)
    detail = tables.Column(orderable=False, attrs=OPTIONAL)

    class Meta:
        model = AuditEvent
        fields = ["at", "kind", "username", "ip", "path", "unit_path", "object_repr", "detail"]
        order_by = ("-at",)
        empty_text = _("No event matches.")
        attrs = {"class": "table table-sm table-hover align-middle audit-table"}

    def _unit_names(self) -> dict[int, str]:
        # The units of the rows on this page, in one query.
        if not hasattr(self, "_units"):
            rows = self.page.object_list if hasattr(self, "page") else self.rows
            ids = {_unit_id(row.record.unit_path) for row in rows if row.record.unit_path}
            units = Unit.objects.filter(pk__in=ids - {None}).only("name", "short_name")
            self._units = {unit.pk: unit.display_name for unit in units}
        return self._units

    def render_unit_path(self, value):
        return self._unit_names().get(_unit_id(value), value)

    def render_detail(self, value):
        return "; ".join(f"{_label(key)}: {detail_text(key, item)}" for key, item in value.items())

    def order_at(self, queryset, is_descending):
        # Ties (events of the same instant) in the order they were written.
        fields = ("-at", "-pk") if is_descending else ("at", "pk")
        return queryset.order_by(*fields), True
