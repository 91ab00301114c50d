"""The stand-in national portal's page of one dossier: as filed, then each status the province reported."""

import pytest
import time_machine

from .conftest import MOCK, dossier, progress

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-23 02:15:00+00:00", tick=False)
def test_a_dossier_filed_on_the_national_portal_then_reported_by_the_province(client, stand_in):
    # given a citizen files on the national portal, to hand in at a ward's desk
    filed = client.post(
        f"{MOCK}/control/inbound",
        {"MaTTHC": "1.012756", "DonViXuLy": "000.01.06.H42", "NoiNopHoSo": "000.00.41.H42"},
        content_type="application/json",
    ).json()["item"]
    code = filed["MaHoSo"]

    # when the citizen opens it on the national portal
    page = client.get(f"{MOCK}/dvcqg/tra-cuu/{code}")

    # then it is there, waiting for the province
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Hồ sơ {code}" in text
    assert "Đã chuyển về tỉnh, chờ tiếp nhận" in text
    assert "000.00.41.H42" in text
    assert "23/11/2026 09:15" in text

    # when the province reports its receipt (the record and its progress)
    record = dossier(code, MaTTHC="1.012756", DonViXuLy="000.01.06.H42", NoiNopHoSo="000.00.41.H42")
    assert stand_in.post("/dvcqg/hoso/them", [record], keys=["h-1"]).json()["error_code"] == "0"
    assert stand_in.post("/dvcqg/hoso/tiendo", [progress(code)], keys=["p-1"]).json()["error_code"] == "0"

    # then the page says the status and the step, under the same code
    text = client.get(f"{MOCK}/dvcqg/tra-cuu/{code}").content.decode()
    assert "2 – Được tiếp nhận" in text
    assert "Tiếp nhận hồ sơ" in text
    assert "Bộ phận một cửa" in text


def test_a_code_the_national_portal_does_not_know_is_not_found(client):
    assert client.get(f"{MOCK}/dvcqg/tra-cuu/G22.37-261123-999999").status_code == 404
