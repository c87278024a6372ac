"""A cell secretary on a cheap phone: log in and open the member list in headless Chromium."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

# Playwright's sync API keeps an event loop on this thread; the test's own database writes
# happen before the browser starts and the live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "mật-khẩu-thử-nghiệm-2026"


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        yield page
        browser.close()


def log_in(page, url, user):
    """Open `url`, which asks for a login, and log in through the form as a person would; a user
    asked for a two-factor code types the one their device shows (the test created it)."""
    from tests.accounts.factories import code_for, device_for

    page.goto(url)
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/account/two-factor/"):
        page.fill("#id_otp_token", code_for(device_for(user)))
        page.click("form.two-factor-form button[type=submit]")


def test_secretary_logs_in_on_a_phone_and_sees_only_her_cells_members(
    live_server, page, tree, secretary_a
):
    secretary_a.set_password(PASSWORD)
    secretary_a.save()
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Bình")
    MemberFactory(unit=tree.cell_b1, full_name="Giàng A Sử")

    log_in(page, f"{live_server.url}/members/", secretary_a)
    page.wait_for_url(f"{live_server.url}/members/*")

    rows = page.locator("table.member-table tbody tr")
    names = rows.locator("td:first-child").all_inner_texts()
    assert names == ["Quàng Thị Bình", "Lò Văn Phương"]
    assert "Đảng viên" in page.inner_text("h1")
    assert page.console_errors == []  # no CSP violation, no script error


def test_member_search_without_diacritics_updates_the_list_in_place(
    live_server, page, tree, secretary_a
):
    secretary_a.set_password(PASSWORD)
    secretary_a.save()
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Bình")

    log_in(page, f"{live_server.url}/login/", secretary_a)
    page.goto(f"{live_server.url}/members/")
    page.fill("#id_q", "lo van")
    rows = page.locator("table.member-table tbody tr")
    expect(rows).to_have_count(1)

    assert rows.first.inner_text().startswith("Lò Văn Phương")
