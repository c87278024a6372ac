"""A record's history as a user reads it: who, when, and each field's old and new value."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _display(field, value, names):
    if value in (None, ""):
        return "—"
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField):
        return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value
    return value


def history_entries(obj, limit: int = 50):
    """Newest first: [{when, who, action, changes: [(label, old, new)]}] in two or three queries."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    model = obj._meta.model
    fields = {f.attname: f for f in model._meta.concrete_fields}
    pairs = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(pairs) == limit:
            break
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            changes = [
                (fields.get(c.field) or model._meta.get_field(c.field), c) for c in delta.changes
            ]
        pairs.append((newer, changes))

    # Names of the related records that appear in the changes, one query per related model.
    wanted: dict = {}
    for _newer, changes in pairs:
        for field, change in changes:
            if isinstance(field, models.ForeignKey):
                wanted.setdefault(field.related_model, set()).update({change.old, change.new})
    names = {}
    for related, ids in wanted.items():
        for item in related._default_manager.filter(pk__in=[i for i in ids if i is not None]):
            names[(related, item.pk)] = str(item)

    entries = []
    for record, changes in pairs:
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "action": ACTIONS.get(record.history_type, record.history_type),
                "reason": record.history_change_reason,
                "changes": [
                    (
                        field.verbose_name,
                        _display(field, change.old, names),
                        _display(field, change.new, names),
                    )
                    for field, change in changes
                ],
            }
        )
    return entries
