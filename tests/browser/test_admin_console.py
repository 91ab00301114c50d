"""A province admin takes a demo procedure from "not started" to "published" through the five steps
of the console, in real Chromium, on a desktop and on a phone: one readiness failure is met, its
link leads to the field that fixes it, the service is published and the public catalogue then
offers the procedure fully online; taken back to information only, it no longer does. axe finds
nothing on any step; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_eform_wizard import VIEWPORTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "2.000552"  # information only and not in the public catalogue in the demo


def check(page, viewport):
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], page.url


def save_and_continue(page):
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_admin_sets_up_and_publishes_a_full_online_service(browser, demo_site, viewport):
    size = VIEWPORTS[viewport]
    base = demo_site.url
    context, page = sign_in(browser, base, size)
    try:
        # given the console lists the procedure as not started
        page.goto(f"{base}/quan-tri/dich-vu/?trang_thai=not_started")
        row = page.locator(f"tr[data-code='{CODE}']")
        expect(row).to_contain_text("Chưa bắt đầu")
        check(page, size)
        row.get_by_role("link").click()
        page.wait_for_load_state()
        check(page, size)

        # step 1: the service is fully online by default; the result stays at the desk for now
        page.get_by_role("button", name="Bắt đầu thiết lập").click()
        page.wait_for_url(f"**/{CODE}/buoc/dich-vu/")
        expect(page.locator("[aria-current='step']")).to_contain_text("1. Dịch vụ trực tuyến")
        expect(page.get_by_label("Toàn trình")).to_be_checked()
        page.get_by_label("Thời hạn giải quyết khi nộp trực tuyến").fill("3")
        check(page, size)
        save_and_continue(page)

        # step 2: the catalogue's components, each with its file types
        expect(page.locator("[aria-current='step']")).to_contain_text("2. Thành phần hồ sơ")
        check(page, size)
        save_and_continue(page)

        # step 3: no form yet: create one (the builder opens on the draft), come back, choose it
        expect(page.locator("[aria-current='step']")).to_contain_text("3. Biểu mẫu điện tử")
        check(page, size)
        page.get_by_role("button", name="Tạo biểu mẫu và mở trình soạn").click()
        page.wait_for_url("**/quan-tri/bieu-mau/*/sua/")
        page.goto(f"{base}/quan-tri/dich-vu/{CODE}/buoc/bieu-mau/")
        expect(page.get_by_label("Phiên bản 1 – bản nháp (ban hành cùng dịch vụ)")).to_be_checked()
        check(page, size)
        save_and_continue(page)

        # step 4: take the department default workflow, see its steps and time shares
        expect(page.locator("[aria-current='step']")).to_contain_text("4. Quy trình điện tử")
        page.get_by_role("button", name="Dùng quy trình mẫu cấp sở").click()
        page.wait_for_load_state()
        expect(page.locator(".steps-preview li")).to_have_count(5)
        expect(page.locator(".steps-preview")).to_contain_text("Thẩm định, xử lý – Chuyên viên xử lý – 60%")
        check(page, size)
        save_and_continue(page)

        # step 5: one readiness failure, explained, with the link to the step that fixes it
        expect(page.locator("[aria-current='step']")).to_contain_text("5. Kiểm tra và công bố")
        problems = page.locator(".readiness--fail li")
        expect(problems).to_have_count(1)
        expect(problems).to_contain_text(
            "Dịch vụ trực tuyến toàn trình phải trả kết quả bản điện tử hoặc qua dịch vụ bưu chính công ích."
        )
        check(page, size)

        # publishing now is refused, and says why
        page.get_by_role("button", name="Công bố dịch vụ").click()
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text("Chưa công bố được dịch vụ:")

        # when the admin follows the link and ticks the electronic result
        page.locator(".readiness--fail li").get_by_role("link", name="Sửa ở bước 1. Dịch vụ trực tuyến").click()
        page.wait_for_url(f"**/{CODE}/buoc/dich-vu/#id_result_delivery")
        page.get_by_label("Bản điện tử trên Cổng (tải về tại mục Hồ sơ của tôi)").check()
        save_and_continue(page)
        page.locator(".console-progress").get_by_role("link", name="5. Kiểm tra và công bố").click()
        page.wait_for_load_state()
        expect(page.locator(".readiness--ok")).to_contain_text("Đạt mọi điều kiện công bố")
        check(page, size)

        # and walks the citizen journey of the draft, which files nothing
        page.get_by_role("link", name="Xem thử như người dân (không tạo hồ sơ)").click()
        page.wait_for_load_state()
        expect(page.locator(".console-preview-banner")).to_contain_text("Xem thử — không tạo hồ sơ.")
        check(page, size)
        page.go_back()
        page.wait_for_load_state()

        # and publishes
        page.get_by_role("button", name="Công bố dịch vụ").click()
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text("Đã công bố phiên bản 1 của dịch vụ.")
        expect(page.locator(".console-status")).to_contain_text("Đã công bố")
        check(page, size)

        # then the public catalogue offers it fully online
        api = page.request.get(f"{base}/api/v1/procedures/{CODE}/").json()
        assert api["online_level"] == "full"
        page.goto(f"{base}/thu-tuc/{CODE}/")
        expect(page.locator(".badge-full")).to_contain_text("Dịch vụ công trực tuyến toàn trình")

        # and, taken back to information only with a reason, the catalogue stops offering it online
        page.goto(f"{base}/quan-tri/dich-vu/{CODE}/")
        page.get_by_label("Lý do ngừng cung cấp trực tuyến").fill("Tạm dừng để nâng cấp hệ thống")
        page.get_by_role("button", name="Ngừng cung cấp trực tuyến").click()
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text("Đã ngừng cung cấp trực tuyến.")
        check(page, size)
        assert page.request.get(f"{base}/api/v1/procedures/{CODE}/").json()["online_level"] == "information"
    finally:
        context.close()
