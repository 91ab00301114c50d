"""The inbound feed with the national portal answered by `responses` (the live stand-in is in
test_inbound_live.py): one dossier per national code, quarantine, retries, a feed that is down."""

import datetime as dt
import unicodedata
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.constants import Role
from dossiers.access import dossiers_at_my_step_filter
from dossiers.constants import Channel, EventKind
from dossiers.models import Attachment, Dossier, DossierEvent, Payment
from dossiers.services import dossier_act
from emc_sync.constants import Target
from emc_sync.inbound import inbound_poll, inbound_retry
from emc_sync.models import InboundCursor, InboundFailure, NationalDossier, NationalFile, OutboxRow
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory
from tests.files import pdf_bytes
from workflows.constants import Action, Status

from .conftest import PORTAL

FEED = f"{PORTAL}/dvcqg/hoso-moi"
FILE = f"{PORTAL}/dvcqg/tep"


def filed(code, procedure="1.000001", **extra):
    return {
        "MaHoSo": code,
        "MaTTHC": procedure,
        "DonViXuLy": "000.00.12.H42",
        "KenhThucHien": 2,
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "037090005678",
        "SoDienThoai": "0987654321",
        "TrichYeuHoSo": "Nộp trên Cổng DVCQG",
        "NgayNopHoSo": "20261123080000",
        **extra,
    }


def page(*items, cursor="c1"):
    return {"error_code": "0", "items": list(items), "con_tiep": cursor}


def a_file(national_id, *, name="don.pdf"):
    return {
        "TepDinhKemId": national_id,
        "TenTepDinhKem": name,
        "IsDeleted": 0,
        "DuongDanTaiTepTin": f"{FILE}/{national_id}",
    }


def nothing_created():
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        Attachment.objects.count(),
        OutboxRow.objects.count(),
    )


def test_dossiers_filed_on_the_national_portal_reach_the_reception_queue_once(office, portal):
    # given a feed with two dossiers, one for a procedure the province does not have
    items = page(filed("G01.2026.1"), filed("G01.2026.2", procedure="9.999999"), cursor="c2")
    portal.get(FEED, json=items)
    portal.get(FEED, json=items)

    # when the feed is polled twice (the second time as if our cursor had been lost)
    first = inbound_poll()
    InboundCursor.objects.update(value="")
    second = inbound_poll()

    # then one dossier, new, channel national portal, waiting for reception; one failure for admins
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.applicant_name, dossier.applicant_id_number) == (
        Channel.NATIONAL_PORTAL, Status.NEW, "Trần Thị Bình", "037090005678",
    )  # fmt: skip
    assert dossier.events.get().idempotency_key == "dvcqg:G01.2026.1"
    assert dossier.code == "G01.2026.1"  # the national portal's code, not a second one of ours
    assert (first.created, first.quarantined, second.created, second.unchanged, second.quarantined) == (1, 1, 0, 1, 1)
    failure = InboundFailure.objects.get()
    assert (failure.remote_code, failure.error, failure.attempts, failure.resolved_at) == (
        "G01.2026.2", "Không có thủ tục mã 9.999999 trong danh mục của tỉnh.", 2, None,
    )  # fmt: skip
    assert InboundCursor.objects.get().value == "c2"


def test_a_forwarded_dossier_was_submitted_when_the_citizen_filed_on_the_national_portal(office, portal):
    # given two dossiers filed on the national portal: one on 23/11/2026 08:00, one dated in the future
    # (a clock that runs ahead over there)
    portal.get(FEED, json=page(filed("G01.2026.7"), filed("G01.2026.8", NgayNopHoSo="20991231235959")))

    # when
    before = timezone.now()
    inbound_poll()

    # then: NgayNopHoSo is the submission time, never later than our intake; the history row keeps
    # when the dossier reached us
    filed_there = Dossier.objects.get(code="G01.2026.7")
    assert filed_there.submitted_at == dt.datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert filed_there.events.get().at >= before
    ahead = Dossier.objects.get(code="G01.2026.8")
    assert before <= ahead.submitted_at <= timezone.now()


def test_the_same_dossier_three_times_and_once_changed_is_one_dossier_updated_once(office, portal):
    # given the national portal forwards a dossier three times, then once with a new phone number
    record = filed("G01.2026.3", MaDoiTuong="QG-778899")
    changed = {**record, "SoDienThoai": "0900000001", "TrichYeuHoSo": "Nộp trên Cổng DVCQG (sửa)"}
    for number, item in enumerate((record, record, record, changed)):
        portal.get(FEED, json=page(item, cursor=f"c{number + 1}"))

    # when polled four times
    results = [inbound_poll() for _ in range(4)]

    # then one dossier under the national code, created once, updated once, never a second one
    dossier = Dossier.objects.get()
    assert dossier.code == "G01.2026.3"
    assert [(r.created, r.unchanged, r.updated) for r in results] == [(1, 0, 0), (0, 1, 0), (0, 1, 0), (0, 0, 1)]
    assert (dossier.applicant_phone, dossier.summary) == ("0900000001", "Nộp trên Cổng DVCQG (sửa)")
    assert list(dossier.events.values_list("action", "from_status", "to_status", "data")) == [
        (EventKind.SUBMIT, None, Status.NEW, {}),
        (EventKind.NATIONAL_UPDATE, Status.NEW, Status.NEW, {"fields": ["applicant_phone", "form_data", "summary"]}),
    ]
    national = NationalDossier.objects.get()
    assert (national.national_code, national.applicant_national_id, national.deliveries, national.updates) == (
        "G01.2026.3", "QG-778899", 4, 1,
    )  # fmt: skip
    # and the national portal hears of the dossier twice, under its own code, MaDoiTuong kept
    records = OutboxRow.objects.filter(target=Target.DVCQG_HOSO).order_by("sequence")
    assert [(row.payload["MaHoSo"], row.payload["MaDoiTuong"], row.payload["SoDienThoai"]) for row in records] == [
        ("G01.2026.3", "QG-778899", "0987654321"),
        ("G01.2026.3", "QG-778899", "0900000001"),
    ]


def test_files_and_fees_paid_on_the_national_portal_come_with_the_dossier(office, portal):
    # given a dossier with a file and a fee paid on DVCQG's payment platform
    content = pdf_bytes()
    portal.get(f"{FILE}/QG-TEP-1", body=content, content_type="application/pdf")
    fee = {"TenPhiLePhi": "Lệ phí cấp giấy", "MaPhiLePhi": "LP1", "Gia": 50_000}
    record = filed("G01.2026.4", TaiLieuNop=[a_file("QG-TEP-1")], DuocThanhToanTrucTuyen=1, DanhSachLePhi=[fee])
    portal.get(FEED, json=page(record))

    # when polled
    inbound_poll()

    # then the file is ours, fetched with the token, with its national id; the fee is paid
    dossier = Dossier.objects.get()
    attachment = dossier.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.uploaded_by.username) == (
        "don.pdf", "application/pdf", "he-thong-cong-dvcqg",
    )  # fmt: skip
    assert NationalFile.objects.get().national_id == "QG-TEP-1"
    fetch = next(call for call in portal.calls if call.request.url == f"{FILE}/QG-TEP-1")
    assert fetch.request.headers["Authorization"] == "Bearer tok"
    payment = Payment.objects.get()
    assert (payment.dossier, payment.status, payment.amount, payment.payer.is_active) == (
        dossier,
        "paid",
        50_000,
        False,
    )
    submitted = OutboxRow.objects.get(target=Target.DVCQG_HOSO)
    assert submitted.payload["TaiLieuNop"][0]["TepDinhKemId"] == "QG-TEP-1"
    assert submitted.payload["DuocThanhToanTrucTuyen"] == 1


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (filed("G09.1", procedure="9.999999"), "Không có thủ tục mã 9.999999 trong danh mục của tỉnh."),
        (filed("G09.2", DonViXuLy="UBND xã Không Có"), "Không có cơ quan “UBND xã Không Có” (DonViXuLy) trong danh mục của tỉnh."),
        (filed("G09.3", TaiLieuNop=[a_file("MISSING")]), "Tệp “don.pdf” không tải được từ Cổng DVCQG (HTTP 404)."),
        (
            filed("G09.4", TaiLieuNop=[{**a_file("X"), "DuongDanTaiTepTin": "http://elsewhere.test/x"}]),
            "Tệp “don.pdf”: đường dẫn http://elsewhere.test/x không thuộc Cổng DVCQG.",
        ),
        (filed("G09.5", NgayNopHoSo="20261332080000"), "NgayNopHoSo: “20261332080000” không phải một thời điểm có thật (yyyyMMddHHmmss)."),
        (filed("G09.6", NgayNopHoSo="23/11/2026"), "Bản tin không đúng định dạng: NgayNopHoSo: '23/11/2026' does not match '^[0-9]{14}$'"),
        (filed("G09.7", KenhThucHien="2"), "Bản tin không đúng định dạng: KenhThucHien: '2' is not of type 'integer'; "
                                          "KenhThucHien: '2' is not one of [1, 2, 3]"),
        ({"MaHoSo": "G09.8", "LoaiThongDiep": "RutHoSo", "ThoiDiem": "20261124090000"}, "Chưa có hồ sơ G09.8 từ Cổng DVCQG."),
    ],
    ids=["unknown-procedure", "unknown-agency", "broken-link", "foreign-link", "impossible-date", "malformed-date",
         "schema", "withdrawal-of-unknown"],
)  # fmt: skip
def test_a_message_we_cannot_apply_is_quarantined_with_its_reason_and_nothing_created(office, portal, record, reason):
    # given
    portal.get(f"{FILE}/MISSING", status=404, json={"error_code": "3"})
    portal.get(FEED, json=page(record, cursor="c5"))

    # when
    result = inbound_poll()

    # then kept with the reason, nothing half-created, the feed read on
    failure = InboundFailure.objects.get()
    assert (failure.remote_code, failure.error, failure.payload, failure.resolved_at) == (
        record["MaHoSo"], reason, record, None,
    )  # fmt: skip
    assert (result.quarantined, nothing_created()) == (1, (0, 0, 0, 0))
    assert InboundCursor.objects.get().value == "c5"


def test_a_quarantined_dossier_is_taken_in_when_retried_after_the_fix_and_its_later_messages_follow(office, portal):
    # given a dossier for a procedure not yet in the catalogue, then its withdrawal, are quarantined
    record = filed("G01.2026.5", procedure="1.000002")
    withdrawal = {"LoaiThongDiep": "RutHoSo", "MaHoSo": "G01.2026.5", "ThoiDiem": "20261124090000", "LyDo": "Nộp nhầm"}
    portal.get(FEED, json=page(record, withdrawal))
    inbound_poll()
    assert list(InboundFailure.objects.order_by("id").values_list("kind", "error")) == [
        ("HoSo", "Không có thủ tục mã 1.000002 trong danh mục của tỉnh."),
        ("RutHoSo", "Chờ bản tin trước của hồ sơ này."),
    ]
    admin = UserFactory(role=Role.PROVINCE_ADMIN)
    # when the admin adds the procedure and retries the first one
    procedure = ProcedureFactory(code="1.000002", agencies=[office["agency"]])
    WorkflowVersionFactory(procedure=procedure)
    result = inbound_retry(actor=admin, failure_ids=[InboundFailure.objects.order_by("id").first().pk])

    # then the dossier is taken in, then withdrawn through the lifecycle, in that order
    dossier = Dossier.objects.get(code="G01.2026.5")
    assert list(dossier.events.values_list("action", "to_status", "comment")) == [
        (EventKind.SUBMIT, Status.NEW, ""),
        (EventKind.WITHDRAW, Status.WITHDRAWN, "Nộp nhầm"),
    ]
    assert (result.released, InboundFailure.objects.filter(resolved_at__isnull=True).count()) == (2, 0)


def test_a_retry_that_still_fails_keeps_the_message_with_the_new_reason(office, portal):
    # given
    portal.get(FEED, json=page(filed("G01.2026.6", DonViXuLy="UBND xã Mới")))
    inbound_poll()
    failure = InboundFailure.objects.get()
    admin = UserFactory(role=Role.PROVINCE_ADMIN)
    AgencyFactory(code="000.00.99.H42", name="UBND xã Mới")  # the agency now exists, but not for this procedure

    # when
    inbound_retry(actor=admin, failure_ids=[failure.pk])

    # then
    failure.refresh_from_db()
    assert (failure.attempts, failure.resolved_at, nothing_created()) == (2, None, (0, 0, 0, 0))
    assert "UBND xã Mới không thực hiện thủ tục này" in failure.error


def test_only_province_admins_retry(office, portal):
    from emc_sync.exceptions import SyncNotAllowed

    portal.get(FEED, json=page(filed("G01.2026.7", procedure="9.999999")))
    inbound_poll()

    with pytest.raises(SyncNotAllowed):
        inbound_retry(actor=office["people"][Role.RECEPTION_OFFICER], failure_ids=[InboundFailure.objects.get().pk])

    assert InboundFailure.objects.get().attempts == 1


def test_a_file_host_that_does_not_answer_is_retried_by_the_next_poll(office, portal):
    # given the file host is down at the first poll, up at the second
    portal.get(f"{FILE}/QG-TEP-9", status=503)
    portal.get(f"{FILE}/QG-TEP-9", body=pdf_bytes(), content_type="application/pdf")
    portal.get(FEED, json=page(filed("G01.2026.8", TaiLieuNop=[a_file("QG-TEP-9")]), cursor="c8"))
    portal.get(FEED, json=page(cursor="c8"))

    # when
    first = inbound_poll()
    waiting = InboundFailure.objects.get()
    second = inbound_poll()

    # then
    assert (first.quarantined, waiting.transient, waiting.error) == (
        1,
        True,
        "Tệp “don.pdf” không tải được từ Cổng DVCQG (HTTP 503).",
    )
    assert (second.released, Dossier.objects.get().attachments.count()) == (1, 1)
    assert InboundFailure.objects.get().resolved_at is not None


def test_the_feed_is_read_from_our_cursor(office, portal):
    # given a cursor left by the previous poll
    InboundCursor.objects.create(name="dvcqg_hoso_moi", value="c7")
    portal.get(FEED, json={"error_code": "0", "items": [], "con_tiep": "c7"})

    # when polled
    inbound_poll()

    # then the feed was asked for what follows c7, for our province
    query = parse_qs(urlparse(portal.calls[-1].request.url).query)
    assert query == {"ma_tinh": ["37"], "sau": ["c7"], "so_luong": ["50"]}


def test_a_feed_that_is_down_loses_nothing_and_is_picked_up_on_recovery(office, portal):
    # given the feed is down, then back
    InboundCursor.objects.create(name="dvcqg_hoso_moi", value="c7")
    portal.get(FEED, status=503)
    portal.get(FEED, json=page(filed("G01.2026.10"), cursor="c8"))

    # when polled while down, then after recovery
    down = inbound_poll()
    cursor_while_down = InboundCursor.objects.get().value
    up = inbound_poll()

    # then the cursor waited; the dossier came on recovery, once
    assert (down.pages, cursor_while_down, up.created, InboundCursor.objects.get().value) == (0, "c7", 1, "c8")
    assert parse_qs(urlparse(portal.calls[-1].request.url).query)["sau"] == ["c7"]
    assert Dossier.objects.get().code == "G01.2026.10"


def test_a_name_in_decomposed_unicode_is_stored_composed(office, portal):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    portal.get(FEED, json=page(filed("G01.2026.9", ChuHoSo=decomposed), cursor="c9"))

    inbound_poll()

    assert Dossier.objects.get().applicant_name == unicodedata.normalize("NFC", "Nguyễn Thị Ánh")


def test_the_public_lookup_finds_a_forwarded_dossier_by_its_national_code(office, portal, client):
    from django.urls import reverse

    from tests.stores import clear_caches

    # given a dossier forwarded by the national portal
    portal.get(FEED, json=page(filed("G22.37-261123-000042")))
    inbound_poll()
    clear_caches()

    # when the citizen looks it up with the national code and the last four digits of their id
    response = client.post(reverse("dossiers:public_status_search"), {"ma": "G22.37-261123-000042", "so_cuoi": "5678"})

    # then
    html = response.content.decode()
    assert (response.status_code, "G22.37-261123-000042" in html, "Mới đăng ký" in html) == (200, True, True)


def test_noi_nop_ho_so_is_the_receiving_desk_separate_from_the_competent_agency(office, portal):
    # given a ward's one-stop desk that does not handle the procedure (Decree 118/2025), and a
    # dossier filed on DVCQG to be handed in and collected there
    ward = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư", level="ward")
    ward_desk = UserFactory(username="ward-desk", role=Role.RECEPTION_OFFICER, agencies=[ward])
    other_ward_desk = UserFactory(
        username="other-desk", role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory(code="000.00.42.H42")]
    )
    portal.get(FEED, json=page(filed("G01.2026.20", NoiNopHoSo="000.00.41.H42")))

    # when the feed is polled
    inbound_poll()

    # then the dossier is the competent agency's, handed in at the ward's desk, in that desk's queue
    dossier = Dossier.objects.get()
    assert (dossier.code, dossier.agency.code, dossier.receiving_unit.code, dossier.handed_over) == (
        "G01.2026.20", "000.00.12.H42", "000.00.41.H42", True,
    )  # fmt: skip
    queued = Dossier.objects.filter(dossiers_at_my_step_filter(ward_desk)).values_list("code", flat=True)
    assert list(queued) == ["G01.2026.20"]
    assert not Dossier.objects.filter(dossiers_at_my_step_filter(other_ward_desk)).exists()
    # and the records say so: NoiNopHoSo the desk, DonViXuLy the competent agency, under the national code
    record = OutboxRow.objects.get(target=Target.DVCQG_HOSO).payload
    assert (record["MaHoSo"], record["NoiNopHoSo"], record["DonViXuLy"]) == (
        "G01.2026.20", "000.00.41.H42", "000.00.12.H42",
    )  # fmt: skip

    # when the ward's desk receives it: handed over to the competent agency in the same action
    dossier_act(dossier_id=dossier.pk, actor=ward_desk, action=Action.RECEIVE)

    # then
    assert list(dossier.events.order_by("sequence").values_list("action", flat=True)) == [
        EventKind.SUBMIT, Action.RECEIVE, EventKind.HANDOVER,
    ]  # fmt: skip
    latest = OutboxRow.objects.filter(target=Target.DVCQG_HOSO).order_by("-sequence").first().payload
    assert (latest["MaHoSo"], latest["TrangThaiHoSo"], latest["NoiNopHoSo"], latest["DonViXuLy"]) == (
        "G01.2026.20", Status.PROCESSING, "000.00.41.H42", "000.00.12.H42",
    )  # fmt: skip


@pytest.mark.parametrize("desk", ["UBND xã Không Có", "000.00.43.H42"], ids=["unknown", "closed"])
def test_a_receiving_desk_we_do_not_know_or_closed_is_quarantined_not_replaced(office, portal, desk):
    # given (a closed desk: an agency merged away in the 2025 reorganisation)
    AgencyFactory(code="000.00.43.H42", name="UBND xã cũ", is_active=False)
    portal.get(FEED, json=page(filed("G09.20", NoiNopHoSo=desk)))

    # when
    result = inbound_poll()

    # then kept for an admin with the reason, nothing created under another desk
    assert (result.quarantined, nothing_created()) == (1, (0, 0, 0, 0))
    assert InboundFailure.objects.get().error == (
        f"Không có nơi tiếp nhận “{desk}” (NoiNopHoSo) trong danh mục của tỉnh."
    )
