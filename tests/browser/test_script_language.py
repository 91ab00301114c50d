"""The scripts speak the reader's language: in English the form builder's controls, headings and
announcements come from the JavaScript catalogue (locale/en/LC_MESSAGES/djangojs.po), in real
Chromium; axe still finds nothing."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_eform_wizard import VIEWPORTS, sign_in
from tests.factories import ComponentFactory, ProcedureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "add_step", "heading", "announced"),
    [
        ("en", "Add step", "Step 1:", "New field added to step 1."),
        ("vi", "Thêm bước", "Bước 1:", "Đã thêm trường mới vào bước 1."),
    ],
)
def test_the_form_builder_speaks_the_readers_language(browser, live_server, language, add_step, heading, announced):
    UserFactory(username="quantri", password="Demo@2026", province_admin=True)
    procedure = ProcedureFactory(code="9.000001", name="Trợ cấp cho con nhỏ")
    ComponentFactory(procedure=procedure, name="Tờ khai", order=1)
    context, page = sign_in(browser, live_server.url, VIEWPORTS["desktop"])
    try:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/quan-tri/bieu-mau/thu-tuc/9.000001/")
        page.locator("form[action$='tao-ban-nhap/'] button[type=submit]").first.click()
        page.wait_for_url("**/sua/")
        page.wait_for_selector("#eform-preview fieldset")

        expect(page.locator("#b-add-step")).to_have_text(add_step)
        expect(page.locator("#b-s0-heading")).to_contain_text(heading)
        page.select_option("#b-s0-newtype", "text")
        page.locator("#b-s0-add").click()
        expect(page.locator("#eform-preview-status")).to_have_text(announced)
        assert axe_violations(page) == []
    finally:
        context.close()
