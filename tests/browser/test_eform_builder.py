"""A province admin builds a two-step form in the builder by keyboard, in real Chromium, on a
desktop and on a phone: a radio and a field shown only for one of its answers, the live preview,
save, publish; the preview wizard then shows and hides the field. axe finds nothing."""

import pytest
from playwright.sync_api import expect

from common.constants import VersionState
from eforms.models import FormVersion
from tests.browser.conftest import axe_violations
from tests.browser.test_eform_wizard import VIEWPORTS, check_page, sign_in
from tests.factories import ComponentFactory, ProcedureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def type_into(page, selector, text):
    """Keyboard only: focus the box, select what is there, type over it."""
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press(page, selector):
    page.focus(selector)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_admin_builds_previews_saves_and_publishes_a_two_step_form(browser, live_server, viewport):
    size = VIEWPORTS[viewport]
    UserFactory(username="quantri", password="Demo@2026", province_admin=True)  # no demo data needed
    procedure = ProcedureFactory(code="9.000001", name="Trợ cấp cho con nhỏ")
    ComponentFactory(procedure=procedure, name="Tờ khai", order=1)
    context, page = sign_in(browser, live_server.url, size)
    try:
        # given the procedure's form page, reached from the list
        page.goto(f"{live_server.url}/quan-tri/bieu-mau/")
        page.get_by_role("link", name="Trợ cấp cho con nhỏ").click()
        press(page, "button:has-text('Tạo biểu mẫu')")
        page.wait_for_url("**/sua/")
        page.wait_for_selector("#eform-preview fieldset")
        assert axe_violations(page) == []

        # when the admin names step 1 and adds a radio: the focus lands in the new field's label
        type_into(page, "#b-s0-title", "Người khai")
        assert page.input_value("#b-s0-key") == "thong_tin_chung"  # a saved step keeps its key
        page.select_option("#b-s0-newtype", "radio")
        press(page, "#b-s0-add")
        assert focused_id(page) == "b-s0-f1-label"
        page.keyboard.press("Control+A")
        page.keyboard.type("Có con dưới 6 tuổi")
        assert page.input_value("#b-s0-f1-key") == "co_con_duoi_6_tuoi"  # from the label, no diacritics
        type_into(page, "#b-s0-f1-options", "Có\nKhông")

        # and an integer shown only when the answer is "Có"
        page.select_option("#b-s0-newtype", "integer")
        press(page, "#b-s0-add")
        assert focused_id(page) == "b-s0-f2-label"
        page.keyboard.press("Control+A")
        page.keyboard.type("Số con")
        page.select_option("#b-s0-f2-rule-field", "co_con_duoi_6_tuoi")
        page.select_option("#b-s0-f2-rule-value", "co")

        # and moves it up and back down with the buttons, the focus following the field
        press(page, "#b-s0-f2-up")
        assert focused_id(page) == "b-s0-f1-up"
        assert page.input_value("#b-s0-f1-label") == "Số con"
        page.keyboard.press("Enter")
        assert focused_id(page) == "b-s0-f0-down"  # at the top: "Lên" is gone, the focus is on "Xuống"
        press(page, "#b-s0-f0-down")
        press(page, "#b-s0-f1-down")
        assert page.input_value("#b-s0-f2-label") == "Số con"

        # and a minimum above the maximum is pointed out next to the field while typing
        type_into(page, "#b-s0-f2-min", "5")
        type_into(page, "#b-s0-f2-max", "1")
        error = page.locator("#b-s0-f2-errors .field-error")
        error.wait_for()
        assert error.inner_text() == "Bước 1, trường “so_con”: giá trị nhỏ nhất lớn hơn giá trị lớn nhất."
        type_into(page, "#b-s0-f2-max", "10")
        error.wait_for(state="detached")

        # and adds step 2 with a phone number
        press(page, "#b-add-step")
        assert focused_id(page) == "b-s1-title"
        page.keyboard.press("Control+A")
        page.keyboard.type("Liên hệ")
        page.select_option("#b-s1-f0-prefill", "profile.phone")
        type_into(page, "#b-s1-f0-label", "Số điện thoại")

        # then the live preview renders the step being edited, as citizens get it
        # (expect, not wait_for_function: a string predicate is eval'd in the page, which CSP forbids)
        expect(page.locator("#eform-preview legend").first).to_contain_text("Liên hệ")
        assert page.locator("#eform-preview").get_by_label("Số điện thoại").count() == 1
        page.focus("#b-s0-title")
        expect(page.locator("#eform-preview legend").first).to_contain_text("Người khai")
        preview = page.locator("#eform-preview")
        assert preview.get_by_role("radio", name="Có", exact=True).count() == 1
        assert preview.get_by_label("Số con").count() == 1
        assert page.locator("#eform-preview-problems").inner_text() == ""
        check_page(page, size)

        # when the admin saves
        press(page, "#eform-builder-save")
        page.wait_for_load_state()
        # then the draft holds the form
        assert "Đã lưu bản nháp phiên bản 1." in page.locator(".messages").inner_text()
        version = FormVersion.objects.get(definition__procedure=procedure)
        assert [s["title"] for s in version.schema["steps"]] == ["Người khai", "Liên hệ"]
        fields = version.schema["steps"][0]["fields"]
        assert [f["key"] for f in fields] == ["ho_ten", "co_con_duoi_6_tuoi", "so_con"]
        assert fields[1]["options"] == [{"value": "co", "label": "Có"}, {"value": "khong", "label": "Không"}]
        assert (fields[2]["min"], fields[2]["max"]) == (5, 10)
        assert fields[2]["visible_if"] == {"field": "co_con_duoi_6_tuoi", "op": "equals", "value": "co"}
        assert version.schema["steps"][1]["fields"][0]["prefill"] == "profile.phone"

        # when the admin publishes, confirming
        page.get_by_role("link", name="Ban hành…").click()
        check_page(page, size)
        page.get_by_role("button", name="Xác nhận ban hành").click()
        page.wait_for_load_state()
        version.refresh_from_db()
        assert version.state == VersionState.PUBLISHED

        # then the preview wizard shows the field only for "Có"
        page.get_by_role("link", name="Xem thử phiên bản 1").click()
        page.wait_for_load_state()
        assert page.get_by_label("Số con").is_hidden()
        page.get_by_role("radio", name="Có", exact=True).check()
        assert page.get_by_label("Số con").is_visible()
        page.get_by_role("radio", name="Không", exact=True).check()
        assert page.get_by_label("Số con").is_hidden()
        check_page(page, size)
    finally:
        context.close()
