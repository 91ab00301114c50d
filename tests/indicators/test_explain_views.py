"""The explanation page of an indicator and the national preview page (plain Vietnamese, no 500)."""

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory
from tests.indicators.test_formula_document import NOW, province  # noqa: F401 - the fixture


@pytest.fixture
def admin_client(client, province):  # noqa: F811
    client.force_login(UserFactory(province_admin=True))
    return client


def test_the_explanation_of_on_time_groups_the_late_dossiers_by_cause(admin_client):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(reverse("indicators:explain", args=["2.1"]), {"ky": "2026-10"})

    assert response.status_code == 200
    groups = {
        cause: sorted(d.dossier.code[-4:] for d in items) for cause, items in response.context["x"].dossiers.items()
    }
    # late: 2, 12, 14, 21 ended after the due date; 7, 25 asked twice; 4, 18, 28, 30 running past it
    assert groups == {
        "Kết thúc xử lý sau ngày hẹn trả": ["0002", "0012", "0014", "0021"],
        "Yêu cầu bổ sung quá 1 lần": ["0007", "0025"],
        "Đang xử lý, đã quá hạn": ["0004", "0018", "0028", "0030"],
    }
    assert "Thời gian kết thúc xử lý (trường NgayKetThucXuLy)" in response.content.decode()


def test_the_explanation_of_a_procedure_indicator_links_to_the_console(admin_client):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(reverse("indicators:explain", args=["1.3"]), {"ky": "2026-10"})

    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("console:overview", args=["1.000003"]) in body  # P3 lacks steps and components
    assert reverse("console:overview", args=["1.000001"]) not in body


def test_an_indicator_that_cannot_be_computed_says_why(admin_client):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(reverse("indicators:explain", args=["1.1"]), {"ky": "2026-10"})

    assert response.status_code == 200
    assert "hệ thống chưa lưu các ngày này nên chưa tính được" in response.content.decode()


def test_an_unknown_indicator_is_a_plain_404(admin_client):
    response = admin_client.get(reverse("indicators:explain", args=["9.9"]), {"ky": "2026-10"})

    assert response.status_code == 404
    assert "Không có chỉ số này hoặc chưa có quy tắc." in response.content.decode()


def test_the_national_preview_lists_the_dossiers_not_synced(admin_client):
    # given no record delivered at all: every counted dossier is "not synced"
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(reverse("indicators:national"), {"ky": "2026-10"})

    assert response.status_code == 200
    causes = response.context["causes"]
    assert list(causes) == ["Chưa đồng bộ lên Cổng DVCQG"]
    assert len(causes["Chưa đồng bộ lên Cổng DVCQG"]) == 29  # A 16 + B 13 counted dossiers
    assert "Không có hồ sơ trong kỳ." in response.content.decode()  # the national side holds none


def test_an_empty_month_renders_plainly(admin_client):
    with time_machine.travel(NOW, tick=False):
        dashboard = admin_client.get(reverse("indicators:dashboard"), {"ky": "2026-03"})
        preview = admin_client.get(reverse("indicators:national"), {"ky": "2026-03"})

    assert dashboard.status_code == 200
    assert preview.status_code == 200
    assert "Không có hồ sơ trong kỳ." in dashboard.content.decode()
