"""Users' permissions kept in the shared cache between requests, not read again on every page.

Django's ModelBackend reads a user's own and groups' permissions (two queries) once per request;
pages that offer sensitive fields ask on every request. Here the set is kept in the cache under a
version that any change of a user's groups or permissions, of a group's permissions, or of a
group or permission itself moves on once the change is committed: the next request reads the
new set.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "chibo:permissions-version"
KEEP_SECONDS = 600


def _version() -> int:
    return cache.get(VERSION_KEY) or 0


def _move_on() -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)


def changed(update_fields=None, **kwargs) -> None:
    """Permissions may have changed: every kept set is read again, now and once the change is
    committed (a request between the two may have kept the set as it was before). Signing in
    (a user saved with its last_login alone) changes none."""
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    _move_on()
    transaction.on_commit(_move_on)


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = f"chibo:permissions:{user_obj.pk}:{_version()}"
            kept = cache.get(key)
            if kept is None:
                kept = super().get_all_permissions(user_obj)
                cache.set(key, kept, KEEP_SECONDS)
            user_obj._perm_cache = kept
        return user_obj._perm_cache


def connect() -> None:
    """Called once, from AccountsConfig.ready."""
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"permissions_{through}")
    for model in (User, Group, Permission):
        post_save.connect(changed, sender=model, dispatch_uid=f"permissions_saved_{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"permissions_deleted_{model}")
