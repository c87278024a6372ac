"""Each sign-in event leaves one audit event, and none holds a password or a code."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, AuditKind
from tests.accounts.factories import code_for, device_for
from tests.e2e.test_secretary_phone import PASSWORD

WRONG = "mật-khẩu-sai-bét-2026"
SIGN_IN_KINDS = [
    AuditKind.LOGIN,
    AuditKind.LOGIN_FAILED,
    AuditKind.LOGOUT,
    AuditKind.LOCKOUT,
    AuditKind.TWO_FACTOR_ENROLLED,
    AuditKind.TWO_FACTOR_VERIFIED,
    AuditKind.TWO_FACTOR_FAILED,
    AuditKind.TWO_FACTOR_REMOVED,
]


def _events():
    return AuditEvent.objects.filter(kind__in=SIGN_IN_KINDS).order_by("pk")


def _kinds():
    return list(_events().values_list("kind", flat=True))


def _everything_stored() -> str:
    return " ".join(
        f"{e.username} {e.path} {e.object_repr} {e.detail}" for e in AuditEvent.objects.all()
    )


@pytest.fixture
def staff(commune_staff_a, with_password):
    return with_password(commune_staff_a)


def test_sign_in_code_and_sign_out_are_recorded(client, staff):
    device = device_for(staff)
    client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    client.post(reverse("two_factor_verify"), {"otp_token": code_for(device)})
    client.post(reverse("logout"))
    assert _kinds() == [AuditKind.LOGIN, AuditKind.TWO_FACTOR_VERIFIED, AuditKind.LOGOUT]
    assert set(_events().values_list("user", flat=True)) == {staff.pk}


def test_a_failed_sign_in_keeps_the_typed_username_but_not_the_password(client, staff):
    client.post(reverse("login"), {"username": "khong.co.ai", "password": WRONG})
    event = _events().get()
    assert (event.kind, event.username, event.user) == (AuditKind.LOGIN_FAILED, "khong.co.ai", None)
    assert WRONG not in _everything_stored()


def test_a_refused_code_is_recorded_without_the_code(client, staff):
    device = device_for(staff)
    client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    wrong = code_for(device, shift=-20)
    client.post(reverse("two_factor_verify"), {"otp_token": wrong})
    assert _kinds()[-1] == AuditKind.TWO_FACTOR_FAILED
    assert wrong not in _everything_stored()


def test_enrolment_is_recorded_without_the_code_or_the_key(client, staff):
    client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    code = code_for(device)
    client.post(reverse("two_factor_setup"), {"otp_token": code})
    assert _kinds()[-1] == AuditKind.TWO_FACTOR_ENROLLED
    stored = _everything_stored()
    assert code not in stored and device.key not in stored


def test_an_administrator_resetting_a_device_is_recorded(client_for, superuser_admin, staff):
    device = device_for(staff)
    admin = client_for(superuser_admin)
    admin.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    event = AuditEvent.objects.get(kind=AuditKind.TWO_FACTOR_REMOVED)
    assert (event.user, event.object_repr) == (superuser_admin, staff.username)


def test_no_password_or_code_in_the_log_output(client, staff, caplog):
    device = device_for(staff)
    caplog.set_level("DEBUG")
    client.post(reverse("login"), {"username": staff.username, "password": WRONG})
    client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    code = code_for(device)
    client.post(reverse("two_factor_verify"), {"otp_token": code})
    assert WRONG not in caplog.text and PASSWORD not in caplog.text and code not in caplog.text
