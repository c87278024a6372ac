"""Commune staff turn on two-factor sign-in on a phone: scan (here: read) the key, type the
code, and reach the page they asked for."""

import base64
import os

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.test_secretary_phone import PASSWORD, page  # noqa: F401  (the phone fixture)
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as in test_secretary_phone


def test_staff_enrols_with_the_key_on_the_page_and_reaches_the_member_list(
    live_server,
    page,  # noqa: F811
    tree,
    commune_staff_a,
):
    commune_staff_a.set_password(PASSWORD)
    commune_staff_a.save()
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")

    page.goto(f"{live_server.url}/members/")
    page.fill("#id_username", commune_staff_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/two-factor/setup/**")

    qr = page.locator("img.two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # not blocked by the CSP
    key = page.inner_text("#two-factor-key").replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.fill("#id_otp_token", f"{TOTP(secret).token():06d}")
    page.click("form.two-factor-form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/members/")
    expect(page.locator("table.member-table")).to_contain_text("Lò Văn Phương")
    assert page.console_errors == []  # no CSP violation, no script error
