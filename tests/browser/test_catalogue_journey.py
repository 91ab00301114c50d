import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_find_birth_registration_without_diacritics_and_read_its_fee_and_time_limit(browser, demo_site, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    try:
        # given the home page
        page.goto(demo_site.url + "/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert axe_violations(page) == []

        # when the citizen types without diacritics and searches
        page.get_by_label("Tìm thủ tục hành chính").fill("dang ky khai sinh")
        page.get_by_role("button", name="Tìm kiếm").click()
        page.wait_for_url("**/thu-tuc/?q=*")

        # then birth registration is the first result
        first = page.locator(".results .procedure-item a").first
        assert first.inner_text().strip() == "Đăng ký khai sinh"
        assert axe_violations(page) == []

        # and its page shows the fee and time limit
        first.click()
        page.wait_for_url("**/thu-tuc/1.001193/")
        assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
        assert "Trong ngày làm việc" in page.locator("#time-limit").inner_text()
        fees = page.locator("#fees").inner_text()
        assert "Miễn phí" in fees
        assert "5.000 đồng" in fees
        assert axe_violations(page) == []

        # and nothing overflows the phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    finally:
        context.close()


def test_skip_link_moves_focus_to_the_content(browser, demo_site):
    page = browser.new_page()
    try:
        page.goto(demo_site.url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#noi-dung"
    finally:
        page.close()


@pytest.mark.parametrize("path", ["/tai-khoan/dang-nhap/", "/tai-khoan/dang-ky/", "/linh-vuc/", "/co-quan/"])
def test_other_public_pages_pass_axe(browser, demo_site, path):
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    try:
        page.goto(demo_site.url + path)
        assert axe_violations(page) == []
    finally:
        page.close()
