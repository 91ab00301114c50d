"""A province admin reads the formula document's score, an indicator's explanation and the national preview."""

import importlib

import pytest
from django.apps import apps

from tests.browser.conftest import axe_violations
from tests.factories import UserFactory
from tests.indicators.test_formula_document import province  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}


def seed_rules():
    """The rules come from data migrations, which an earlier transactional test's flush removed."""
    importlib.import_module("indicators.migrations.0002_seed_decision_766").seed(apps, None)
    importlib.import_module("indicators.migrations.0008_rules_from_formula_document").forwards(apps, None)


def fits(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"], page.url


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_score_out_of_n_explanation_and_national_preview(browser, live_server, province, viewport):  # noqa: F811
    seed_rules()
    UserFactory(username="quantri.tinh", province_admin=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân").fill("quantri.tinh")
        page.get_by_label("Mật khẩu").fill("Mat-khau-2026")
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_load_state()

        # when the admin opens October 2026
        page.goto(f"{live_server.url}/chi-so/?ky=2026-10")

        # then the total reads "x / N điểm" (the hand-computed 55.54 of 86) and the page passes axe
        assert "55,54 / 86 điểm" in page.locator(".score-total").first.inner_text()
        assert "hệ thống chưa lưu các ngày này" in page.locator("#chi-so-1\\.1").inner_text()
        assert axe_violations(page) == []
        fits(page, viewport)

        # when the admin opens the explanation of 2.1
        page.locator("#chi-so-2\\.1").get_by_role("link", name="Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn").click()
        page.wait_for_url("**/chi-so/giai-thich/2.1/*")

        # then the late dossiers are grouped by cause
        main = page.locator("main").inner_text()
        assert "Yêu cầu bổ sung quá 1 lần" in main
        assert "Đang xử lý, đã quá hạn" in main
        assert axe_violations(page) == []
        fits(page, viewport)

        # and the national preview names the dossiers never synced
        page.goto(f"{live_server.url}/chi-so/quoc-gia/?ky=2026-10")
        assert "Chưa đồng bộ lên Cổng DVCQG (29)" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        fits(page, viewport)
    finally:
        context.close()
