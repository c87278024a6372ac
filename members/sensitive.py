"""Citizen IDs, religion, phones and home addresses: who sees them in full, and what the others see.

Party membership is political-opinion data under Vietnam's personal-data law (Law 91/2025/QH15,
Decree 356/2025), and these fields identify or locate a person: need-to-know only. The rule is
kept here and used by every page, fragment, form and export:

- in full only for users with the permission `accounts.view_sensitive_fields` (granted to users
  or groups in Django admin), superusers, and admins (Role.ADMIN) of the record's unit;
- pages show them masked to everyone (a citizen ID as its last 4 digits, the others as
  "hidden"); a user with the right opens the full values of one record with the "Show" button,
  and that view is recorded in the audit trail (AuditKind.SENSITIVE_VIEW);
- history tables mask their old and new values the same way;
- a user without the right editing a record does not get these fields on the form: the stored
  values are neither shown nor changed by saving;
- search by citizen ID: a user without the right finds a member only by the whole 12-digit
  number (no prefix, so an ID cannot be discovered digit by digit);
- exports leave them out unless a user with the right asks for them (EXPORT records which).
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.models import AuditKind
from units.access import scope_for

# The sensitive fields of Member (Candidate has citizen_id, religion and phone of them).
SENSITIVE_FIELDS = ("citizen_id", "religion", "phone", "permanent_address", "temporary_address")
PERMISSION = "accounts.view_sensitive_fields"
HIDDEN = _("hidden")
EMPTY = "—"


def may_see_sensitive(user, path: str | None = None) -> bool:
    """Whether `user` may see the sensitive fields in full: of a record in the unit at `path`,
    or (no path) of everything the user may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(PERMISSION):
        return True
    scope = scope_for(user)
    if path is not None:
        return scope.can_administer(path)
    return bool(scope.visible) and all(scope.can_administer(p) for p in scope.visible)


def sensitive_fields_of(model) -> list[str]:
    names = {f.name for f in model._meta.get_fields()}
    return [name for name in SENSITIVE_FIELDS if name in names]


def mask_value(name: str, value) -> str:
    """What a user without the right sees of a stored value of the field `name`."""
    if name == "religion":
        return str(HIDDEN)  # even "none" says something: always hidden
    if value in (None, "", EMPTY):
        return EMPTY
    if name == "citizen_id":
        return audit.mask_id(str(value))
    return str(HIDDEN)


def full_value(obj, name: str) -> str:
    """The field as a user with the right reads it (choices by their label)."""
    if name == "religion":
        return capfirst(obj.get_religion_display())
    return getattr(obj, name) or EMPTY


def masked(obj, name: str, user=None) -> str:
    """The field of `obj` as `user` may see it on a page: masked unless `user` is given and has
    the right (pages pass no user: they show every record masked; full values go through
    `reveal`, which records the view)."""
    if user is not None and may_see_sensitive(user, obj.unit.path):
        return full_value(obj, name)
    return mask_value(name, getattr(obj, name))


def reveal(request, obj) -> dict[str, str]:
    """The full sensitive values of `obj` for a user with the right, the view recorded; a user
    without it gets the masked values (and nothing is recorded)."""
    names = sensitive_fields_of(type(obj))
    if not may_see_sensitive(request.user, obj.unit.path):
        return {name: mask_value(name, getattr(obj, name)) for name in names}
    record_full_view(request, obj, names)
    return {name: full_value(obj, name) for name in names}


def record_full_view(request, obj, names) -> None:
    """One SENSITIVE_VIEW event: who saw which sensitive fields of which record, in full."""
    audit.record(
        AuditKind.SENSITIVE_VIEW,
        request=request,
        unit_path=obj.unit.path,
        object_repr=str(obj),
        detail={"model": obj._meta.model_name, "id": obj.pk, "fields": list(names)},
    )


def mask_by_label(labels: dict[str, str], label, value) -> str:
    """A value shown next to a field label (history, import preview): masked when the label is
    a sensitive field's. `labels`: label → field name."""
    name = labels.get(str(label).strip().lower())
    return value if name is None else mask_value(name, value)


def labels_to_names() -> dict[str, str]:
    """label (lower case, in the active language; and the import file's headers) → field name,
    of every model with sensitive fields."""
    from members.importer import HEADERS
    from members.models import Candidate, Member

    found = {}
    for model in (Member, Candidate):
        for name in sensitive_fields_of(model):
            found[str(model._meta.get_field(name).verbose_name).lower()] = name
    for name in SENSITIVE_FIELDS:
        found[HEADERS[name].lower()] = name
    return found


def drop_sensitive_fields(form, user) -> None:
    """On a form editing an existing record, a user without the right does not get the
    sensitive fields: they are neither shown in the inputs nor changed by saving (a model form
    leaves the fields it does not have as stored)."""
    instance = form.instance
    if instance.pk and not may_see_sensitive(user, instance.unit.path):
        for name in SENSITIVE_FIELDS:
            form.fields.pop(name, None)


def shown_sensitive_fields(form) -> list[str]:
    """The sensitive fields whose stored values an edit form shows (the view is recorded)."""
    if not form.instance.pk:
        return []
    return [name for name in SENSITIVE_FIELDS if name in form.fields]
