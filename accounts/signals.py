"""Sign-in events into the audit trail: Django's auth signals and django-axes' lockout."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django_otp import user_has_device

from accounts.audit import record
from accounts.models import AuditKind

# When the session was signed in (epoch seconds): the absolute limit counts from here.
SIGNED_IN_AT = "chibo_signed_in_at"
# When the session was last saved for activity (the idle limit, accounts.signin_middleware).
ACTIVE_AT = "chibo_active_at"
# Set when the user had no two-factor device at sign-in, so that the two-factor gate need not
# look for one on every request of a cell secretary who has not turned it on.
NO_DEVICE_AT_SIGN_IN = "chibo_no_device_at_sign_in"


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    request.session[SIGNED_IN_AT] = request.session[ACTIVE_AT] = int(time.time())
    if user_has_device(user, confirmed=True):
        request.session.pop(NO_DEVICE_AT_SIGN_IN, None)
    else:
        request.session[NO_DEVICE_AT_SIGN_IN] = True
    record(AuditKind.LOGIN, request=request, user=user)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django hands the credentials with the password already masked; only the name is kept.
    username = str(credentials.get("username") or "")
    record(AuditKind.LOGIN_FAILED, request=request, username=username)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.LOGOUT, request=request, user=user)


@receiver(user_locked_out)
def locked_out(sender, request, username, ip_address, **kwargs):
    record(AuditKind.LOCKOUT, request=request, username=str(username or ""))
