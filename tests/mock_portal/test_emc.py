import pytest

from emc_sync.mock_portal.models import ReceivedRecord

from .conftest import MOCK, emc_event, stored

pytestmark = pytest.mark.django_db

CODE = "000.00.41.H42-261123-0001"


def test_a_dossier_event_is_kept_once_per_key(stand_in):
    # when
    first = stand_in.post("/emc/sukien", emc_event(CODE), keys=["e-1"])
    replay = stand_in.post("/emc/sukien", emc_event(CODE), keys=["e-1"])

    # then
    assert first.json() == replay.json() == {"error_code": "0", "message": "Thành công."}
    assert list(ReceivedRecord.objects.values_list("target", "key", "ma_ho_so", "times_offered")) == [
        ("emc", "e-1", CODE, 2)
    ]


def test_a_wrong_event_is_refused_with_its_errors(stand_in):
    # given: values out of range and the user's fields under other names
    event = emc_event(CODE, Status=5, Level=2)
    event["User"] = {"Id": "15", "NationalId": "037090001234", "Type": 1, "ProvinceCode": "37"}

    # when
    response = stand_in.post("/emc/sukien", event, keys=["e-1"])

    # then
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "1",
        "message": "Dữ liệu sự kiện không hợp lệ: Level: 2 không thuộc các giá trị cho phép: 0, 1, 3, 4 (và 7 lỗi khác).",
        "errors": [
            "Level: 2 không thuộc các giá trị cho phép: 0, 1, 3, 4",
            "Status: 5 không thuộc các giá trị cho phép: 0, 1, 2, 3, 4",
            "User.Id: trường không có trong đặc tả, không được gửi",
            "User.LOCATION: thiếu trường bắt buộc",
            "User.NationalId: trường không có trong đặc tả, không được gửi",
            "User.ProvinceCode: trường không có trong đặc tả, không được gửi",
            "User.TYPE: thiếu trường bắt buộc",
            "User.Type: trường không có trong đặc tả, không được gửi",
        ],
    }
    assert stored() == ([], [])


def test_an_event_needs_a_token_and_a_key(stand_in):
    # when
    without_token = stand_in.post("/emc/sukien", emc_event(CODE), keys=["e-1"], bearer=None)
    without_key = stand_in.post("/emc/sukien", emc_event(CODE))

    # then
    assert (without_token.status_code, without_key.status_code) == (401, 400)
    assert stored() == ([], [])


def test_the_tracking_script_sends_page_views_to_the_stand_in(client):
    # when
    response = client.get(f"{MOCK}/emc/tracking.js", {"site_id": "ninhbinh"})

    # then
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    script = response.content.decode()
    assert 'image.src = "http://testserver/mock/emc/pv" + "?" + query;' in script
    assert '|| "ninhbinh";' in script


def test_a_page_view_is_recorded(client):
    # when
    response = client.get(
        f"{MOCK}/emc/pv", {"site_id": "ninhbinh", "url": "http://127.0.0.1:8000/thu-tuc/", "title": "Thủ tục"}
    )

    # then
    assert response.status_code == 204
    assert list(ReceivedRecord.objects.values_list("target", "key", "payload")) == [
        (
            "pageview",
            "",
            {"site_id": "ninhbinh", "url": "http://127.0.0.1:8000/thu-tuc/", "title": "Thủ tục", "referrer": ""},
        )
    ]


def test_a_page_view_without_site_or_url_is_refused(client):
    # when
    response = client.post(f"{MOCK}/emc/pv", {"url": "http://127.0.0.1:8000/"})

    # then
    assert response.status_code == 400
    assert ReceivedRecord.objects.count() == 0
