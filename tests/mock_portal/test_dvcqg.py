import pytest

from emc_sync.mock_portal.models import PortalDossier, ReceivedRecord

from .conftest import dossier, progress, stored

pytestmark = pytest.mark.django_db

CODE = "000.00.41.H42-261123-0001"
OTHER = "000.00.41.H42-261123-0002"


def test_add_accepts_new_dossiers_and_keeps_each_record(stand_in):
    # when
    response = stand_in.post("/dvcqg/hoso/them", [dossier(CODE), dossier(OTHER)], keys=["k-1", "k-2"])

    # then
    assert (response.status_code, response.json()) == (200, {"error_code": "0", "message": "Thành công."})
    assert list(ReceivedRecord.objects.values_list("target", "operation", "key", "ma_ho_so", "times_offered")) == [
        ("dvcqg", "them", "k-1", CODE, 1),
        ("dvcqg", "them", "k-2", OTHER, 1),
    ]
    assert PortalDossier.objects.get(ma_ho_so=CODE).payload == dossier(CODE)


def test_adding_a_dossier_that_exists_tells_the_sender_to_update_and_changes_nothing(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])
    before = stored()

    # when
    response = stand_in.post("/dvcqg/hoso/them", [dossier(OTHER), dossier(CODE, TrangThaiHoSo=4)], keys=["k-2", "k-3"])

    # then
    assert response.status_code == 200
    assert response.json() == {
        "error_code": "2",
        "message": f"Hồ sơ đã tồn tại trên Cổng DVCQG, đề nghị dùng chức năng cập nhật: {CODE}.",
        "ton_tai": [CODE],
    }
    assert stored() == before


def test_update_replaces_the_dossier_with_the_latest_record(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])

    # when
    response = stand_in.post(
        "/dvcqg/hoso/capnhat", [dossier(CODE, TrangThaiHoSo=4, DonViXuLy="UBND phường Hoa Lư")], keys=["k-2"]
    )

    # then
    assert response.json() == {"error_code": "0", "message": "Thành công."}
    held = PortalDossier.objects.get(ma_ho_so=CODE).payload
    assert (held["TrangThaiHoSo"], held["DonViXuLy"]) == (4, "UBND phường Hoa Lư")
    assert list(ReceivedRecord.objects.values_list("operation", "key")) == [("them", "k-1"), ("capnhat", "k-2")]


def test_updating_an_unknown_dossier_is_refused_and_changes_nothing(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])
    before = stored()

    # when
    response = stand_in.post(
        "/dvcqg/hoso/capnhat", [dossier(CODE, TrangThaiHoSo=4), dossier(OTHER)], keys=["k-2", "k-3"]
    )

    # then
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "3",
        "message": f"Không tìm thấy hồ sơ trên Cổng DVCQG: {OTHER}.",
        "khong_ton_tai": [OTHER],
    }
    assert stored() == before


def test_a_wrong_record_is_refused_with_every_error_listed_and_nothing_is_stored(stand_in):
    # given: the second record has ISO dates, a status out of range, no holder and a long summary
    wrong = dossier(OTHER, NgayNopHoSo="2026-11-23T09:00:00", TrangThaiHoSo=11, TrichYeuHoSo="x" * 1001)
    del wrong["ChuHoSo"]
    wrong["TaiLieuNop"] = [{"DuocSoHoa": True}]

    # when
    response = stand_in.post("/dvcqg/hoso/them", [dossier(CODE), wrong], keys=["k-1", "k-2"])

    # then
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "1",
        "message": "Dữ liệu không hợp lệ: [1].ChuHoSo: thiếu trường bắt buộc (và 5 lỗi khác).",
        "errors": [
            "[1].ChuHoSo: thiếu trường bắt buộc",
            '[1].NgayNopHoSo: "2026-11-23T09:00:00" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
            "[1].TaiLieuNop[0].DuocSoHoa: true phải là số nguyên",
            "[1].TaiLieuNop[0].TenTepDinhKem: thiếu trường bắt buộc",
            "[1].TrangThaiHoSo: 11 không thuộc các giá trị cho phép: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
            "[1].TrichYeuHoSo: dài 1001 ký tự, tối đa 1000",
        ],
    }
    assert stored() == ([], [])


def test_an_unknown_field_is_refused(stand_in):
    # when: a typo in a field name would otherwise be dropped silently
    response = stand_in.post("/dvcqg/hoso/them", [dossier(CODE, TrangThaiHoso=2)], keys=["k-1"])

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == ["[0].TrangThaiHoso: trường không có trong đặc tả, không được gửi"]
    assert stored() == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"MaHoSo": CODE}, "Nội dung phải là một mảng JSON có ít nhất một bản ghi."),
        ([], "Nội dung phải là một mảng JSON có ít nhất một bản ghi."),
        ([dossier(CODE), dossier(CODE)], "Một mã hồ sơ xuất hiện nhiều lần trong cùng một yêu cầu."),
    ],
)
def test_a_body_that_is_not_a_list_of_distinct_dossiers_is_refused(stand_in, body, message):
    # when
    response = stand_in.post("/dvcqg/hoso/them", body, keys=["k-1", "k-2"])

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"error_code": "1", "message": message, "errors": [message]},
    )
    assert stored() == ([], [])


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (None, "Thiếu tiêu đề Idempotency-Key (mỗi bản ghi một khóa, cách nhau bởi dấu phẩy)."),
        (["k-1"], "Idempotency-Key có 1 khóa nhưng nội dung có 2 bản ghi."),
        (["k-1", "k-1"], "Idempotency-Key có khóa trùng nhau trong cùng một yêu cầu."),
        (["k-1", ""], "Idempotency-Key có khóa rỗng hoặc dài quá 200 ký tự."),
    ],
)
def test_each_record_needs_its_own_idempotency_key(stand_in, keys, message):
    # when
    response = stand_in.post("/dvcqg/hoso/them", [dossier(CODE), dossier(OTHER)], keys=keys)

    # then
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert stored() == ([], [])


def test_a_replayed_key_is_not_applied_again_and_gets_the_first_answer(stand_in):
    # given: added, then updated to status 4
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])
    stand_in.post("/dvcqg/hoso/capnhat", [dossier(CODE, TrangThaiHoSo=4)], keys=["k-2"])

    # when: the sender did not hear the add's answer and offers it again, with a new dossier
    response = stand_in.post("/dvcqg/hoso/them", [dossier(CODE), dossier(OTHER)], keys=["k-1", "k-3"])

    # then
    assert response.json() == {"error_code": "0", "message": "Thành công."}
    assert PortalDossier.objects.get(ma_ho_so=CODE).payload["TrangThaiHoSo"] == 4
    assert list(ReceivedRecord.objects.values_list("key", "times_offered")) == [("k-1", 2), ("k-2", 1), ("k-3", 1)]


def test_progress_is_kept_for_a_known_dossier(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])

    # when
    response = stand_in.post(
        "/dvcqg/hoso/tiendo",
        [progress(CODE), progress(CODE, NoiDungXuLy="Chuyển xử lý", TrangThai=4)],
        keys=["p-1", "p-2"],
    )

    # then
    assert response.json() == {"error_code": "0", "message": "Thành công."}
    assert list(ReceivedRecord.objects.filter(target="tiendo").values_list("key", "payload__NoiDungXuLy")) == [
        ("p-1", "Tiếp nhận hồ sơ"),
        ("p-2", "Chuyển xử lý"),
    ]


def test_progress_batches_hold_at_most_ten_records(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])
    before = stored()
    ten = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE)] * 10, keys=[f"p-{n}" for n in range(10)])

    # when
    eleven = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE)] * 11, keys=[f"q-{n}" for n in range(11)])

    # then
    assert ten.status_code == 200
    assert (eleven.status_code, eleven.json()["message"]) == (
        400,
        "Mỗi lần gửi tối đa 10 bản ghi, yêu cầu có 11 bản ghi.",
    )
    assert ReceivedRecord.objects.filter(key__startswith="q-").count() == 0
    assert ReceivedRecord.objects.filter(target="tiendo").count() == 10
    assert stored()[1] == before[1]


def test_progress_for_an_unknown_dossier_is_refused(stand_in):
    # when
    response = stand_in.post("/dvcqg/hoso/tiendo", [progress(CODE)], keys=["p-1"])

    # then
    assert (response.status_code, response.json()["error_code"]) == (404, "3")
    assert stored() == ([], [])


def test_a_wrong_progress_record_lists_its_errors(stand_in):
    # given
    stand_in.post("/dvcqg/hoso/them", [dossier(CODE)], keys=["k-1"])

    # when
    response = stand_in.post(
        "/dvcqg/hoso/tiendo", [progress(CODE, ThoiDiemXuLy="20261323093000", TrangThai=0)], keys=["p-1"]
    )

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        '[0].ThoiDiemXuLy: "20261323093000" không phải ngày giờ có thật dạng yyyyMMddHHmmss',
        "[0].TrangThai: 0 không thuộc các giá trị cho phép: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
    ]


def test_a_body_that_is_not_json_is_refused(stand_in, client, token):
    # when
    response = client.post(
        "/mock/dvcqg/hoso/them",
        b"\xff not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
    )

    # then
    assert (response.status_code, response.json()["message"]) == (
        400,
        "Nội dung gửi lên không phải JSON hợp lệ (UTF-8).",
    )


def test_the_endpoints_take_only_their_method(stand_in):
    # when
    response = stand_in.get("/dvcqg/hoso/them")

    # then
    assert (response.status_code, response["Allow"]) == (405, "POST")


def test_a_record_with_every_field_and_list_is_accepted(stand_in):
    # given: a birth registration returned with an electronic result, after one supplement
    full = dossier(
        CODE,
        MaDoiTuong="dvcqg-user-8812",
        Email="037090001234@demo.dichvucong.example.vn",
        Fax="0229 3871 234",
        SoDienThoai="0912345678",
        ThongTinKhac="Người nộp là cha của trẻ",
        NgayHenTra="20261124170000",
        NgayKetThucXuLy="20261124100000",
        NgayTra="20261124110000",
        ThongTinTra="Trả kết quả điện tử qua tài khoản trên Cổng DVCQG",
        TrangThaiHoSo=10,
        HinhThuc=1,
        GhiChu="",
        NoiNopHoSo="Trung tâm Phục vụ hành chính công phường Hoa Lư",
        HoSoCoThanhPhanSoHoa=1,
        TaiKhoanDuocXacThucVoiVNeID=1,
        DuocThanhToanTrucTuyen=1,
        TaiLieuNop=[
            {
                "TepDinhKemId": "tep-1",
                "TenTepDinhKem": "to-khai.pdf",
                "IsDeleted": 0,
                "MaThanhPhanHoSo": "TP1",
                "DuongDanTaiTepTin": "https://dichvucong.example.vn/tep/1",
                "DuocSoHoa": 1,
                "DuocTaiSuDung": 1,
                "DuocLayTuKhoDMQG": 0,
                "MaKetQuaThayThe": "KQ.000.00.41.H42-2025-0091",
            }
        ],
        DanhSachLePhi=[
            {"TenPhiLePhi": "Lệ phí cấp bản sao", "MaPhiLePhi": "LP1", "HinhThucThu": 2, "Gia": 8000, "LoaiPhiLePhi": 2}
        ],
        DanhSachTepDinhKemKhac=[{"TenGiayTo": "Giấy chứng sinh (bản chính)", "SoLuong": 1, "LoaiGiayTo": "Bản chính"}],
        DanhSachHoSoBoSung=[
            {
                "NguoiYeuCauBoSung": "Trần Thị Bình",
                "NoiDungBoSung": "Bổ sung giấy chứng sinh",
                "NgayBoSung": "20261123100000",
                "NgayTiepNhanBoSung": "20261123140000",
                "TrangThaiBoSung": 1,
                "DanhSachGiayToBoSung": [{"TenTepDinhKem": "giay-chung-sinh.pdf", "MaThanhPhanHoSo": "TP2"}],
                "NgayHenTraTruoc": "20261123170000",
                "NgayHenTraMoi": "20261124170000",
            }
        ],
        DanhSachGiayToKetQua=[
            {
                "TenGiayTo": "Giấy khai sinh",
                "GiayToId": "kq-1",
                "DuongDanTepTinKetQua": "https://dichvucong.example.vn/ket-qua/1",
                "MaGiayToKetQua": "KQ.000.00.41.H42-2026-0123",
            }
        ],
        DSKetNoiCSDL=[{"MaCSDL": "CSDLQGDC"}],
    )

    # when
    response = stand_in.post("/dvcqg/hoso/them", [full], keys=["k-1"])

    # then
    assert (response.status_code, response.json()["error_code"]) == (200, "0")
    assert PortalDossier.objects.get().payload == full
