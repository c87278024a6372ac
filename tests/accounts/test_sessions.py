"""Sessions: a new key at sign-in, an absolute limit of 12 hours, and the password rules."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.e2e.test_secretary_phone import PASSWORD


def _sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_signing_in_gives_the_session_a_new_key(client, secretary_a, with_password):
    with_password(secretary_a)
    session = client.session
    session["trước khi đăng nhập"] = True
    session.save()
    before = session.session_key
    _sign_in(client, secretary_a)
    assert client.cookies["sessionid"].value != before
    assert not Session.objects.filter(session_key=before).exists()


def test_session_ends_twelve_hours_after_signing_in_however_active(
    client, secretary_a, with_password
):
    with_password(secretary_a)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _sign_in(client, secretary_a)
        statuses = set()
        for _ in range(24):  # a request every 29 minutes, never idle for 30, up to 11 h 36 min
            clock.shift(timedelta(minutes=29))
            statuses.add(client.get(reverse("member_list")).status_code)
        clock.shift(timedelta(minutes=29))  # 12 h 05 min after signing in
        page = client.get(reverse("member_list"))
    assert statuses == {200}
    assert page["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


@override_settings(SESSION_MAX_HOURS=1)
def test_the_limit_is_a_setting(client, secretary_a, with_password):
    with_password(secretary_a)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _sign_in(client, secretary_a)
        for _ in range(2):  # active: never idle for 30 minutes
            clock.shift(timedelta(minutes=29))
            client.get(reverse("member_list"))
        clock.shift(timedelta(minutes=3))
        page = client.get(reverse("member_list"), follow=True)
    assert "Vui lòng đăng nhập lại" in page.content.decode()


def test_password_change_refuses_a_short_password(client_for, secretary_a, with_password):
    with_password(secretary_a)
    page = client_for(secretary_a).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ng4n-qu4!", "new_password2": "Ng4n-qu4!"},
    )
    assert "ít nhất 12 ký tự" in page.content.decode()


def test_password_change_refuses_a_common_password(client_for, secretary_a, with_password):
    with_password(secretary_a)
    page = client_for(secretary_a).post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert "quá phổ biến" in page.content.decode()


def test_password_change_keeps_the_user_signed_in(client_for, secretary_a, with_password):
    with_password(secretary_a)
    client = client_for(secretary_a)
    new = "bản-Mển-2026-mùa-lúa"
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert client.get(reverse("account")).status_code == 200
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(new)


def test_activity_renews_the_session_once_a_minute_and_idleness_ends_it(
    client, secretary_a, with_password
):
    with_password(secretary_a)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _sign_in(client, secretary_a)
        client.get(reverse("member_list"))
        key = client.cookies["sessionid"].value
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=30))
        client.get(reverse("member_list"))  # within the minute: the session is not written
        assert Session.objects.get(session_key=key).expire_date == expiry
        clock.shift(timedelta(seconds=31))
        client.get(reverse("member_list"))  # a minute on: the expiry moves with the activity
        renewed = Session.objects.get(session_key=key).expire_date
        assert renewed == expiry + timedelta(seconds=61)
        clock.shift(timedelta(minutes=30, seconds=1))  # idle for longer than 30 minutes
        page = client.get(reverse("member_list"))
    assert page["Location"].startswith(reverse("login"))
