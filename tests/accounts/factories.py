"""Two-factor devices and codes for tests, computed as an authenticator app would."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import needs_two_factor


def device_for(user) -> TOTPDevice:
    """The user's confirmed authenticator device, created if the user has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)


def code_for(device: TOTPDevice, *, shift: int = 0) -> str:
    """The code the app shows now (`shift` steps of 30 s later or earlier)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + shift * device.step
    return f"{totp.token():0{device.digits}d}"


def pass_two_factor(client, user) -> None:
    """Mark the client's session as verified by the user's device (as django_otp.login does),
    when the user needs two-factor."""
    # A fresh copy: the scope worked out here must not stay cached on the test's user object.
    fresh = get_user_model().objects.get(pk=user.pk)
    if not needs_two_factor(fresh):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_for(fresh).persistent_id
    session.save()


def warm(client):
    """The client after its session's first page: the user and their two-factor device, read on
    a session's first request, are kept for the next ones (accounts.permissions). Query counts
    compared between two requests are counted on a warm client."""
    assert client.get(reverse("account")).status_code == 200
    return client
