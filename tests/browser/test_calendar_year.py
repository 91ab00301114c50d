"""A province admin opens the year page in real Chromium, on a desktop and on a phone, types a day
off as dd/mm/yyyy and confirms the year by its letter; axe finds nothing, nothing scrolls sideways."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_eform_wizard import VIEWPORTS, sign_in
from workflows.models import CalendarOverride, CalendarYear

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, viewport):
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)",
        viewport["width"],
    )
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (page.url, wide)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_admin_types_a_vietnamese_date_and_confirms_the_year(browser, demo_site, viewport):
    size = VIEWPORTS[viewport]
    base = demo_site.url
    context, page = sign_in(browser, base, size)
    try:
        # given the year page of 2027, not yet confirmed
        page.goto(f"{base}/quan-tri/lich/2027/")
        expect(page.locator("#trang-thai-nam")).to_have_attribute("data-confirmed", "no")
        expect(page.locator("tr[data-day='2027-01-01']")).to_contain_text("Tết Dương lịch")
        check(page, size)

        # when a day off is typed the Vietnamese way
        page.locator("#id_ngay-date").fill("05/03/2027")
        page.get_by_label("Loại").select_option("day_off")
        page.get_by_label("Lý do, căn cứ").fill("Quyết định số 5/QĐ-UBND")
        page.get_by_role("button", name="Lưu ngày").click()
        page.wait_for_load_state()

        # then it is 5 March, listed as the province's
        expect(page.locator("tr[data-day='2027-03-05']")).to_have_attribute("data-source", "override")
        assert CalendarOverride.objects.get(reason="Quyết định số 5/QĐ-UBND").date == dt.date(2027, 3, 5)

        # when the year is confirmed by its letter
        page.get_by_text("Xác nhận lịch năm", exact=True).click()
        page.get_by_label("Số văn bản quyết định lịch năm").fill("12345/VPCP-KGVX")
        page.get_by_label("Ngày văn bản").fill("20/12/2026")
        page.get_by_role("button", name="Xác nhận", exact=True).click()
        page.wait_for_load_state()

        # then
        expect(page.locator("#trang-thai-nam")).to_have_attribute("data-confirmed", "yes")
        assert CalendarYear.objects.get(year=2027).letter_date == dt.date(2026, 12, 20)
        check(page, size)
    finally:
        context.close()
