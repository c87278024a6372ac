"""The signed-in user, their permission sets and their two-factor device kept between requests
(accounts.permissions): read once, read again after any change."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

SENSITIVE = "accounts.view_sensitive_fields"


def _fresh(user):
    """The user as the next request loads it."""
    return get_user_model().objects.get(pk=user.pk)


def _permission():
    return Permission.objects.get(codename="view_sensitive_fields")


def test_a_users_permissions_are_read_once_then_kept(db, django_assert_num_queries):
    user = UserFactory(username="mai.lt")
    user.user_permissions.add(_permission())
    assert _fresh(user).has_perm(SENSITIVE)
    fresh = _fresh(user)
    with django_assert_num_queries(0):
        assert fresh.has_perm(SENSITIVE)


def test_a_permission_taken_away_or_given_counts_at_the_next_request(db):
    user = UserFactory(username="mai.lt")
    assert not _fresh(user).has_perm(SENSITIVE)
    user.user_permissions.add(_permission())
    assert _fresh(user).has_perm(SENSITIVE)
    user.user_permissions.remove(_permission())
    assert not _fresh(user).has_perm(SENSITIVE)


def test_a_groups_permissions_count_and_change_with_the_group(db):
    user = UserFactory(username="mai.lt")
    group = Group.objects.create(name="Ban Tổ chức")
    user.groups.add(group)
    assert not _fresh(user).has_perm(SENSITIVE)
    group.permissions.add(_permission())
    assert _fresh(user).has_perm(SENSITIVE)
    user.groups.clear()
    assert not _fresh(user).has_perm(SENSITIVE)


def _tables_read(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(q["sql"] for q in queries)


def test_the_user_and_their_device_are_read_once_then_kept(client_for, commune_staff_a):
    client = client_for(commune_staff_a)  # a role that signs in with a code
    first = _tables_read(client, reverse("member_list"))
    assert '"auth_user"' in first and '"otp_totp_totpdevice"' in first
    again = _tables_read(client, reverse("member_list"))
    assert 'FROM "auth_user"' not in again and '"otp_totp_totpdevice"' not in again


def test_a_user_deactivated_is_signed_out_at_the_next_request(client_for, commune_staff_a):
    client = client_for(commune_staff_a)
    assert client.get(reverse("member_list")).status_code == 200
    commune_staff_a.is_active = False
    commune_staff_a.save()
    assert client.get(reverse("member_list"))["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_signs_the_other_sessions_out(client_for, commune_staff_a):
    client = client_for(commune_staff_a)
    assert client.get(reverse("member_list")).status_code == 200
    user = get_user_model().objects.get(pk=commune_staff_a.pk)
    user.set_password("một mật khẩu mới 2026")
    user.save()
    assert client.get(reverse("member_list"))["Location"].startswith(reverse("login"))
