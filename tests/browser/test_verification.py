"""Anyone checks a signed result in real Chromium (issue 17): the stamp's QR code opens "nguyên vẹn";
the same file with one changed byte, uploaded, reads "đã bị sửa đổi"; axe finds nothing, on a desktop
and on a phone. The result is signed through a SoftHSM2 token, as in production through an HSM."""

import pytest
from playwright.sync_api import expect

from accounts.constants import Role
from dossiers.services import dossier_act
from tests.browser.conftest import axe_violations
from tests.browser.test_calendar_year import check
from tests.browser.test_eform_wizard import VIEWPORTS
from tests.dossiers.conftest import office  # noqa: F401 - the department, its officers and workflow
from tests.dossiers.test_signing import flip_one_byte, result_bytes, to_approval
from tests.signing_support import env_pin_reset, off_the_loop, provision, sign, use_token
from workflows.constants import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_qr_code_says_intact_and_a_changed_byte_says_modified(
    browser,
    live_server,
    office,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
    monkeypatch,
    viewport,  # noqa: F811
):
    # given a result signed through the SoftHSM2 token with the department's certificate
    use_token(settings, tmp_path, monkeypatch)
    settings.PORTAL_BASE_URL = live_server.url
    env_pin_reset()
    provision(office["agency"])
    dossier = to_approval(office)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][Role.LEADER], action=Action.APPROVE)
    (signature,) = off_the_loop(lambda: sign(dossier))
    tampered = tmp_path / "ket-qua-da-sua.pdf"
    tampered.write_bytes(flip_one_byte(result_bytes(dossier)))
    size = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, locale="vi-VN")
    page = context.new_page()
    try:
        # when someone scans the stamp's QR code
        page.goto(f"{live_server.url}/xac-thuc/{signature.code}/")

        # then the page says the document is intact, and by whom and when it was signed
        expect(page.locator("#verdict")).to_contain_text("Văn bản nguyên vẹn")
        expect(page.locator(".verification")).to_contain_text("Sở Tư pháp")
        expect(page.locator(".verification")).to_contain_text(signature.sha256)
        check(page, size)

        # when the file with one changed byte is uploaded
        page.goto(f"{live_server.url}/xac-thuc/")
        page.get_by_label("Tệp PDF cần xác thực").set_input_files(str(tampered))
        page.get_by_role("button", name="Tải lên và xác thực").click()
        page.wait_for_load_state()

        # then it reads modified
        expect(page.locator("#verdict")).to_contain_text("Văn bản đã bị sửa đổi")
        expect(page.locator(".verification")).to_contain_text("đã bị sửa đổi")
        assert axe_violations(page) == []
        check(page, size)
    finally:
        context.close()
