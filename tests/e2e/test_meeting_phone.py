"""A cell secretary logs the monthly meeting on a 360-px phone in headless Chromium; the
commune sees it on its grid; the minutes print to A4; a stale second tab is refused."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import device_for
from tests.e2e.test_secretary_phone import PASSWORD, log_in
from tests.meetings.factories import members_in

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as in test_secretary_phone
SAVE = "form.meeting-form button[type=submit]"


@pytest.fixture
def page(live_server):
    """A 360×740 phone in headless Chromium, collecting console errors."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        yield page
        browser.close()


@pytest.fixture
def twenty(tree, secretary_a, commune_staff_a):
    for user in (secretary_a, commune_staff_a):
        user.set_password(PASSWORD)
        user.save()
    device_for(commune_staff_a)  # commune staff confirm sign-in with a code
    return members_in(tree.cell_a1, 20)


def _tap(page, member, status):
    page.click(f"label[for=id_status_{member.pk}_{ {'excused': 1, 'unexcused': 2}[status] } ]")


def _log_meeting(page, live_server, tree, secretary_a, twenty):
    log_in(page, f"{live_server.url}/meetings/cells/{tree.cell_a1.pk}/new/", secretary_a)
    page.wait_for_selector(".attendance-row")
    _tap(page, twenty[0], "excused")
    page.fill(f"#id_reason_{twenty[0].pk}", "Đi nương")
    _tap(page, twenty[1], "excused")
    page.fill(f"#id_reason_{twenty[1].pk}", "Ốm")
    _tap(page, twenty[2], "unexcused")
    expect(page.locator("#tally")).to_contain_text("17/20")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits the phone
    page.fill("#id_content", "Đánh giá kết quả tháng; triển khai nhiệm vụ tháng tới.")
    page.click(SAVE)
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))


def test_secretary_logs_a_meeting_on_a_phone_and_the_commune_grid_shows_it(
    live_server, page, tree, secretary_a, commune_staff_a, twenty
):
    _log_meeting(page, live_server, tree, secretary_a, twenty)
    assert "17/20" in page.inner_text(".figure-value")
    assert "(85%)" in page.inner_text(".figure-value")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    assert page.console_errors == []  # no CSP violation, no script error

    page.context.clear_cookies()
    log_in(page, f"{live_server.url}/meetings/units/{tree.commune_a.pk}/grid/", commune_staff_a)
    row = page.locator("table.meeting-grid tbody tr", has_text=tree.cell_a1.name)
    this_month = row.locator("td.grid-met").last
    expect(this_month).to_contain_text("85%")


def test_minutes_print_to_one_or_two_a4_pages(live_server, page, tree, secretary_a, twenty):
    _log_meeting(page, live_server, tree, secretary_a, twenty)
    page.goto(page.url + "minutes/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2
    # Nothing cut off: the minutes are no wider than the printable width of A4.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_second_tab_saving_a_stale_meeting_is_refused_with_a_message(
    live_server, page, tree, secretary_a, twenty
):
    _log_meeting(page, live_server, tree, secretary_a, twenty)
    edit = page.url + "edit/"
    second = page.context.new_page()
    page.goto(edit)
    second.goto(edit)
    page.fill("#id_content", "Sửa ở tab thứ nhất")
    page.click(SAVE)
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    second.fill("#id_content", "Sửa ở tab thứ hai")
    second.click(SAVE)
    expect(second.locator(".alert-danger")).to_be_visible()
    page.reload()
    assert "Sửa ở tab thứ nhất" in page.content()
