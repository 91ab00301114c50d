"""Phản ánh, kiến nghị in real Chromium: the citizen complains from a phone, an officer answers
from the inbox, the citizen reads the answer; axe clean on each page."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from accounts.constants import Role
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory

from .conftest import axe_violations
from .test_file_uploads import session_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, user, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session_for(user), "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_a_complaint_and_its_answer(browser, live_server):
    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    procedure = ProcedureFactory(code="1.000001", name="Thủ tục thử nghiệm", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    citizen = UserFactory(role=Role.CITIZEN, full_name="Nguyễn Văn An")
    officer = UserFactory(role=Role.RECEPTION_OFFICER, full_name="Phạm Thị Hoa", agencies=[agency])
    dossier = DossierFactory(procedure=procedure, agency=agency, applicant=citizen, applicant_name="Nguyễn Văn An")

    # the citizen, on a phone, complains from the dossier's page
    context, page = signed_in(browser, live_server, citizen, 375)
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
    page.get_by_text("Gửi phản ánh, kiến nghị về hồ sơ này").click()
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill("Đã quá hẹn hai ngày mà chưa có kết quả.")
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_text("Đã gửi phản ánh, kiến nghị.")).to_be_visible()
    expect(page.get_by_text("Đang chờ cơ quan giải quyết trả lời.")).to_be_visible()
    assert axe_violations(page) == []
    context.close()

    # the officer finds it in the inbox and answers on the dossier's page
    context, page = signed_in(browser, live_server, officer, 1280)
    page.goto(f"{live_server.url}/can-bo/phan-anh/")
    expect(page.get_by_role("cell", name="Đã quá hẹn hai ngày mà chưa có kết quả.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_label("Nội dung trả lời").fill("Hồ sơ đã được trả kết quả sáng nay, xin lỗi anh.")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.get_by_text("Đã gửi trả lời phản ánh.")).to_be_visible()
    assert axe_violations(page) == []
    context.close()

    # the citizen reads the answer
    context, page = signed_in(browser, live_server, citizen, 375)
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
    expect(page.get_by_text("Hồ sơ đã được trả kết quả sáng nay, xin lỗi anh.")).to_be_visible()
    context.close()
