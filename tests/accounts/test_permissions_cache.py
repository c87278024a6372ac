"""Permission sets kept between requests (accounts.permissions): read once, read again after
any change of the user's groups or permissions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

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
