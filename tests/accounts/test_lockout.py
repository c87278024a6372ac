"""django-axes: 5 wrong passwords for one username from one address lock it for 15 minutes."""

from datetime import timedelta

import pytest
import time_machine
from axes.exceptions import AxesBackendRequestParameterRequired
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, AuditKind
from tests.e2e.test_secretary_phone import PASSWORD


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def secretary(secretary_a, with_password):
    return with_password(secretary_a)


def test_sixth_attempt_is_refused_even_with_the_right_password(client, secretary):
    for _ in range(5):
        _sign_in(client, secretary.username, "sai-mật-khẩu")
    page = _sign_in(client, secretary.username, PASSWORD)
    assert page.status_code == 429
    assert not _signed_in(client)


def test_lockout_shows_the_login_page_with_a_vietnamese_message(client, secretary):
    for _ in range(5):
        page = _sign_in(client, secretary.username, "sai-mật-khẩu")
    html = page.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html and "15 phút" in html
    assert 'name="password"' in html  # the login page, not a bare text


def test_the_right_password_is_accepted_after_fifteen_minutes(client, secretary):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _sign_in(client, secretary.username, "sai-mật-khẩu")
        clock.shift(timedelta(minutes=14))
        _sign_in(client, secretary.username, PASSWORD)
        assert not _signed_in(client)
        clock.shift(timedelta(minutes=1, seconds=1))
        page = _sign_in(client, secretary.username, PASSWORD)
    assert page.status_code == 302 and _signed_in(client)


def test_a_successful_sign_in_resets_the_count(client, secretary):
    for _ in range(4):
        _sign_in(client, secretary.username, "sai-mật-khẩu")
    _sign_in(client, secretary.username, PASSWORD)
    client.post(reverse("logout"))
    for _ in range(4):
        _sign_in(client, secretary.username, "sai-mật-khẩu")
    _sign_in(client, secretary.username, PASSWORD)
    assert _signed_in(client)


def test_lockout_holds_for_one_username_from_one_address_only(client, secretary, secretary_b):
    for _ in range(5):
        _sign_in(client, secretary.username, "sai-mật-khẩu")
    secretary_b.set_password(PASSWORD)
    secretary_b.save()
    _sign_in(client, secretary_b.username, PASSWORD)
    assert _signed_in(client)


def test_lockout_is_recorded_in_the_audit_trail(client, secretary):
    for _ in range(5):
        _sign_in(client, secretary.username, "sai-mật-khẩu")
    event = AuditEvent.objects.get(kind=AuditKind.LOCKOUT)
    assert (event.username, event.ip) == (secretary.username, "127.0.0.1")


def test_client_login_works_when_given_a_request(client, secretary):
    # django-axes counts attempts per request: the test client's login() must hand it one.
    assert client.login(request=HttpRequest(), username=secretary.username, password=PASSWORD)


def test_client_login_without_a_request_is_refused_by_axes(client, secretary):
    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username=secretary.username, password=PASSWORD)
