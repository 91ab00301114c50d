import pytest
import time_machine

from .conftest import MOCK

pytestmark = pytest.mark.django_db


def file(client, **record):
    return client.post(f"{MOCK}/control/inbound", record, content_type="application/json")


@time_machine.travel("2026-11-23 02:15:00+00:00", tick=False)
def test_filing_fills_the_gaps_like_a_citizen_on_the_national_portal(client):
    # when
    response = file(client, MaTTHC="1.001193", DonViXuLy="UBND phường Hoa Lư")

    # then: the record under the national portal's own MaHoSo, without the province's facts
    assert response.status_code == 201
    body = response.json()
    assert body["item"] == {
        "MaHoSo": f"G22.37-261123-{int(body['cursor']):06d}",
        "MaTTHC": "1.001193",
        "DonViXuLy": "UBND phường Hoa Lư",
        "KenhThucHien": 2,
        "NgayNopHoSo": "20261123091500",
        "LoaiDoiTuong": 1,
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "037090001234",
        "Email": "037090001234@demo.dichvucong.example.vn",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Hồ sơ nộp trên Cổng DVCQG, thủ tục 1.001193",
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "037090001234"}],
        "TaiLieuNop": [],
    }


def test_filing_takes_the_given_holder(client):
    # when
    response = file(client, MaTTHC="1.000656", SoGiayToChuHoSo="037195004321", MaHoSo="G22.37-261123-999999")

    # then
    item = response.json()["item"]
    assert (item["MaHoSo"], item["ChuHoSo"], item["MaTTHC"]) == (
        "G22.37-261123-999999",
        "Trần Thị Mai",
        "1.000656",
    )


@pytest.mark.parametrize(
    ("record", "errors"),
    [
        ({"DonViXuLy": "UBND phường Hoa Lư"}, ["Cần một bản ghi hồ sơ có MaTTHC."]),
        ({"MaTTHC": "1001193"}, ['MaTTHC: "1001193" không đúng định dạng (mẫu ^[0-9]\\.[0-9]{6}$)']),
        ({"MaTTHC": "1.001193", "SoGiayToChuHoSo": "999999999999"}, ["ChuHoSo: thiếu trường bắt buộc"]),
        (
            {"MaTTHC": "1.001193", "MaHoSoQuocGia": "G22.37-01"},
            ["MaHoSoQuocGia: trường không có trong đặc tả, không được gửi"],
        ),
        ({"MaTTHC": "1.001193", "TrangThaiHoSo": 1}, ["TrangThaiHoSo: trường không có trong đặc tả, không được gửi"]),
        (
            {"MaTTHC": "1.001193", "NgayTiepNhan": "20261123091500"},
            ["NgayTiepNhan: trường không có trong đặc tả, không được gửi"],
        ),
        ({"MaTTHC": "1.001193", "KenhThucHien": 1}, ["KenhThucHien: 1 phải là 2"]),
        ({"MaTTHC": "1.001193", "MaTinh": "ninhbinh"}, ["MaTinh phải là mã tỉnh gồm 2 chữ số."]),
    ],
)
def test_filing_a_wrong_record_is_refused(client, record, errors):
    # when
    response = file(client, **record)

    # then
    assert (response.status_code, response.json()["errors"]) == (400, errors)


def test_the_same_national_code_cannot_be_filed_twice(client):
    # given
    file(client, MaTTHC="1.001193", MaHoSo="G22.37-261123-000001")

    # when
    response = file(client, MaTTHC="1.001193", MaHoSo="G22.37-261123-000001")

    # then
    assert (response.status_code, response.json()["message"]) == (400, "MaHoSo đã có trên Cổng DVCQG.")


def test_the_feed_pages_with_a_cursor_and_keeps_to_the_province(client, stand_in):
    # given
    ours = [file(client, MaTTHC="1.001193", MaHoSo=f"G22.37-0{n}").json()["item"]["MaHoSo"] for n in range(3)]
    file(client, MaTTHC="1.001193", MaTinh="36", MaHoSo="G22.36-00")

    # when
    first = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37", "so_luong": 2}).json()
    second = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37", "sau": first["con_tiep"], "so_luong": 2}).json()
    third = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37", "sau": second["con_tiep"], "so_luong": 2}).json()

    # then
    assert [item["MaHoSo"] for item in first["items"]] == ours[:2]
    assert [item["MaHoSo"] for item in second["items"]] == ours[2:]
    assert (third["items"], third["con_tiep"]) == ([], second["con_tiep"])


def test_the_feed_picks_up_what_arrives_after_the_cursor(client, stand_in):
    # given
    file(client, MaTTHC="1.001193", MaHoSo="G22.37-01")
    cursor = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37"}).json()["con_tiep"]
    file(client, MaTTHC="1.001193", MaHoSo="G22.37-02")

    # when
    page = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37", "sau": cursor}).json()

    # then
    assert [item["MaHoSo"] for item in page["items"]] == ["G22.37-02"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"ma_tinh": "ninhbinh"},
        {"ma_tinh": "37", "sau": "abc"},
        {"ma_tinh": "37", "so_luong": 101},
        {"ma_tinh": "37", "so_luong": 0},
    ],
)
def test_the_feed_refuses_wrong_parameters(stand_in, params):
    # when
    response = stand_in.get("/dvcqg/hoso-moi", params)

    # then
    assert (response.status_code, response.json()["error_code"]) == (400, "1")


def test_the_feed_needs_a_token(stand_in):
    # when
    response = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37"}, bearer=None)

    # then
    assert response.status_code == 401
