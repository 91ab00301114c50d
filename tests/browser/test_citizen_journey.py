"""The whole citizen journey as a new user does it, in real Chromium, on a phone and a desktop.

Register, find "dang ky khai sinh", start, fill the two steps of the e-form, upload a PDF,
reuse a stored document, pay on the (stand-in) national payment platform, submit, see the
code, download the submission acknowledgement; later answer a supplement request, receive the result, rate.
axe checks every page on the way.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from accounts.models import User
from dossiers.constants import AttachmentRole, PaymentStatus
from dossiers.models import Attachment, Dossier, StoredDocument
from dossiers.services import dossier_act
from tests.browser.conftest import axe_violations
from tests.files import PDF
from tests.signing_support import off_the_loop, sign
from workflows.constants import Action, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_ID = "037195123456"  # Ninh Bình (037), a woman born in the 1900s (1), in 1995
PASSWORD = "Mat-khau-2026!"
VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}


class Journey:
    """One browser tab and the axe check of every page it lands on."""

    def __init__(self, page, base):
        self.page, self.base = page, base
        self.checked: list[str] = []

    def check(self):
        violations = axe_violations(self.page)
        assert violations == [], f"{self.page.url}: {violations}"
        self.checked.append(self.page.url)

    def click(self, role, name, **kwargs):
        self.page.get_by_role(role, name=name, **kwargs).first.click()
        self.page.wait_for_load_state()
        self.check()


@pytest.fixture
def stand_in(demo_site, settings):
    """The payment platform and the QR links answer at the live server's address."""
    settings.PORTAL_BASE_URL = demo_site.url
    settings.PAYMENT_URL = f"{demo_site.url}/mock/thanhtoan"
    return demo_site


def fetch(j: Journey, link) -> bytes:
    """What a link serves, with the tab's session (PDFs open inline in Chromium, not as downloads)."""
    response = j.page.request.get(j.base + link.get_attribute("href"))
    assert response.ok, response.status
    return response.body()


def register(j: Journey):
    j.page.goto(f"{j.base}/tai-khoan/dang-ky/")
    j.check()
    j.page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    j.page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    j.page.get_by_label("Ngày sinh").fill("1995-06-01")
    j.page.get_by_label("Số điện thoại").fill("0987654321")
    j.page.get_by_label("Thư điện tử").fill("mai@example.vn")
    j.page.get_by_label("Tỉnh, thành phố").select_option(label="Ninh Bình")
    j.page.get_by_label("Xã, phường, đặc khu").select_option(value="14329")
    j.page.locator("input[name=password1]").fill(PASSWORD)
    j.page.locator("input[name=password2]").fill(PASSWORD)
    j.click("button", "Đăng ký")
    assert "Đăng ký tài khoản thành công" in j.page.content()


def find_and_start(j: Journey):
    j.page.goto(f"{j.base}/")
    j.page.get_by_label("Tìm thủ tục hành chính").fill("dang ky khai sinh")
    j.page.get_by_label("Tìm thủ tục hành chính").press("Enter")
    j.page.wait_for_load_state()
    j.check()
    j.click("link", "Đăng ký khai sinh", exact=True)
    j.click("link", "Nộp hồ sơ trực tuyến")
    j.page.get_by_label("Cơ quan giải quyết hồ sơ").select_option(label="UBND phường Hoa Lư")
    j.click("button", "Bắt đầu nộp hồ sơ")


def fill_the_form(j: Journey):
    # step 1: the profile filled the applicant's name, id and phone ("provide once")
    assert j.page.get_by_label("Họ, chữ đệm, tên người yêu cầu").input_value() == "Trần Thị Mai"
    assert j.page.get_by_label("Số định danh cá nhân").input_value() == CITIZEN_ID
    j.page.get_by_label("Mẹ", exact=True).check()
    j.click("button", "Tiếp tục")
    # step 2: the child
    j.page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    j.page.get_by_label("Ngày, tháng, năm sinh").fill("2026-11-20")
    j.page.get_by_label("Nam", exact=True).check()
    j.page.get_by_label("Nơi sinh (tên cơ sở y tế hoặc địa chỉ)").fill("Bệnh viện Đa khoa tỉnh Ninh Bình")
    j.page.get_by_label("Số bản sao Trích lục khai sinh đề nghị cấp").fill("1")  # selects the copy fee
    j.click("button", "Tiếp tục")
    assert "Nguyễn Minh Khang" in j.page.content()  # the check-your-answers page
    j.click("button", "Lưu tờ khai, tiếp tục")


def attach(j: Journey):
    birth = j.page.locator("section.component", has_text="Giấy chứng sinh")
    birth.locator("input[type=file]").set_input_files(
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    birth.get_by_role("button", name="Tải lên").click()
    j.page.wait_for_selector("text=giay-chung-sinh.pdf")
    j.check()
    # the identity card the citizen gave for an earlier dossier comes from her store in one click
    card = j.page.locator("section.component", has_text="Hộ chiếu, thẻ Căn cước")
    card.locator("summary", has_text="Chọn từ kho dữ liệu").click()
    card.get_by_role("button", name="Dùng tệp này").first.click()
    j.page.wait_for_load_state()
    j.page.wait_for_selector("text=Lấy từ kho dữ liệu")
    j.check()
    j.click("link", "Tiếp tục")


def pay(j: Journey):
    # the one copy asked for in the e-form is charged, with no box to tick (issue 20)
    assert (
        j.page.get_by_label("Phí cấp bản sao Trích lục khai sinh (nếu có yêu cầu): 8.000 đ", exact=False).count() == 0
    )
    assert j.page.get_by_role("cell", name="Phí cấp bản sao Trích lục khai sinh (nếu có yêu cầu)").count() == 1
    assert "8.000" in j.page.locator("text=Tổng số tiền phải nộp").inner_text()
    j.click("button", "Thanh toán trực tuyến")  # to the national payment platform
    assert "/mock/thanhtoan/" in j.page.url
    j.click("button", "Thanh toán", exact=True)  # back to the portal, notified server to server
    assert "Thanh toán thành công" in j.page.content()


def submit(j: Journey) -> Dossier:
    j.click("link", "Quay lại hồ sơ")  # from the payment's return page to the check-and-submit page
    assert "/kiem-tra/" in j.page.url
    j.page.get_by_label("Tôi xin cam đoan", exact=False).check()
    j.click("button", "Nộp hồ sơ")
    dossier = Dossier.objects.get(applicant__username=CITIZEN_ID)
    assert "Đã nộp hồ sơ thành công" in j.page.content()
    assert dossier.code in j.page.locator(".dossier-code").inner_text()
    # filed online, nobody has received it yet: the acknowledgement, which says so (form 01 comes at the receipt)
    acknowledgement = fetch(j, j.page.get_by_role("link", name="Tải giấy xác nhận nộp hồ sơ trực tuyến (PDF)"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(acknowledgement)).pages).split())
    assert dossier.code in text
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text
    assert "Hồ sơ đang chờ tiếp nhận." in text
    return dossier


def officers_ask_for_more(dossier: Dossier):
    reception = User.objects.get(username="tiepnhan")
    dossier_act(dossier_id=dossier.pk, actor=reception, action=Action.RECEIVE)
    dossier_act(
        dossier_id=dossier.pk, actor=reception, action=Action.REQUEST_SUPPLEMENT,
        comment="Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ",
    )  # fmt: skip


def answer_the_supplement(j: Journey, dossier: Dossier):
    j.page.goto(f"{j.base}/ho-so-cua-toi/{dossier.code}/")
    j.check()
    assert "Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ" in j.page.content()
    other = j.page.locator("section.component", has_text="Giấy tờ khác")
    other.locator("input[type=file]").set_input_files(
        {"name": "giay-ket-hon.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    other.get_by_role("button", name="Tải lên").click()
    j.page.wait_for_selector("text=giay-ket-hon.pdf")
    j.click("button", "Gửi giấy tờ bổ sung")
    assert "Đã gửi giấy tờ bổ sung" in j.page.content()


def officers_return_the_result(dossier: Dossier):
    people = {name: User.objects.get(username=name) for name in ("tiepnhan", "chuyenvien", "lanhdao")}
    Attachment.objects.create(
        dossier=dossier, role=AttachmentRole.RESULT, uploaded_by=people["tiepnhan"], name="giay-khai-sinh.pdf",
        file=SimpleUploadedFile("kq.pdf", PDF), content_type="application/pdf", size=len(PDF), sha256="cd" * 32,
    )  # fmt: skip
    dossier.refresh_from_db()
    for _move in dossier.workflow_version.definition["steps"]:
        if dossier.status == Status.RETURNED:
            break
        actor = User.objects.filter(role=dossier.step_role, memberships__agency=dossier.agency).first()
        action = _next_action(dossier)
        if action == Action.RETURN_RESULT:  # the leader's signature first (the task, run here)
            off_the_loop(lambda: sign(dossier))
        dossier_act(dossier_id=dossier.pk, actor=actor or people["tiepnhan"], action=action)
        dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED


def _next_action(dossier: Dossier) -> Action:
    from workflows import engine

    allowed = engine.allowed_actions(
        dossier.workflow_version.definition,
        step_key=dossier.step_key,
        status=Status(dossier.status),
        role=dossier.step_role,
    )
    for action in (Action.FORWARD, Action.APPROVE, Action.NUMBER_DISPATCH, Action.RETURN_RESULT):
        if action in allowed:
            return action
    raise AssertionError(f"no way forward from {dossier.step_key} ({allowed})")


def receive_and_rate(j: Journey, dossier: Dossier):
    j.page.goto(f"{j.base}/ho-so-cua-toi/{dossier.code}/")
    j.check()
    assert "Đã trả kết quả" in j.page.content()
    # the signed result: the officer's file with the agency's signature appended (an incremental update)
    downloaded = fetch(j, j.page.get_by_role("link", name="giay-khai-sinh.pdf").first)
    assert downloaded.startswith(PDF)
    assert b"/ETSI.CAdES.detached" in downloaded[len(PDF) :]
    assert "kết quả điện tử có giá trị như bản giấy" in j.page.content()
    j.page.get_by_label("5 – Rất hài lòng").check()
    j.page.get_by_label("Góp ý (không bắt buộc)").fill("Thủ tục nhanh, hướng dẫn rõ ràng")
    j.click("button", "Gửi đánh giá")
    assert "Cảm ơn bạn đã đánh giá" in j.page.content()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_new_citizen_files_a_birth_registration_and_gets_the_result(browser, stand_in, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    j = Journey(context.new_page(), stand_in.url)

    register(j)
    # an identity card she gave earlier is in her document store
    citizen = User.objects.get(username=CITIZEN_ID)
    StoredDocument.objects.create(
        owner=citizen, kind="upload", name="the-can-cuoc.pdf", title="Thẻ Căn cước", content_type="application/pdf",
        size=len(PDF), sha256="ef" * 32, file=SimpleUploadedFile("cccd.pdf", PDF),
    )  # fmt: skip
    find_and_start(j)
    fill_the_form(j)
    attach(j)
    pay(j)
    dossier = submit(j)

    assert dossier.status == Status.NEW
    assert dossier.form_data["ho_ten_tre"] == "Nguyễn Minh Khang"
    assert sorted(dossier.attachments.values_list("name", flat=True)) == ["giay-chung-sinh.pdf", "the-can-cuoc.pdf"]
    assert dossier.attachments.get(name="the-can-cuoc.pdf").reused
    assert list(dossier.payments.values_list("status", "amount")) == [(PaymentStatus.PAID, 8000)]

    officers_ask_for_more(dossier)
    answer_the_supplement(j, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED

    officers_return_the_result(dossier)
    receive_and_rate(j, dossier)
    assert dossier.rating.score == 5
    assert len(j.checked) >= 15
    context.close()
