"""Who must confirm sign-in with a one-time code (TOTP, django-otp), and the device they use.

Required for administrators and for anyone who sees more than one cell: their scope reaches
many members' records. A cell secretary may turn it on; from then on it is required for them
too.
"""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.signals import NO_DEVICE_AT_SIGN_IN
from units.access import scope_for
from units.models import CELL_KINDS, Role

DEVICE_NAME = "authenticator"


def required_by_role(user) -> bool:
    """Two-factor is compulsory for this user: an administrator, or a scope wider than a cell."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    scope = scope_for(user)
    if scope.everything or Role.ADMIN in scope.roles:
        return True
    return any(unit.kind not in CELL_KINDS for unit in scope.roots)


def needs_two_factor(user) -> bool:
    """The user must enter a one-time code after the password before seeing any data."""
    if not user.is_authenticated:
        return False
    return required_by_role(user) or user_has_device(user, confirmed=True)


def is_verified(request) -> bool:
    """The signed-in browser has been confirmed with a code from one of the user's devices."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_step(request) -> str | None:
    """The two-factor page this signed-in request must pass first ("two_factor_verify" or
    "two_factor_setup"), or None.

    needs_two_factor(), without a query for a user whose role does not require it and who had
    no device at sign-in (a device added since was added in a verified session).
    """
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    required = required_by_role(user)
    if not required and request.session.get(NO_DEVICE_AT_SIGN_IN):
        return None
    device = confirmed_device(user)
    if device is None and not required:
        return None
    return "two_factor_verify" if device else "two_factor_setup"


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up, the same key on every visit until confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def verify(device: TOTPDevice, token: str) -> bool:
    """Check `token` against `device`, one verification at a time (throttled by django-otp)."""
    token = "".join(token.split())
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        # verify_token refuses while throttled and counts the failure.
        return locked is not None and locked.verify_token(token)


def throttled(device: TOTPDevice) -> bool:
    """Too many wrong codes in a row: django-otp makes the user wait before the next try."""
    return not device.verify_is_allowed()[0]


def text_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an authenticator app."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (CSP allows img data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
