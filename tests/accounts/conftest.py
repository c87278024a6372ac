import pytest

from tests.e2e.test_secretary_phone import PASSWORD


@pytest.fixture
def with_password():
    """with_password(user): the user, able to sign in through the form with PASSWORD."""

    def give(user):
        user.set_password(PASSWORD)
        user.save()
        return user

    return give
