"""The signed-in user and their permissions kept in the shared cache between requests, not read
again on every page.

Django's ModelBackend reads the user's row on every request, and a user's own and groups'
permissions (two queries) on every request that asks for them: pages that offer sensitive
fields ask on every request.

- The user's row is kept under a version of that user which any save or deletion of the user
  moves on, again once the change is committed: a user deactivated or whose password changed is
  signed out at their next request, as before.
- The permission set is kept under a version that any change of a user's groups or permissions,
  of a group's permissions, or of a group or permission itself moves on, again once the change
  is committed: the next request reads the new set.
- The two-factor device a session was confirmed with (django-otp reads it on every request) is
  kept under a version that any save or deletion of a device moves on, in the same way: a
  device removed no longer confirms any session at the next request.

(A change committed between the two moves would otherwise be kept as it was before it.)
"""

import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

VERSION_KEY = "chibo:permissions-version"
KEEP_SECONDS = 600


def _version(key: str = VERSION_KEY) -> int:
    return cache.get(key) or 0


def _move_on(key: str = VERSION_KEY) -> None:
    cache.set(key, time.time_ns(), None)


def _changed(key: str) -> None:
    """What is kept under `key`'s version is read again: now, and once the change is committed
    (a request between the two may have kept it as it was before)."""
    _move_on(key)
    transaction.on_commit(lambda: _move_on(key))


def _kept(key: str, read):
    """The value kept under `key`, or `read()` kept there (None is not kept)."""
    value = cache.get(key)
    if value is None:
        value = read()
        if value is not None:
            cache.set(key, value, KEEP_SECONDS)
    return value


def _user_version_key(pk) -> str:
    return f"chibo:user-version:{pk}"


def user_changed(instance, **kwargs) -> None:
    """A user was saved or deleted: their row is read again at their next request."""
    _changed(_user_version_key(instance.pk))


def changed(update_fields=None, **kwargs) -> None:
    """Permissions may have changed: every kept set is read again. Signing in (a user saved
    with its last_login alone) changes none."""
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    _changed(VERSION_KEY)


DEVICES_VERSION_KEY = "chibo:otp-devices-version"


def devices_changed(**kwargs) -> None:
    """A two-factor device was saved or deleted: every kept device is read again."""
    _changed(DEVICES_VERSION_KEY)


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, the session's device read from the cache (see above)."""

    def _device_from_persistent_id(self, persistent_id: str):
        read = super()._device_from_persistent_id
        key = f"chibo:otp-device:{persistent_id}:{_version(DEVICES_VERSION_KEY)}"
        return _kept(key, lambda: read(persistent_id))


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        read = super().get_user  # None: no such user, or one that is not active
        user = _kept(
            f"chibo:user:{user_id}:{_version(_user_version_key(user_id))}", lambda: read(user_id)
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            read = super().get_all_permissions
            key = f"chibo:permissions:{user_obj.pk}:{_version()}"
            user_obj._perm_cache = _kept(key, lambda: read(user_obj))
        return user_obj._perm_cache


def connect() -> None:
    """Called once, from AccountsConfig.ready."""
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"permissions_{through}")
    for model in (User, Group, Permission):
        post_save.connect(changed, sender=model, dispatch_uid=f"permissions_saved_{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"permissions_deleted_{model}")
    post_save.connect(user_changed, sender=User, dispatch_uid="user_saved")
    post_delete.connect(user_changed, sender=User, dispatch_uid="user_deleted")
    for model in apps.get_models():
        if issubclass(model, Device):
            post_save.connect(devices_changed, sender=model, dispatch_uid=f"device_saved_{model}")
            post_delete.connect(
                devices_changed, sender=model, dispatch_uid=f"device_deleted_{model}"
            )
