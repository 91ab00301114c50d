import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile

from accounts.constants import Role
from dossiers.constants import AttachmentRole, Channel, PaymentStatus
from dossiers.models import Attachment, Dossier, Payment
from emc_sync.mapping import dossier_record, emc_event, progress_record
from emc_sync.schemas import schema_errors
from tests.factories import ComponentFactory, FeeFactory
from workflows.constants import Action

from .conftest import act, at, submit

R, S, L, C, CIT = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.CITIZEN
CODE = "000.00.12.H42-261123-0001"
ID = [{"LoaiDinhDanh": 1, "SoDinhDanh": "037090001234"}]

# A new online dossier, filed Monday 23/11/2026 09:00 (Vietnam); due 01/12 (24/11 is a day off).
NEW = {
    "MaHoSo": CODE,
    "MaTTHC": "1.000001",
    "TenTTHC": "Thủ tục thử nghiệm",
    "MaLinhVuc": "HOTICH",
    "TenLinhVuc": "Hộ tịch",
    "KenhThucHien": 2,
    "ChuHoSo": "Nguyễn Văn An",
    "LoaiDoiTuong": 1,
    "SoGiayToChuHoSo": "037090001234",
    "Email": "an@example.vn",
    "SoDienThoai": "0912345678",
    "TrichYeuHoSo": "Xin cấp giấy",
    "NgayNopHoSo": "20261123090000",
    # present in every record: the submission time until there is a receipt (DOMAIN.md)
    "NgayTiepNhan": "20261123090000",
    "NgayHenTra": "20261201090000",
    "TrangThaiHoSo": 1,
    "DonViXuLy": "000.00.12.H42",
    "NoiNopHoSo": "000.00.12.H42",
    "HinhThuc": 1,
    "HoSoCoThanhPhanSoHoa": 0,
    "TaiKhoanDuocXacThucVoiVNeID": 0,
    "DuocThanhToanTrucTuyen": 0,
    "TaiLieuNop": [],
    "DanhSachLePhi": [],
    "DanhSachHoSoBoSung": [],
    "DanhSachGiayToKetQua": [],
    "DinhDanhCHS": ID,
    "DSKetNoiCSDL": [],
}
RECEIVED = {"NgayTiepNhan": "20261123093000", "NgayHenTra": "20261201093000", "TrangThaiHoSo": 2}
# Each path: the actions after submission (role, action, comment), each one 30 minutes later.
PATHS = {
    "new": ([], {}),
    "received": ([(R, Action.RECEIVE, "")], RECEIVED),
    "refused": ([(R, Action.REFUSE, "Không thuộc thẩm quyền")], {"TrangThaiHoSo": 3, "NgayTuChoi": "20261123093000"}),
    "processing": ([(R, Action.RECEIVE, ""), (R, Action.FORWARD, "")], {**RECEIVED, "TrangThaiHoSo": 4}),
    "supplement_requested": (
        [(R, Action.RECEIVE, ""), (R, Action.REQUEST_SUPPLEMENT, "Thiếu bản sao")],
        {
            **RECEIVED,
            "TrangThaiHoSo": 5,
            "DanhSachHoSoBoSung": [
                {
                    "NguoiYeuCauBoSung": "Cán bộ reception_officer",
                    "NoiDungBoSung": "Thiếu bản sao",
                    "NgayBoSung": "20261123100000",
                    "NgayHenTraTruoc": "20261201093000",
                    "TrangThaiBoSung": 0,
                    "DanhSachGiayToBoSung": [],
                }
            ],
        },
    ),
    # stopped or withdrawn: the stop or the withdrawal ends the processing (Decision 766, 2.1)
    "withdrawn": ([(CIT, Action.WITHDRAW, "")], {"TrangThaiHoSo": 7, "NgayKetThucXuLy": "20261123093000"}),
    "stopped": (
        [(R, Action.RECEIVE, ""), (R, Action.FORWARD, ""), (S, Action.STOP, "Người nộp đề nghị")],
        {**RECEIVED, "TrangThaiHoSo": 8, "NgayKetThucXuLy": "20261123103000"},
    ),
    "processed": (
        [(R, Action.RECEIVE, ""), (R, Action.FORWARD, ""), (S, Action.FORWARD, ""), (L, Action.APPROVE, ""),
         (C, Action.NUMBER_DISPATCH, "")],
        {**RECEIVED, "TrangThaiHoSo": 9, "NgayKetThucXuLy": "20261123113000"},
    ),
    "returned": (
        [(R, Action.RECEIVE, ""), (R, Action.FORWARD, ""), (S, Action.FORWARD, ""), (L, Action.APPROVE, ""),
         (C, Action.NUMBER_DISPATCH, ""), (R, Action.RETURN_RESULT, "")],
        {**RECEIVED, "TrangThaiHoSo": 10, "NgayKetThucXuLy": "20261123113000", "NgayTra": "20261123133000"},
    ),
}  # fmt: skip


def walk(office, steps, *, channel=Channel.ONLINE):
    with time_machine.travel(at(23, 9), tick=False):
        dossier = submit(office, channel=channel)
    minutes = [30, 60, 90, 120, 150, 270]  # 13:30 is after the lunch break
    for (role, action, comment), minute in zip(steps, minutes, strict=False):
        with time_machine.travel(at(23, 9) + dt.timedelta(minutes=minute), tick=False):
            dossier = act(office, dossier, role, action, comment=comment)
    dossier.refresh_from_db()
    return dossier


@pytest.mark.parametrize("path", PATHS)
def test_dossier_record_in_each_status(office, path):
    # given a dossier moved along one path of the department workflow
    steps, changes = PATHS[path]
    dossier = walk(office, steps)

    # when it is mapped to the national portal's dossier record
    record = dossier_record(dossier)

    # then every field is as DOMAIN.md says, and our schema accepts it
    assert record == {**NEW, **changes}
    assert schema_errors("dvcqg_hoso", record) == []


def test_dossier_record_lists_files_fees_results_and_payment(office):
    # given a walk-in dossier with a scanned file, a reused one, one from the national store,
    # a result file, a paid online payment, and a fee with an online discount
    procedure = office["procedure"]
    component = ComponentFactory(procedure=procedure, name="Tờ khai")
    fee = FeeFactory(procedure=procedure, name="Lệ phí cấp bản sao", amount=100_000, online_discount_percent=50)
    dossier = walk(office, PATHS["returned"][0][1:], channel=Channel.DIRECT)  # received at the desk
    officer = office["people"][R]

    def attach(name, **flags):
        return Attachment.objects.create(
            dossier=dossier, component=flags.pop("component", None), uploaded_by=officer, name=name,
            file=ContentFile(b"%PDF-1.4", name=name), content_type="application/pdf", size=8, sha256="0" * 64, **flags,
        )  # fmt: skip

    scanned = attach("to-khai.pdf", component=component, digitised=True)
    national = attach("cccd.pdf", from_national_store=True)
    result = attach("ket-qua.pdf", role=AttachmentRole.RESULT)
    Payment.objects.create(
        ref="P1", dossier=dossier, payer=office["people"][CIT], amount=50_000, status=PaymentStatus.PAID
    )

    # when mapped
    record = dossier_record(dossier)

    # then the lists carry the flags, codes and links of the national portal
    def link(attachment):
        return f"http://127.0.0.1:8000/tep-dinh-kem/{attachment.uuid}/"

    assert record["KenhThucHien"] == 1
    assert record["HinhThuc"] == 0
    # a scan made at the desk is not reused digitised data: 0; the national store is a database used
    assert (record["HoSoCoThanhPhanSoHoa"], record["DuocThanhToanTrucTuyen"]) == (0, 1)
    assert record["DSKetNoiCSDL"] == [{"MaCSDL": "KhoDLQG"}]
    assert record["TaiLieuNop"] == [
        {"TepDinhKemId": str(scanned.uuid), "TenTepDinhKem": "to-khai.pdf", "IsDeleted": 0,
         "MaThanhPhanHoSo": str(component.pk), "DuongDanTaiTepTin": link(scanned), "DuocSoHoa": 1,
         "DuocTaiSuDung": 0, "DuocLayTuKhoDMQG": 0},
        {"TepDinhKemId": str(national.uuid), "TenTepDinhKem": "cccd.pdf", "IsDeleted": 0,
         "DuongDanTaiTepTin": link(national), "DuocSoHoa": 0, "DuocTaiSuDung": 0, "DuocLayTuKhoDMQG": 1},
    ]  # fmt: skip
    # the amount is Gia; a "lệ phí" is kind 2
    assert record["DanhSachLePhi"] == [
        {"TenPhiLePhi": "Lệ phí cấp bản sao", "MaPhiLePhi": str(fee.pk), "HinhThucThu": 2, "Gia": 50_000,
         "LoaiPhiLePhi": 2}
    ]  # fmt: skip
    # an electronic result counts nationally only with its code and a link
    assert record["DanhSachGiayToKetQua"] == [
        {"TenGiayTo": "Quyết định", "GiayToId": str(result.uuid), "DuongDanTepTinKetQua": link(result),
         "MaGiayToKetQua": f"{dossier.code}-KQ{result.pk}"}
    ]  # fmt: skip
    assert schema_errors("dvcqg_hoso", record) == []


def test_progress_record_of_one_event(office):
    # given a received dossier
    dossier = walk(office, [(R, Action.RECEIVE, "Đủ giấy tờ")])
    event = dossier.events.get(sequence=2)

    # when its receipt is mapped to a progress record
    record = progress_record(dossier, event)

    # then
    assert record == {
        "MaHoSo": CODE,
        "NguoiXuLy": "Cán bộ reception_officer",
        "ChucDanh": "Cán bộ tiếp nhận (một cửa)",
        "ThoiDiemXuLy": "20261123093000",
        "PhongBanXuLy": "Sở Tư pháp",
        "NoiDungXuLy": "Tiếp nhận hồ sơ: Đủ giấy tờ",
        "TrangThai": 2,
        "NgayBatDau": "20261123093000",
        "NgayKetThucTheoQuyDinh": "20261201093000",
    }
    assert schema_errors("dvcqg_tiendo", record) == []


def test_emc_event_of_a_submission(office, settings):
    # given the site id, and a new online dossier
    settings.EMC_SITE_ID = "site-37"
    dossier = walk(office, [])

    # when its submission is mapped to an EMC event
    event = emc_event(dossier, dossier.events.get(sequence=1))

    # then
    assert event == {
        "CodeProfile": CODE,
        "SiteId": "site-37",
        "CodeTTHC": "1.000001",
        "NameTTHC": "Thủ tục thử nghiệm",
        "MaHoSo": CODE,
        "Status": 0,
        "FormsReception": 1,
        "FormsPayments": 0,
        "Level": 4,
        "IsFromDVCQG": 0,
        "IsDVCBC": 2,
        "User": {"ID_local": str(office["people"][CIT].pk), "ID_QG": "037090001234", "TYPE": 1, "LOCATION": "37"},
    }
    assert schema_errors("emc", event) == []


def test_emc_hears_of_submission_receipt_transfers_result_and_return_only(office):
    # given a dossier taken through to the returned result
    dossier = walk(office, PATHS["returned"][0])

    # when each event is mapped
    statuses = [(e.action, (emc_event(dossier, e) or {}).get("Status")) for e in dossier.events.order_by("sequence")]

    # then: submitted (0 other), received (1), assigned on each transfer (4), result ready (2), returned (3)
    assert statuses == [
        ("submit", 0), ("receive", 1), ("forward", 4), ("forward", 4), ("approve", 4), ("number_dispatch", 2),
        ("return_result", 3),
    ]  # fmt: skip


def test_emc_skips_a_supplement_request_and_counts_a_walk_in_as_received(office):
    walk_in = walk(office, [(R, Action.REQUEST_SUPPLEMENT, "Thiếu")], channel=Channel.DIRECT)

    submitted, asked = walk_in.events.order_by("sequence")

    assert emc_event(walk_in, submitted)["Status"] == 1
    assert (emc_event(walk_in, submitted)["FormsReception"], emc_event(walk_in, submitted)["IsDVCBC"]) == (2, 0)
    assert emc_event(walk_in, asked) is None


def test_a_dossier_with_no_local_account_still_has_a_valid_emc_user(office):
    # a walk-in dossier: no account here; EMC reads the national id
    dossier = walk(office, [], channel=Channel.DIRECT)
    dossier.applicant = None
    event = emc_event(dossier, dossier.events.get(sequence=1))

    assert event["User"] == {"ID_QG": "037090001234", "TYPE": 1, "LOCATION": "37"}
    assert schema_errors("emc", event) == []


def test_the_handler_name_is_cut_to_fifty_characters(office):
    dossier = walk(office, [(R, Action.RECEIVE, "")])
    officer = office["people"][R]
    officer.full_name = "Nguyễn Thị Phương Thảo Minh Châu Ngọc Bích Hồng Nhung Lan Anh"
    officer.save(update_fields=["full_name"])
    record = progress_record(dossier, dossier.events.select_related("actor").get(sequence=2))

    assert record["NguoiXuLy"] == officer.full_name[:50]
    assert schema_errors("dvcqg_tiendo", record) == []


def test_status_6_lists_the_financial_obligation_as_a_fee_line_with_gia(office):
    # given a dossier in processing whose specialist asks for the land levy, payable online
    dossier = walk(office, [(R, Action.RECEIVE, ""), (R, Action.FORWARD, "")])
    with time_machine.travel(at(23, 11), tick=False):
        dossier = act(
            office, dossier, S, Action.REQUEST_PAYMENT, comment="Lệ phí trước bạ nhà, đất",
            data={"amount": 1_250_000, "pay_at": "Thuế cơ sở 1 tỉnh Ninh Bình", "online": True},
        )  # fmt: skip
    FeeFactory(procedure=office["procedure"], name="Lệ phí cấp giấy", amount=50_000)
    obligation = dossier.obligations.get()

    # when mapped in status 6
    record = dossier_record(Dossier.objects.get(pk=dossier.pk))

    # then the amount to pay is a DanhSachLePhi line, the amount under Gia, after the procedure's fee
    assert record["TrangThaiHoSo"] == 6
    assert record["DanhSachLePhi"][1:] == [
        {"TenPhiLePhi": "Lệ phí trước bạ nhà, đất", "MaPhiLePhi": f"NVTC-{obligation.pk}", "HinhThucThu": 2,
         "Gia": 1_250_000, "LoaiPhiLePhi": 1},
    ]  # fmt: skip
    assert record["DanhSachLePhi"][0]["Gia"] == 50_000
    assert schema_errors("dvcqg_hoso", record) == []

    # when the obligation is met (confirmed by the officer): back to 4, the line is gone
    with time_machine.travel(at(23, 14), tick=False):
        dossier = act(office, dossier, S, Action.SETTLE_PAYMENT, comment="Đã nộp tại chi cục thuế")
    record = dossier_record(Dossier.objects.get(pk=dossier.pk))
    assert (record["TrangThaiHoSo"], [line["Gia"] for line in record["DanhSachLePhi"]]) == (4, [50_000])
