"""A leader reads the indicators and follows the on-time figure down to the late dossiers."""

import importlib

import pytest
from django.apps import apps

from accounts.constants import Role
from dossiers.constants import Channel
from indicators.models import AgencyTarget
from tests.browser.conftest import axe_violations
from tests.factories import UserFactory
from tests.indicators.conftest import at, make_dossier, province  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_rules():
    """The indicator rules come from a data migration, which an earlier transactional test's flush removed."""
    importlib.import_module("indicators.migrations.0002_seed_decision_766").seed(apps, None)
    importlib.import_module("indicators.migrations.0008_rules_from_formula_document").forwards(apps, None)


def test_a_leader_drills_from_on_time_into_the_late_dossiers(browser, live_server, province):  # noqa: F811
    seed_rules()
    # given October 2026 at the department: two on time, two late (one more asked twice for papers)
    department, birth = province["department"], province["birth"]
    make_dossier(birth, department, received=at(1), due=at(8), finished=at(2), channel=Channel.ONLINE)
    make_dossier(birth, department, received=at(2), due=at(9), finished=at(3), channel=Channel.ONLINE)
    late = make_dossier(birth, department, received=at(3), due=at(6), finished=at(14), channel=Channel.DIRECT)
    twice = make_dossier(birth, department, received=at(4), due=at(20), finished=at(5), supplement_count=2)
    make_dossier(province["building"], province["other"], received=at(4), due=at(6), finished=at(15))
    AgencyTarget.objects.create(agency=department, year=2026, online_rate=50, on_time_rate=80, online_payment_rate=0)
    UserFactory(username="lanhdao.so", role=Role.LEADER, full_name="Lãnh đạo Sở", agencies=[department])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân").fill("lanhdao.so")
        page.get_by_label("Mật khẩu").fill("Mat-khau-2026")
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_load_state()

        # when the leader opens the indicators from the menu and picks October 2026
        page.get_by_role("link", name="Chỉ số phục vụ").click()
        page.wait_for_url("**/chi-so/")
        page.get_by_label("Kỳ báo cáo").fill("2026-10")
        page.get_by_role("button", name="Xem", exact=True).click()
        page.wait_for_url("**/chi-so/?ky=2026-10*")

        # then 2.1 shows 2 of 4 on time, 10 of 20 points (Vietnamese decimal commas), and the page passes axe
        row = page.locator("#chi-so-2\\.1")
        assert "2 / 4\t50,00%\t10,00 / 20,00" in row.inner_text()
        assert "Sở Xây dựng" not in page.locator("main").inner_text()
        assert axe_violations(page) == []

        # when the leader follows the late dossiers of 2.1
        row.get_by_role("link", name="Xem hồ sơ chưa đạt (2.1)").click()
        page.wait_for_url("**/chi-so/ho-so/*")

        # then exactly the two late dossiers are listed
        table = page.locator("table.queue tbody").inner_text()
        assert late.code in table
        assert twice.code in table
        assert page.locator("table.queue tbody tr").count() == 2
        assert "Yêu cầu bổ sung quá 1 lần" in table
        assert "Xử lý xong sau ngày hẹn trả" in table
        assert axe_violations(page) == []

        # and back on the dashboard, the department's own page shows its yearly targets, flagged
        page.get_by_role("link", name="Về bảng chỉ số").click()
        page.get_by_role("link", name="Sở Tư pháp").click()
        page.wait_for_url("**co_quan=*")
        targets = page.locator("section[aria-labelledby=chi-tieu]").inner_text()
        assert "Tỷ lệ hồ sơ đúng hạn\t80,00%\t50,00%\tChưa đạt" in targets
        assert axe_violations(page) == []
    finally:
        context.close()
