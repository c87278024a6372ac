"""Sensitive fields on pages: always masked there (members.sensitive has the rule)."""

from django import template

from members.sensitive import labels_to_names, mask_by_label, mask_value, may_see_sensitive

register = template.Library()


@register.filter
def masked(obj, name: str) -> str:
    """`{{ member|masked:"citizen_id" }}`: the field as a page shows it, masked."""
    return mask_value(name, getattr(obj, name, ""))


@register.filter
def masked_id(value) -> str:
    """`{{ row.values.citizen_id|masked_id }}`: a citizen ID as its last 4 digits."""
    return mask_value("citizen_id", value)


@register.simple_tag(takes_context=True)
def masked_change(context, label, value):
    """`{% masked_change label old %}`: a value in a list of changes (a record's history, an
    import's preview), masked when `label` names a sensitive field."""
    labels = context.get("_sensitive_labels")
    if labels is None:
        labels = context["_sensitive_labels"] = labels_to_names()
    return mask_by_label(labels, label, value)


@register.simple_tag(takes_context=True)
def may_reveal(context, obj) -> bool:
    """`{% may_reveal member as can_reveal %}`: whether the page offers the "Show" button."""
    request = context.get("request")
    return request is not None and may_see_sensitive(request.user, obj.unit.path)


@register.simple_tag(takes_context=True)
def may_export_sensitive(context, unit=None) -> bool:
    """`{% may_export_sensitive unit as can %}`: whether an export of `unit` (of everything the
    user sees when None) may take the sensitive columns, so the page offers it."""
    request = context.get("request")
    path = unit.path if unit else None
    return request is not None and may_see_sensitive(request.user, path)
