"""The stand-in refuses what the real portal would refuse: hand-written records read from DOMAIN.md.

Every record here is written by hand, not by our sender, so a refusal of the sender's payload
elsewhere means one of the two readings of DOMAIN.md is wrong.
"""

import pytest

from emc_sync.mock_portal.models import PortalDossier, ReceivedRecord
from emc_sync.mock_portal.rules import RULES, rule_problems

from .conftest import MOCK, emc_event, progress, stored

pytestmark = pytest.mark.django_db

CODE = "000.00.41.H42-261123-0007"

RECEIVED = {
    "MaHoSo": CODE,
    "MaTTHC": "2.000635",
    "TenTTHC": "Cấp bản sao trích lục hộ tịch",
    "MaLinhVuc": "HOTICH",
    "TenLinhVuc": "Hộ tịch",
    "KenhThucHien": 1,
    "SoGiayToChuHoSo": "037195004321",
    "ChuHoSo": "Trần Thị Mai",
    "LoaiDoiTuong": 1,
    "TrichYeuHoSo": "Cấp bản sao trích lục khai sinh",
    "NgayNopHoSo": "20261123080000",
    "NgayTiepNhan": "20261123080500",
    "NgayHenTra": "20261123170000",
    "TrangThaiHoSo": 2,
    "DonViXuLy": "UBND phường Hoa Lư",
    "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "037195004321"}],
}
SUPPLEMENT = {
    "NguoiYeuCauBoSung": "Trần Thị Bình",
    "NoiDungBoSung": "Bổ sung tờ khai có chữ ký",
    "NgayBoSung": "20261123090000",
    "NgayHenTraTruoc": "20261123170000",
}
FEE = {"TenPhiLePhi": "Lệ phí cấp bản sao trích lục", "MaPhiLePhi": "LP-BS", "HinhThucThu": 1, "Gia": 8000}
RESULT = {
    "TenGiayTo": "Bản sao trích lục khai sinh",
    "GiayToId": "kq-7",
    "DuongDanTepTinKetQua": "https://dichvucong.example.vn/ket-qua/7",
    "MaGiayToKetQua": "KQ.000.00.41.H42-2026-0007",
}
ENDED = {"NgayKetThucXuLy": "20261123150000"}


def at_status(status, **fields):
    """A valid record of a desk dossier in `status`, with what that status needs."""
    record = {**RECEIVED, "TrangThaiHoSo": status}
    needs = {
        1: {},
        2: {},
        3: {"NgayTuChoi": "20261123081500"},
        4: {},
        5: {"DanhSachHoSoBoSung": [SUPPLEMENT]},
        6: {"DanhSachLePhi": [FEE]},
        7: ENDED,
        8: ENDED,
        9: ENDED,
        10: {**ENDED, "NgayTra": "20261123160000", "DanhSachGiayToKetQua": [RESULT]},
    }[status]
    if status in (1, 3):
        del record["NgayHenTra"]
    return {**record, **needs, **fields}


def without(record, name):
    return {key: value for key, value in record.items() if key != name}


def add(stand_in, *records):
    return stand_in.post("/dvcqg/hoso/them", list(records), keys=[f"k-{n}" for n in range(len(records))])


def refusal(response):
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error_code"] == "1"
    return body["errors"]


# --- Dossier records: one valid record of each status --------------------------------------


@pytest.mark.parametrize("status", range(1, 11))
def test_a_valid_record_of_each_status_is_accepted(stand_in, status):
    # when
    response = add(stand_in, at_status(status))

    # then
    assert (response.status_code, response.json()) == (200, {"error_code": "0", "message": "Thành công."})
    assert PortalDossier.objects.get().payload == at_status(status)


def test_a_paper_result_returned_needs_no_result_document(stand_in):
    # when: status 10 without DanhSachGiayToKetQua (the result was handed over on paper)
    response = add(stand_in, without(at_status(10), "DanhSachGiayToKetQua"))

    # then
    assert response.json()["error_code"] == "0"


# --- ... and what each status refuses --------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "error"),
    [
        (without(at_status(2), "NgayHenTra"), "[0].NgayHenTra: bắt buộc khi TrangThaiHoSo là 2 (Được tiếp nhận)"),
        (without(at_status(3), "NgayTuChoi"), "[0].NgayTuChoi: bắt buộc khi TrangThaiHoSo là 3 (Không được tiếp nhận)"),
        (without(at_status(4), "NgayHenTra"), "[0].NgayHenTra: bắt buộc khi TrangThaiHoSo là 4 (Đang xử lý)"),
        (
            without(at_status(5), "DanhSachHoSoBoSung"),
            "[0].DanhSachHoSoBoSung: phải có ít nhất một mục khi TrangThaiHoSo là 5 (Yêu cầu bổ sung giấy tờ)",
        ),
        (
            at_status(5, DanhSachHoSoBoSung=[]),
            "[0].DanhSachHoSoBoSung: phải có ít nhất một mục khi TrangThaiHoSo là 5 (Yêu cầu bổ sung giấy tờ)",
        ),
        (
            without(at_status(6), "DanhSachLePhi"),
            "[0].DanhSachLePhi: phải có ít nhất một mục khi TrangThaiHoSo là 6 (Yêu cầu thực hiện nghĩa vụ tài chính)",
        ),
        (
            without(at_status(7), "NgayKetThucXuLy"),
            "[0].NgayKetThucXuLy: bắt buộc khi TrangThaiHoSo là 7 (Công dân yêu cầu rút hồ sơ)",
        ),
        (without(at_status(8), "NgayHenTra"), "[0].NgayHenTra: bắt buộc khi TrangThaiHoSo là 8 (Dừng xử lý)"),
        (
            without(at_status(9), "NgayKetThucXuLy"),
            "[0].NgayKetThucXuLy: bắt buộc khi TrangThaiHoSo là 9 (Đã xử lý xong)",
        ),
        (without(at_status(10), "NgayTra"), "[0].NgayTra: bắt buộc khi TrangThaiHoSo là 10 (Đã trả kết quả)"),
        (
            without(at_status(10), "NgayKetThucXuLy"),
            "[0].NgayKetThucXuLy: bắt buộc khi TrangThaiHoSo là 10 (Đã trả kết quả)",
        ),
        (
            at_status(1, NgayTuChoi="20261123081500"),
            "[0].NgayTuChoi: chỉ được gửi khi TrangThaiHoSo là 3, hồ sơ đang ở 1 (Mới đăng ký)",
        ),
        (
            at_status(9, NgayTra="20261123160000"),
            "[0].NgayTra: chỉ được gửi khi TrangThaiHoSo là 10, hồ sơ đang ở 9 (Đã xử lý xong)",
        ),
        (
            at_status(4, **ENDED),
            "[0].NgayKetThucXuLy: chỉ được gửi khi TrangThaiHoSo là 7, 8, 9, 10, hồ sơ đang ở 4 (Đang xử lý)",
        ),
    ],
    ids=[
        "2-no-due-date",
        "3-no-refusal-date",
        "4-no-due-date",
        "5-no-supplement",
        "5-empty-supplement-list",
        "6-no-fee",
        "7-no-end",
        "8-no-due-date",
        "9-no-end",
        "10-no-return-date",
        "10-no-end",
        "1-refusal-date",
        "9-return-date",
        "4-end",
    ],
)
def test_a_record_missing_what_its_status_needs_is_refused(stand_in, record, error):
    # when
    response = add(stand_in, record)

    # then
    assert refusal(response) == [error]
    assert stored() == ([], [])


def test_a_returned_electronic_result_without_its_code_and_link_is_refused(stand_in):
    # given: status 10, the result document without MaGiayToKetQua, GiayToId and its link
    record = at_status(10, DanhSachGiayToKetQua=[{"TenGiayTo": "Bản sao trích lục khai sinh"}])

    # when
    response = add(stand_in, record)

    # then
    assert refusal(response) == [
        "[0].DanhSachGiayToKetQua[0].DuongDanTepTinKetQua: thiếu trường bắt buộc",
        "[0].DanhSachGiayToKetQua[0].GiayToId: thiếu trường bắt buộc",
        "[0].DanhSachGiayToKetQua[0].MaGiayToKetQua: thiếu trường bắt buộc",
    ]
    assert response.json()["message"] == (
        "Dữ liệu không hợp lệ: [0].DanhSachGiayToKetQua[0].DuongDanTepTinKetQua: thiếu trường bắt buộc (và 2 lỗi khác)."
    )


@pytest.mark.parametrize("status", range(1, 11))
def test_a_record_without_ngay_tiep_nhan_is_refused_whatever_its_status(stand_in, status):
    # when
    response = add(stand_in, without(at_status(status), "NgayTiepNhan"))

    # then
    assert refusal(response) == ["[0].NgayTiepNhan: thiếu trường bắt buộc"]


# --- Field names: exactly DOMAIN.md's, at every level ----------------------------------------


def test_a_fee_with_muc_phi_instead_of_gia_is_refused(stand_in):
    # given: the amount under the name an older reading used
    fee = {"TenPhiLePhi": "Lệ phí cấp bản sao trích lục", "MucPhi": 8000}

    # when
    response = add(stand_in, at_status(6, DanhSachLePhi=[fee]))

    # then
    assert refusal(response) == [
        "[0].DanhSachLePhi[0].Gia: thiếu trường bắt buộc",
        "[0].DanhSachLePhi[0].MucPhi: trường không có trong đặc tả, không được gửi",
    ]
    assert (
        response.json()["message"]
        == "Dữ liệu không hợp lệ: [0].DanhSachLePhi[0].Gia: thiếu trường bắt buộc (và 1 lỗi khác)."
    )
    assert stored() == ([], [])


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("MaHoSoQuocGia", "G22.37-261123-000001", "[0].MaHoSoQuocGia"),
        ("MaDonVi", "000.00.41.H42", "[0].MaDonVi"),
        (
            "TaiLieuNop",
            [{"TenTepDinhKem": "to-khai.pdf", "TenThanhPhanHoSo": "Tờ khai"}],
            "[0].TaiLieuNop[0].TenThanhPhanHoSo",
        ),
        ("DanhSachLePhi", [{**FEE, "SoTien": 8000}], "[0].DanhSachLePhi[0].SoTien"),
        (
            "DanhSachTepDinhKemKhac",
            [{"TenGiayTo": "Giấy chứng sinh", "GhiChu": "x"}],
            "[0].DanhSachTepDinhKemKhac[0].GhiChu",
        ),
        (
            "DanhSachHoSoBoSung",
            [{**SUPPLEMENT, "NgayYeuCauBoSung": "20261123090000"}],
            "[0].DanhSachHoSoBoSung[0].NgayYeuCauBoSung",
        ),
        ("DanhSachGiayToKetQua", [{**RESULT, "SoKyHieu": "12/2026"}], "[0].DanhSachGiayToKetQua[0].SoKyHieu"),
        (
            "DinhDanhCHS",
            [{"LoaiDinhDanh": 1, "SoDinhDanh": "037195004321", "NgayCap": "20200101000000"}],
            "[0].DinhDanhCHS[0].NgayCap",
        ),
        ("DSKetNoiCSDL", [{"MaCSDL": "CSDLQGDC", "TenCSDL": "Dân cư"}], "[0].DSKetNoiCSDL[0].TenCSDL"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.startswith("[0]") else None,
)
def test_an_unknown_field_is_refused_at_every_level(stand_in, field, value, where):
    # given: status 10 has every list; the field under test replaces its list
    record = at_status(10, **{field: value})

    # when
    response = add(stand_in, record)

    # then
    assert refusal(response) == [f"{where}: trường không có trong đặc tả, không được gửi"]


# --- Values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"KenhThucHien": 4}, "[0].KenhThucHien: 4 không thuộc các giá trị cho phép: 1, 2, 3"),
        ({"LoaiDoiTuong": 5}, "[0].LoaiDoiTuong: 5 không thuộc các giá trị cho phép: 1, 2, 3, 4"),
        ({"TrangThaiHoSo": "2"}, '[0].TrangThaiHoSo: "2" phải là số nguyên'),
        ({"DuocThanhToanTrucTuyen": 3}, "[0].DuocThanhToanTrucTuyen: 3 không thuộc các giá trị cho phép: 0, 1, 2"),
        ({"TaiKhoanDuocXacThucVoiVNeID": True}, "[0].TaiKhoanDuocXacThucVoiVNeID: true phải là số nguyên"),
        ({"TrichYeuHoSo": "x" * 1001}, "[0].TrichYeuHoSo: dài 1001 ký tự, tối đa 1000"),
        (
            {"NgayTiepNhan": "20260230080500"},
            '[0].NgayTiepNhan: "20260230080500" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
        ),
        (
            {"NgayTiepNhan": "202611230805"},
            '[0].NgayTiepNhan: "202611230805" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
        ),
        (
            {"NgayHenTra": "2026-11-23T17:00:00"},
            '[0].NgayHenTra: "2026-11-23T17:00:00" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
        ),
        ({"NgayHenTra": 20261123170000}, "[0].NgayHenTra: 20261123170000 phải là chuỗi"),
        ({"MaTTHC": "2000635"}, '[0].MaTTHC: "2000635" không đúng định dạng (mẫu ^[0-9]\\.[0-9]{6}$)'),
        ({"ChuHoSo": ""}, "[0].ChuHoSo: không được để trống"),
        (
            {"DinhDanhCHS": [{"LoaiDinhDanh": 3, "SoDinhDanh": "x"}]},
            "[0].DinhDanhCHS[0].LoaiDinhDanh: 3 không thuộc các giá trị cho phép: 1, 2",
        ),
        (
            {"DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "37195004321"}]},
            '[0].DinhDanhCHS[0].SoDinhDanh: "37195004321" không phải số định danh cá nhân 12 chữ số',
        ),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_a_value_out_of_the_specification_is_refused(stand_in, fields, error):
    # when
    response = add(stand_in, at_status(2, **fields))

    # then
    assert refusal(response) == [error]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"MaDoiTuong": "dvcqg-user-8812"},
            "[0].MaDoiTuong: chỉ dùng cho hồ sơ nộp trực tuyến (KenhThucHien 2)",
        ),
        (
            {"HoSoCoThanhPhanSoHoa": 1, "TaiLieuNop": [{"TenTepDinhKem": "to-khai.pdf", "DuocSoHoa": 1}]},
            "[0].HoSoCoThanhPhanSoHoa: là 1 nhưng không tệp nào trong TaiLieuNop được tái sử dụng "
            "(DuocTaiSuDung, DuocLayTuKhoDMQG hoặc MaKetQuaThayThe)",
        ),
        (
            {"TaiLieuNop": [{"TenTepDinhKem": "khai-sinh.pdf", "DuocLayTuKhoDMQG": 1}]},
            "[0].HoSoCoThanhPhanSoHoa: phải là 1 vì TaiLieuNop có tệp được tái sử dụng dữ liệu số hóa",
        ),
        (
            {"HoSoCoThanhPhanSoHoa": 1, "TaiLieuNop": [{"TenTepDinhKem": "khai-sinh.pdf", "DuocTaiSuDung": 1}]},
            "[0].TaiLieuNop[0].MaKetQuaThayThe: bắt buộc khi DuocTaiSuDung là 1 (kết quả được tái sử dụng)",
        ),
        (
            {"DuocThanhToanTrucTuyen": 1},
            "[0].DanhSachLePhi: phải có một khoản Gia lớn hơn 0 khi DuocThanhToanTrucTuyen là 1 hoặc 2",
        ),
        (
            {"DuocThanhToanTrucTuyen": 2, "DanhSachLePhi": [{**FEE, "Gia": 0}]},
            "[0].DanhSachLePhi: phải có một khoản Gia lớn hơn 0 khi DuocThanhToanTrucTuyen là 1 hoặc 2",
        ),
        (
            {"NgayTiepNhan": "20261123075959"},
            "[0].NgayTiepNhan: 20261123075959 sớm hơn NgayNopHoSo 20261123080000",
        ),
        (
            {"NgayHenTra": "20261122170000"},
            "[0].NgayHenTra: 20261122170000 sớm hơn NgayTiepNhan 20261123080500",
        ),
    ],
    ids=[
        "online-id-at-desk",
        "flag-without-reuse",
        "reuse-without-flag",
        "reuse-unnamed",
        "paid-no-fee",
        "paid-zero",
        "receipt-before-filing",
        "due-before-receipt",
    ],
)
def test_fields_that_contradict_each_other_are_refused(stand_in, fields, error):
    # when
    response = add(stand_in, at_status(2, **fields))

    # then
    assert refusal(response) == [error]


def test_an_online_dossier_reusing_data_and_paid_online_is_accepted(stand_in):
    # given
    record = at_status(
        2,
        KenhThucHien=2,
        MaDoiTuong="dvcqg-user-8812",
        HoSoCoThanhPhanSoHoa=1,
        DuocThanhToanTrucTuyen=1,
        TaiLieuNop=[{"TenTepDinhKem": "khai-sinh.pdf", "DuocTaiSuDung": 1, "MaKetQuaThayThe": "KQ.2025-0091"}],
        DanhSachLePhi=[FEE],
        DSKetNoiCSDL=[{"MaCSDL": "CSDLQGDC"}],
    )

    # when
    response = add(stand_in, record)

    # then
    assert response.json()["error_code"] == "0"


def test_one_wrong_record_sinks_its_whole_batch(stand_in):
    # when
    response = add(stand_in, at_status(2), {**at_status(4), "MaHoSo": "000.00.41.H42-261123-0008", "MucPhi": 1})

    # then
    assert refusal(response) == ["[1].MucPhi: trường không có trong đặc tả, không được gửi"]
    assert stored() == ([], [])


# --- Progress records ------------------------------------------------------------------------


@pytest.fixture
def held(stand_in):
    assert add(stand_in, at_status(2)).json()["error_code"] == "0"


def test_a_valid_progress_record_is_accepted(stand_in, held):
    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE)], keys=["p-1"])

    # then
    assert response.json() == {"error_code": "0", "message": "Thành công."}


def test_a_progress_record_needs_only_who_when_what_and_status(stand_in, held):
    # given
    record = {key: progress(CODE)[key] for key in ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai")}

    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [record], keys=["p-1"])

    # then
    assert response.json()["error_code"] == "0"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"NguoiXuLy": "N" * 51}, "[0].NguoiXuLy: dài 51 ký tự, tối đa 50"),
        ({"TrangThaiHoSo": 2}, "[0].TrangThaiHoSo: trường không có trong đặc tả, không được gửi"),
        ({"TrangThai": 11}, "[0].TrangThai: 11 không thuộc các giá trị cho phép: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
        (
            {"ThoiDiemXuLy": "20261123250000"},
            '[0].ThoiDiemXuLy: "20261123250000" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
        ),
        (
            {"NgayKetThucTheoQuyDinh": "20261122170000"},
            "[0].NgayKetThucTheoQuyDinh: 20261122170000 sớm hơn NgayBatDau 20261123093000",
        ),
    ],
    ids=["51-chars", "unknown-field", "status", "hour-25", "deadline-before-start"],
)
def test_a_wrong_progress_record_is_refused(stand_in, held, fields, error):
    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE, **fields)], keys=["p-1"])

    # then
    assert refusal(response) == [error]
    assert ReceivedRecord.objects.filter(target="tiendo").count() == 0


def test_a_progress_record_without_who_is_refused(stand_in, held):
    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [without(progress(CODE), "NguoiXuLy")], keys=["p-1"])

    # then
    assert refusal(response) == ["[0].NguoiXuLy: thiếu trường bắt buộc"]


def test_a_fifty_character_handler_name_is_accepted(stand_in, held):
    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE, NguoiXuLy="N" * 50)], keys=["p-1"])

    # then
    assert response.json()["error_code"] == "0"


# --- EMC events ------------------------------------------------------------------------------


def post_event(stand_in, event):
    return stand_in.post("/emc/sukien", event, keys=["e-1"])


def test_a_valid_event_is_accepted(stand_in):
    # when
    response = post_event(stand_in, emc_event(CODE))

    # then
    assert response.json() == {"error_code": "0", "message": "Thành công."}


@pytest.mark.parametrize(
    "user",
    [
        {"ID_local": "", "ID_QG": "037195004321", "TYPE": 1, "LOCATION": "37"},
        {"ID_QG": "037195004321", "TYPE": 1, "LOCATION": "37"},
    ],
    ids=["empty-ID_local", "no-ID_local"],
)
def test_an_event_of_a_dossier_with_no_local_account_is_accepted(stand_in, user):
    # given: taken at the desk, the applicant has no account with us
    event = emc_event(CODE, FormsReception=2, IsDVCBC=0, User=user)

    # when
    response = post_event(stand_in, event)

    # then
    assert response.json()["error_code"] == "0"


def test_an_event_forwarded_by_the_national_portal_is_accepted_without_a_local_account(stand_in):
    # given
    event = emc_event(
        "G22.37-261123-000001", IsFromDVCQG=1, User={"ID_QG": "037195004321", "TYPE": 1, "LOCATION": "37"}
    )

    # when
    response = post_event(stand_in, event)

    # then
    assert response.json()["error_code"] == "0"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"User": {"ID_local": "", "ID_QG": "", "TYPE": 1, "LOCATION": "37"}},
            ["User: cần ít nhất một trong ID_local, ID_QG"],
        ),
        (
            {"IsFromDVCQG": 1, "User": {"ID_local": "15", "TYPE": 1, "LOCATION": "37"}},
            ["User.ID_QG: bắt buộc khi IsFromDVCQG là 1 (hồ sơ từ Cổng DVCQG)"],
        ),
        (
            {"IsFromDVCQG": 1, "FormsReception": 2},
            ["FormsReception: phải là 1 (trực tuyến) khi IsFromDVCQG là 1"],
        ),
        (
            {"User": {"ID_local": "15", "ID_QG": "37195004321", "TYPE": 1, "LOCATION": "37"}},
            ['User.ID_QG: "37195004321" không phải số định danh cá nhân 12 chữ số (TYPE 1, công dân)'],
        ),
        (
            {"User": {"ID_local": "15", "TYPE": 1, "LOCATION": "037"}},
            ['User.LOCATION: "037" không đúng định dạng (mẫu ^(0[1-9]|[1-9][0-9])$)'],
        ),
        (
            {"User": {"ID_local": "15", "TYPE": 1, "LOCATION": "37", "Id": "15"}},
            ["User.Id: trường không có trong đặc tả, không được gửi"],
        ),
        ({"Status": 5}, ["Status: 5 không thuộc các giá trị cho phép: 0, 1, 2, 3, 4"]),
        ({"FormsPayments": 3}, ["FormsPayments: 3 không thuộc các giá trị cho phép: 0, 1, 2"]),
        ({"Level": 2}, ["Level: 2 không thuộc các giá trị cho phép: 0, 1, 3, 4"]),
        ({"IsDVCBC": 3}, ["IsDVCBC: 3 không thuộc các giá trị cho phép: 0, 1, 2"]),
        ({"IsFromDVCQG": False}, ["IsFromDVCQG: false phải là số nguyên"]),
        ({"CodeTTHC": "2.635"}, ['CodeTTHC: "2.635" không đúng định dạng (mẫu ^[0-9]\\.[0-9]{6}$)']),
        ({"ThoiGian": "20261123080000"}, ["ThoiGian: trường không có trong đặc tả, không được gửi"]),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_a_wrong_event_is_refused(stand_in, fields, errors):
    # when
    response = post_event(stand_in, emc_event(CODE, **fields))

    # then
    assert refusal(response) == errors
    assert stored() == ([], [])


@pytest.mark.parametrize("name", ["NameTTHC", "MaHoSo", "SiteId", "User"])
def test_an_event_missing_a_field_is_refused(stand_in, name):
    # when
    response = post_event(stand_in, without(emc_event(CODE), name))

    # then
    assert refusal(response) == [f"{name}: thiếu trường bắt buộc"]


# --- Inbound: a dossier filed on the national portal -----------------------------------------


def test_a_dossier_filed_on_the_national_portal_reaches_the_feed_under_its_national_code(client, stand_in):
    # given
    filed = client.post(
        f"{MOCK}/control/inbound",
        {"MaTTHC": "2.000635", "MaHoSo": "G22.37-261123-000042"},
        content_type="application/json",
    )

    # when
    page = stand_in.get("/dvcqg/hoso-moi", {"ma_tinh": "37"}).json()

    # then: the dossier record's own shape, MaHoSo the national one, none of the province's facts
    assert filed.status_code == 201
    (item,) = page["items"]
    assert item["MaHoSo"] == "G22.37-261123-000042"
    assert set(item) <= set(RECEIVED) | {"Email", "SoDienThoai", "TaiKhoanDuocXacThucVoiVNeID", "TaiLieuNop"}
    assert not set(item) & {"NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "MaHoSoQuocGia", "MaTinh"}


# --- The rule table itself -------------------------------------------------------------------


def test_every_rule_has_a_name_and_the_valid_records_break_none():
    # when
    problems = [rule_problems("hoso", at_status(status)) for status in range(1, 11)]

    # then
    assert problems == [[]] * 10
    assert all(rule.name for rules in RULES.values() for rule in rules)
