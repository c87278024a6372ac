"""Two-factor sign-in: required above a cell, optional for a cell secretary, and until the code
is entered no page with data opens."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import needs_two_factor
from tests.accounts.factories import code_for, device_for
from tests.e2e.test_secretary_phone import PASSWORD
from tests.factories import MemberFactory
from tests.test_scope_sweep import project_patterns

VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")


def _sign_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    query = f"?next={next_url}" if next_url else ""
    return client.post(reverse("login") + query, data)


def _data_pages(tree, member):
    """Every page without arguments, and a few with ids, as the resolver lists them."""
    urls = [f"/{route}" for route, _name, kwargs in project_patterns() if not kwargs]
    urls += [
        reverse("unit_detail", args=[tree.commune_a.pk]),
        reverse("unit_detail", args=[tree.cell_a1.pk]),
        reverse("member_detail", args=[member.pk]),
        reverse("meeting_grid", args=[tree.commune_a.pk]),
        reverse("report_dashboard", args=[tree.commune_a.pk]),
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
    ]
    return [u for u in urls if u.rstrip("/") not in {reverse(n).rstrip("/") for n in OPEN}]


OPEN = ("login", "logout", "two_factor_verify", "two_factor_setup")


@pytest.fixture
def member(tree):
    return MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")


def test_who_needs_two_factor(
    secretary_a, commune_staff_a, viewer, district_admin, superuser_admin
):
    needs = [
        needs_two_factor(u)
        for u in (secretary_a, commune_staff_a, viewer, district_admin, superuser_admin)
    ]
    assert needs == [False, True, True, True, True]


def test_commune_staff_without_the_code_reaches_no_page_with_data(tree, commune_staff_a, member):
    device_for(commune_staff_a)
    client = Client()
    client.force_login(commune_staff_a, verified=False)
    refused = {}
    for url in _data_pages(tree, member):
        for method in (client.get, client.post):
            page = method(url)
            if page.status_code != 302 or not page["Location"].startswith(VERIFY):
                refused[f"{method.__name__} {url}"] = page.status_code
    assert refused == {}


def test_htmx_requests_are_sent_to_the_two_factor_step_as_a_whole_page(
    tree, commune_staff_a, member
):
    device_for(commune_staff_a)
    client = Client()
    client.force_login(commune_staff_a, verified=False)
    page = client.get(reverse("member_list"), headers={"HX-Request": "true"})
    assert page["HX-Redirect"].startswith(VERIFY)
    assert "Lò Văn Phương" not in page.content.decode()


def test_commune_staff_sees_pages_after_entering_a_valid_code(
    client, commune_staff_a, member, with_password
):
    with_password(commune_staff_a)
    device = device_for(commune_staff_a)
    step = _sign_in(client, commune_staff_a, reverse("member_list"))
    assert step["Location"].startswith(VERIFY)
    page = client.post(step["Location"], {"otp_token": code_for(device)}, follow=True)
    assert "Lò Văn Phương" in page.content.decode()


def test_a_wrong_code_is_refused(client, commune_staff_a, with_password):
    with_password(commune_staff_a)
    device = device_for(commune_staff_a)
    _sign_in(client, commune_staff_a)
    page = client.post(VERIFY, {"otp_token": code_for(device, shift=-10)})
    assert page.status_code == 200 and "otp_token" in page.context["form"].errors
    assert client.get(reverse("member_list"))["Location"].startswith(VERIFY)


def test_staff_without_a_device_is_sent_to_enrolment_with_a_qr_code(
    client, commune_staff_a, with_password
):
    with_password(commune_staff_a)
    step = _sign_in(client, commune_staff_a)
    assert step["Location"].startswith(SETUP)
    html = client.get(step["Location"]).content.decode()
    assert re.search(r'<img[^>]+src="data:image/svg\+xml', html)
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key)


def test_enrolment_with_a_wrong_code_leaves_two_factor_off(client, commune_staff_a, with_password):
    with_password(commune_staff_a)
    _sign_in(client, commune_staff_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=commune_staff_a)
    page = client.post(SETUP, {"otp_token": code_for(device, shift=-10)})
    assert "otp_token" in page.context["form"].errors
    assert not TOTPDevice.objects.filter(user=commune_staff_a, confirmed=True).exists()


def test_enrolment_with_the_right_code_turns_two_factor_on(client, commune_staff_a, with_password):
    with_password(commune_staff_a)
    _sign_in(client, commune_staff_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=commune_staff_a)
    page = client.post(SETUP, {"otp_token": code_for(device), "next": "/members/"})
    assert page["Location"] == "/members/"
    assert client.get("/members/").status_code == 200


def test_password_alone_cannot_enrol_a_second_device(client, commune_staff_a, with_password):
    with_password(commune_staff_a)
    device_for(commune_staff_a)
    _sign_in(client, commune_staff_a)
    assert client.get(SETUP)["Location"].startswith(VERIFY)


def test_secretary_without_a_device_is_not_asked(client, secretary_a, with_password):
    with_password(secretary_a)
    page = _sign_in(client, secretary_a, reverse("member_list"))
    assert page["Location"] == reverse("member_list")
    assert client.get(reverse("member_list")).status_code == 200


def test_secretary_turns_two_factor_on_from_her_account_page(client, secretary_a, with_password):
    with_password(secretary_a)
    _sign_in(client, secretary_a)
    account = client.get(reverse("account")).content.decode()
    assert f'href="{SETUP}?next=' in account
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=secretary_a)
    client.post(SETUP, {"otp_token": code_for(device)})
    assert "Bật" in client.get(reverse("account")).content.decode()


def test_secretary_who_turned_it_on_is_asked(client, secretary_a, with_password):
    with_password(secretary_a)
    device_for(secretary_a)
    page = _sign_in(client, secretary_a)
    assert page["Location"].startswith(VERIFY)
    assert client.get(reverse("member_list"))["Location"].startswith(VERIFY)


def test_a_device_reset_by_an_administrator_ends_the_verified_session(client_for, commune_staff_a):
    client = client_for(commune_staff_a)
    assert client.get(reverse("member_list")).status_code == 200
    TOTPDevice.objects.filter(user=commune_staff_a).delete()
    assert client.get(reverse("member_list"))["Location"].startswith(SETUP)
