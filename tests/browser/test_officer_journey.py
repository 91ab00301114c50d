"""A dossier's whole way through the one-stop shop, clicked in real Chromium by each officer.

Two-factor authentication is on, as in production: each officer gives a TOTP code after the
password (the demo officer from the demo secret, the others set up their app on first login,
reading the key from the page).
"""

import base64
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import Role
from accounts.models import User
from dossiers.models import Dossier
from dossiers.services import dossier_act
from procedures.models import Agency
from tests.browser.conftest import axe_violations
from tests.factories import UserFactory
from workflows.constants import Action, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAND_OFFICE = "000.01.06.H42"
PASSWORD = "Mat-khau-2026"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.OFFICER_2FA_REQUIRED = True


def totp_code(key: bytes, *, last_t: int = -1, drift: int = 0) -> str:
    """What the authenticator app shows; the next step's code if this step's was used already
    (each code works once; the portal accepts one step ahead)."""
    totp = TOTP(key, step=30, t0=0, digits=6, drift=drift)
    totp.time = time.time()
    if totp.t() <= last_t:
        totp.time += 30 * (last_t - totp.t() + 1)
    return f"{totp.token():06d}"


def second_factor(page, username):
    if "/xac-thuc-hai-lop/cai-dat/" in page.url:
        # first login: the QR code for the app, and the key to type by hand, which we read
        assert page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực").is_visible()
        assert axe_violations(page) == []
        secret = page.locator(".otp-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.get_by_label("Mã xác thực (6 chữ số)").fill(totp_code(key))
        page.get_by_role("button", name="Bật xác thực hai lớp").click()
        page.wait_for_load_state()
        # then the ten backup codes, shown once, and on to where the officer was going
        assert "/xac-thuc-hai-lop/ma-du-phong/" in page.url, page.url
        assert page.locator(".backup-codes li").count() == 10
        assert axe_violations(page) == []
        page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    else:
        assert "/xac-thuc-hai-lop/" in page.url, page.url
        assert axe_violations(page) == []
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        code = totp_code(device.bin_key, last_t=device.last_t, drift=device.drift)
        page.get_by_label("Mã xác thực (6 chữ số)").fill(code)
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert "/xac-thuc-hai-lop/" not in page.url


def sign_in(browser, base_url, username, password="Demo@2026"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
    second_factor(page, username)
    return context, page


def act(page, base_url, code, button, comment="", tick=""):
    page.goto(f"{base_url}/can-bo/ho-so/{code}/")
    if comment:
        page.get_by_label("Ý kiến, lý do").fill(comment)
    if tick:
        page.get_by_label(tick).check()
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert f"Đã thực hiện: {button}." in page.locator(".messages").inner_text()


def test_dossier_goes_from_reception_to_returned_result(browser, demo_site):
    base = demo_site.url
    agency = Agency.objects.get(code=LAND_OFFICE)
    for username, role in (("cv.datdai", Role.SPECIALIST), ("ld.datdai", Role.LEADER), ("vt.datdai", Role.CLERK)):
        UserFactory(username=username, role=role, full_name=username, agencies=[agency])
    dossier = Dossier.objects.get(agency=agency, status=Status.NEW)

    # the reception officer finds the online dossier in the queue, receives it, asks for a supplement
    context, page = sign_in(browser, base, "tiepnhan.datdai")
    page.goto(f"{base}/can-bo/ho-so/?hang=cho-tiep-nhan")
    assert dossier.code in page.locator("table.queue").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name=dossier.code).click()
    assert axe_violations(page) == []
    act(page, base, dossier.code, "Tiếp nhận hồ sơ")
    act(page, base, dossier.code, "Yêu cầu bổ sung hồ sơ", comment="Bổ sung bản sao giấy tờ tùy thân")

    # the citizen's documents arrive (through the service layer), the officer forwards the dossier
    dossier_act(
        dossier_id=dossier.pk, actor=User.objects.get(username="037090001234"), action=Action.PROVIDE_SUPPLEMENT
    )
    act(page, base, dossier.code, "Chuyển bước tiếp theo")
    context.close()

    # the specialist forwards, the leader approves, the clerk numbers and dispatches
    for username, button in (
        ("cv.datdai", "Chuyển bước tiếp theo"),
        ("ld.datdai", "Phê duyệt, ký"),
        ("vt.datdai", "Vào số, phát hành"),
    ):
        context, page = sign_in(browser, base, username, PASSWORD)
        page.goto(f"{base}/can-bo/ho-so/?hang=buoc-cua-toi")
        assert dossier.code in page.locator("table.queue").inner_text(), username
        act(page, base, dossier.code, button)
        context.close()

    # the one-stop shop returns the result on paper (the applicant collects it at the desk): refused
    # until the officer confirms the paper result is ready; the timeline shows every step
    context, page = sign_in(browser, base, "tiepnhan.datdai")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    page.get_by_role("button", name="Trả kết quả", exact=True).click()
    page.wait_for_load_state()
    assert "Kết quả bản giấy đã sẵn sàng để trả" in page.locator(".messages").inner_text()
    assert axe_violations(page) == []
    act(page, base, dossier.code, "Trả kết quả", tick="Kết quả bản giấy đã sẵn sàng để trả")
    timeline = page.locator(".timeline").inner_text()
    for line in (
        "Tiếp nhận hồ sơ",
        "Yêu cầu bổ sung hồ sơ",
        "Bổ sung hồ sơ",
        "Phê duyệt, ký",
        "Vào số, phát hành",
        "Trả kết quả",
    ):
        assert line in timeline
    assert "Đã trả kết quả" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    context.close()

    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.events.count() == 9  # submit + 8 actions
