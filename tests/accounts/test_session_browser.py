"""The session-expiry warning in real Chromium: shown before the end, accessible, keeps the
session alive on request, and logs out when time runs out."""

import pytest

from accounts.constants import Role
from tests.browser_support import axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mat-khau-2026"


def sign_in(browser, base_url):
    UserFactory(username="037090001234", role=Role.CITIZEN, full_name="Nguyễn Văn An")
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân").fill("037090001234")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
    return context, page


def test_the_warning_comes_before_the_end_and_continuing_keeps_the_session(browser, live_server, settings):
    # given: a 2-minute-and-4-second session, warned 2 minutes before its end
    settings.SESSION_COOKIE_AGE = 124
    settings.SESSION_WARNING_SECONDS = 120
    context, page = sign_in(browser, live_server.url)
    dialog = page.get_by_role("alertdialog", name="Phiên làm việc sắp hết hạn")

    # when: a few seconds pass
    dialog.wait_for(state="visible", timeout=15_000)

    # then: the focus is on "go on", the page passes axe with the dialog open
    continue_button = page.get_by_role("button", name="Tiếp tục phiên làm việc")
    assert continue_button.evaluate("el => el === document.activeElement")
    assert axe_violations(page) == []

    # when: the citizen goes on
    with page.expect_response(lambda r: r.url.endswith("/tai-khoan/phien/gia-han/")) as keepalive:
        continue_button.click()

    # then: the session got its time back and the warning is gone
    assert keepalive.value.status == 200
    assert keepalive.value.json()["seconds_left"] == 124
    assert dialog.is_hidden()
    context.close()


def test_when_time_runs_out_the_page_logs_out(browser, live_server, settings):
    # given: a session of 6 seconds
    settings.SESSION_COOKIE_AGE = 6
    settings.SESSION_WARNING_SECONDS = 4
    context, page = sign_in(browser, live_server.url)

    # when: nobody touches anything
    page.wait_for_url("**/tai-khoan/dang-nhap/?het-phien=1", timeout=20_000)

    # then
    assert "Phiên làm việc đã hết hạn do không hoạt động." in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()
    context.close()
