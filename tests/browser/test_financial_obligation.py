"""Status 6 in real Chromium: the specialist asks for a financial obligation, the citizen reads
what to pay and where on a phone, the specialist confirms the payment; axe clean on each page."""

import pytest
from playwright.sync_api import expect

from accounts.constants import Role
from dossiers.models import Dossier, FinancialObligation
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory
from workflows.constants import Status

from .conftest import axe_violations
from .test_complaints import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_financial_obligation_asked_read_and_confirmed(browser, live_server):
    agency = AgencyFactory(code="000.00.13.H42", name="Sở Nông nghiệp và Môi trường", level=AgencyLevel.DEPARTMENT)
    procedure = ProcedureFactory(code="1.000002", name="Đăng ký biến động đất đai", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    citizen = UserFactory(role=Role.CITIZEN, full_name="Nguyễn Văn An")
    specialist = UserFactory(role=Role.SPECIALIST, full_name="Lê Văn Cường", agencies=[agency])
    dossier = DossierFactory(
        procedure=procedure, agency=agency, applicant=citizen, step_key="tham_dinh", step_role=Role.SPECIALIST,
        status=Status.PROCESSING,
    )  # fmt: skip

    # the specialist asks for the land levy from the dossier's page
    context, page = signed_in(browser, live_server, specialist, 1280)
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    page.get_by_text("Yêu cầu thực hiện nghĩa vụ tài chính").first.click()
    page.get_by_label("Nội dung nghĩa vụ tài chính").fill("Tiền sử dụng đất theo thông báo số 123/TB-CT")
    page.get_by_label("Số tiền phải nộp (đồng)").fill("35000000")
    page.get_by_label("Nơi nộp").fill("Kho bạc Nhà nước khu vực IX, Ninh Bình")
    page.get_by_label("Cho phép nộp trực tuyến qua Cổng thanh toán").uncheck()
    page.get_by_role("button", name="Gửi yêu cầu thực hiện nghĩa vụ tài chính").click()
    expect(page.get_by_text("Đã thực hiện: Yêu cầu thực hiện nghĩa vụ tài chính.")).to_be_visible()
    expect(page.get_by_text("Đang chờ người nộp thực hiện.")).to_be_visible()
    assert axe_violations(page) == []
    context.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PAYMENT_REQUESTED

    # the citizen, on a phone, reads what to pay and where; no online button for this one
    context, page = signed_in(browser, live_server, citizen, 375)
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
    section = page.get_by_role("region", name="Yêu cầu thực hiện nghĩa vụ tài chính")
    expect(section.get_by_text("Tiền sử dụng đất theo thông báo số 123/TB-CT")).to_be_visible()
    expect(section.get_by_text("35000000 đồng")).to_be_visible()
    expect(section.get_by_text("Kho bạc Nhà nước khu vực IX, Ninh Bình")).to_be_visible()
    expect(section.get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    assert axe_violations(page) == []
    context.close()

    # the specialist confirms the payment seen at the treasury
    context, page = signed_in(browser, live_server, specialist, 1280)
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    page.get_by_label("Ý kiến, lý do").fill("Giấy nộp tiền vào ngân sách số 0012345")
    page.get_by_role("button", name="Đã thực hiện nghĩa vụ tài chính").click()
    expect(page.get_by_text("Đã thực hiện: Đã thực hiện nghĩa vụ tài chính.")).to_be_visible()
    assert axe_violations(page) == []
    context.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    assert FinancialObligation.objects.get(dossier=dossier).settled_note == "Giấy nộp tiền vào ngân sách số 0012345"
