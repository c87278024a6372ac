"""Role changes in the audit trail: assignments, the superuser / staff / active flags, groups and
permissions, with who changed them and what they were before and after.

Recorded from model signals, so that every path (chibo's services, the Django admin, a shell)
leaves an event. Who did it: the service's `_history_user` when set, otherwise the signed-in
user of the request simple_history's HistoryRequestMiddleware is serving; outside a request
(a management command) nobody is named.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from simple_history.models import HistoricalRecords

from accounts.audit import record
from accounts.models import AuditKind
from units.models import Assignment, Unit

User = get_user_model()
FLAGS = ("is_superuser", "is_staff", "is_active")
ASSIGNMENT_FIELDS = ("user_id", "unit_id", "role")


def _record(*, actor=None, unit_path: str = "", object_repr: str = "", detail: dict) -> None:
    # Without `actor`, record() names the request's signed-in user.
    record(
        AuditKind.ROLE_CHANGE,
        request=getattr(HistoricalRecords.context, "request", None),
        user=actor,
        unit_path=unit_path,
        object_repr=object_repr,
        detail=detail,
    )


def _remember(sender, instance, **kwargs):
    """The values as loaded, to compare with at save. Read from __dict__, so that a deferred
    field is never loaded just for this (post_init also runs for new, unsaved instances:
    post_save's `created` tells them apart)."""
    fields = FLAGS if sender is User else ASSIGNMENT_FIELDS
    if all(name in instance.__dict__ for name in fields):
        instance._audit_initial = {name: instance.__dict__[name] for name in fields}
    else:
        instance._audit_initial = None


# Assignments


def _assignment_state(assignment, values: dict | None = None) -> dict:
    values = values or {name: getattr(assignment, name) for name in ASSIGNMENT_FIELDS}
    if values["user_id"] == assignment.user_id:
        user = assignment.user
    else:
        user = User.objects.filter(pk=values["user_id"]).first()
    if values["unit_id"] == assignment.unit_id:
        unit = assignment.unit
    else:
        unit = Unit.objects.filter(pk=values["unit_id"]).first()
    return {
        "user": user.get_username() if user else "",
        "unit": unit.display_name if unit else "",
        "role": values["role"],
    }


def _assignment_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_audit_initial", None)
    current = {name: getattr(instance, name) for name in ASSIGNMENT_FIELDS}
    instance._audit_initial = current
    if not created and before == current:
        return
    _record(
        actor=getattr(instance, "_history_user", None),
        unit_path=instance.unit.path,
        object_repr=str(instance),
        detail={
            "change": "assignment_created" if created else "assignment_changed",
            "before": _assignment_state(instance, before) if before else None,
            "after": _assignment_state(instance),
        },
    )


def _assignment_deleted(sender, instance, **kwargs):
    _record(
        actor=getattr(instance, "_history_user", None),
        unit_path=instance.unit.path,
        object_repr=str(instance),
        detail={
            "change": "assignment_deleted",
            "before": _assignment_state(instance),
            "after": None,
        },
    )


# The superuser, staff and active flags


def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not set(update_fields) & set(FLAGS)):
        return  # e.g. last_login at each sign-in
    current = {name: getattr(instance, name) for name in FLAGS}
    before = None if created else getattr(instance, "_audit_initial", None)
    instance._audit_initial = current
    if created:
        # A new account matters here only when it starts with more than a plain user's rights.
        if not (instance.is_superuser or instance.is_staff):
            return
    elif before is None or before == current:
        return
    changed = [name for name in FLAGS if before is None or before[name] != current[name]]
    _record(
        object_repr=instance.get_username(),
        detail={
            "change": "user_created" if created else "user_flags_changed",
            "user": instance.get_username(),
            "before": {name: before[name] for name in changed} if before else None,
            "after": {name: current[name] for name in changed},
        },
    )


# Groups and permissions (many-to-many)

M2M_FIELDS = {
    User.groups.through: ("groups", User.groups.field),
    User.user_permissions.through: ("user_permissions", User.user_permissions.field),
    Group.permissions.through: ("group_permissions", Group.permissions.field),
}


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in rows)
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(model.objects.filter(pk__in=pks).values_list(model.USERNAME_FIELD, flat=True))


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    relation, field = M2M_FIELDS[sender]
    if action == "pre_clear":
        # What a clear() takes away is known only before it happens.
        accessor = field.remote_field.get_accessor_name() if reverse else field.name
        instance._audit_cleared = list(getattr(instance, accessor).values_list("pk", flat=True))
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", None)
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    subject = instance.get_username() if isinstance(instance, User) else str(instance)
    _record(
        object_repr=subject,
        detail={
            "change": f"{relation}_changed",
            "subject": subject,
            "added" if action == "post_add" else "removed": _names(model, pk_set),
        },
    )


def connect() -> None:
    """Called once, from AccountsConfig.ready."""
    for model in (User, Assignment):
        post_init.connect(_remember, sender=model, dispatch_uid=f"role_audit_init_{model}")
    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid="role_audit_assignment")
    post_delete.connect(
        _assignment_deleted, sender=Assignment, dispatch_uid="role_audit_assignment_deleted"
    )
    post_save.connect(_user_saved, sender=User, dispatch_uid="role_audit_user")
    for through in M2M_FIELDS:
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"role_audit_{through}")
