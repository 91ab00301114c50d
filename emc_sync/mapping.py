"""Our dossiers in the national formats (DOMAIN.md): the national portal's dossier and progress
records and EMC's dossier events.

Written from DOMAIN.md alone; the stand-in portal has its own reading of the same page, so a
mistake here shows up as a refusal there instead of being shared. Conventions chosen where
DOMAIN.md leaves room (docs/national-sync.md lists them): dates `yyyyMMddHHmmss` in
Asia/Ho_Chi_Minh; a value we do not have (a date not reached yet, an empty e-mail) is left out
rather than sent empty; yes/no flags are the integers 1/0, like the other codes.
"""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from dossiers.constants import AttachmentRole, Channel, EventKind, PaymentStatus, ReplacementState
from dossiers.models import Attachment, ComponentReplacement, Dossier, DossierEvent
from procedures.constants import OnlineLevel
from workflows.constants import Action, Status

from .constants import EMC_ASSIGNED, EMC_OTHER, EMC_PROCESSING, EMC_RECEIVED, EMC_RETURNED
from .models import NationalDossier, NationalFile

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CITIZEN_ID = re.compile(r"^\d{12}$")

# KenhThucHien: 1 direct, 2 online, 3 post. A dossier filed on the national portal is online.
CHANNEL_CODE = {Channel.DIRECT: 1, Channel.ONLINE: 2, Channel.POST: 3, Channel.NATIONAL_PORTAL: 2}
ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.NATIONAL_PORTAL})
# DanhSachLePhi HinhThucThu: 1 paid at the desk (or not yet paid), 2 paid online.
FEE_PAID_DIRECT, FEE_PAID_ONLINE = 1, 2
# DinhDanhCHS LoaiDinhDanh: 1 = 12-digit citizen id number.
ID_CITIZEN = 1
# EMC Level: 4 full online, 3 partial online, 1 information only.
EMC_LEVEL = {OnlineLevel.FULL: 4, OnlineLevel.PARTIAL: 3, OnlineLevel.INFORMATION: 1}
# EMC IsDVCBC: 0 in person, 1 public post, 2 other (online).
EMC_POST = {Channel.DIRECT: 0, Channel.POST: 1, Channel.ONLINE: 2, Channel.NATIONAL_PORTAL: 2}
# DSKetNoiCSDL MaCSDL: the databases a dossier used (documented assumption: the national
# portal's codes are to be confirmed by the province's integrator).
DB_POPULATION = "CSDLQGDC"  # the national population database (the applicant's identity checked)
DB_NATIONAL_STORE = "KhoDLQG"  # the national data store (a file taken from it)
# LoaiPhiLePhi: 1 a fee (phí), 2 a charge (lệ phí), read from the fee's name.
FEE_KIND_FEE, FEE_KIND_CHARGE = 1, 2
# MaPhiLePhi of a financial obligation (status 6) listed with the fees (documented assumption).
OBLIGATION_CODE = "NVTC"
# Ended without a result: the stop or the withdrawal is the end of processing.
ENDED_WITHOUT_RESULT = frozenset({Status.STOPPED, Status.WITHDRAWN})
# NguoiXuLy is at most 50 characters on the national portal.
HANDLER_MAX = 50
# EMC hears of submission, receipt, each transfer, the result, the return and a withdrawal.
EMC_STATUS_FOR_ACTION: dict[str, int] = {
    Action.RECEIVE: EMC_RECEIVED,
    Action.FORWARD: EMC_ASSIGNED,
    Action.SEND_BACK: EMC_ASSIGNED,
    Action.APPROVE: EMC_ASSIGNED,
    Action.NUMBER_DISPATCH: EMC_PROCESSING,  # the result is ready (status 9), not yet handed over
    Action.RETURN_RESULT: EMC_RETURNED,
    Action.WITHDRAW: EMC_OTHER,
    # The receiving desk hands the dossier to the competent agency: a transfer (Decree 118/2025).
    EventKind.HANDOVER: EMC_ASSIGNED,
}


def national_datetime(value: dt.datetime | None) -> str | None:
    """`yyyyMMddHHmmss` in Vietnam's time, or None."""
    if value is None:
        return None
    return value.astimezone(VN).strftime("%Y%m%d%H%M%S")


def _flag(value: bool) -> int:
    return 1 if value else 0


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    """Leave out what we do not have: an unset date, an empty text."""
    if value is not None and value != "":
        record[key] = value


def file_link(attachment: Attachment) -> str:
    """The absolute address of a file of the dossier (served to whoever may see it: the access
    policy checks each download)."""
    path = reverse("dossiers:attachment_download", args=[attachment.uuid])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _national_ids(dossier: Dossier) -> dict[int, str]:
    """The national portal's ids of the files it forwarded with the dossier (one query, only for
    a dossier it forwarded): they go back under the id it gave them."""
    if dossier.channel != Channel.NATIONAL_PORTAL:
        return {}
    return dict(NationalFile.objects.filter(dossier=dossier).values_list("attachment_id", "national_id"))


def _files(attachments: list[Attachment], national_ids: dict[int, str] | None = None) -> list[dict[str, Any]]:
    files = []
    for attachment in attachments:
        file_id = (national_ids or {}).get(attachment.pk) or str(attachment.uuid)
        item: dict[str, Any] = {"TepDinhKemId": file_id, "TenTepDinhKem": attachment.name, "IsDeleted": 0}
        if attachment.component_id is not None:
            item["MaThanhPhanHoSo"] = str(attachment.component_id)
        item["DuongDanTaiTepTin"] = file_link(attachment)
        item["DuocSoHoa"] = _flag(attachment.digitised)
        reused = attachment.reused_from_id is not None
        item["DuocTaiSuDung"] = _flag(reused)
        item["DuocLayTuKhoDMQG"] = _flag(attachment.from_national_store)
        if reused:
            # What replaced the paper: the citizen's stored document (documented assumption).
            item["MaKetQuaThayThe"] = f"KDL-{attachment.reused_from_id}"
        files.append(item)
    return files


def _fees_paid_online(dossier: Dossier) -> bool:
    """A fee paid online; a financial obligation (status 6: land levy, taxes) paid online is not a fee."""
    return any(p.status == PaymentStatus.PAID and p.obligation_id is None for p in dossier.payments.all())


def _national_applicant_id(dossier: Dossier) -> str:
    return str(
        NationalDossier.objects.filter(dossier=dossier).values_list("applicant_national_id", flat=True).first() or ""
    )


def _replacements(dossier: Dossier) -> list[ComponentReplacement]:
    """The components whose data were read from a database at filing (one query)."""
    return list(
        dossier.replacements.filter(state=ReplacementState.READ)
        .select_related("database", "component")
        .order_by("component_id")
    )


def _replaced_item(replacement: ComponentReplacement) -> dict[str, Any]:
    """A component the applicant was not asked for: no file, the database record in its place
    (MaKetQuaThayThe `<MaCSDL>:<record>`, TepDinhKemId `CSDL-<row>`; both assumed)."""
    return {
        "TepDinhKemId": f"CSDL-{replacement.pk}",
        "TenTepDinhKem": replacement.component.name[:255],
        "IsDeleted": 0,
        "MaThanhPhanHoSo": str(replacement.component_id),
        "DuocSoHoa": 0,
        "DuocTaiSuDung": 1,
        "DuocLayTuKhoDMQG": 0,
        "MaKetQuaThayThe": replacement.replacement_code[:64],
    }


def result_code(dossier: Dossier, attachment: Attachment) -> str:
    """MaGiayToKetQua of a result document: the dossier code and the file's number (stable)."""
    return f"{dossier.code}-KQ{attachment.pk}"


def _fee_kind(name: str) -> int:
    return FEE_KIND_CHARGE if name.strip().lower().startswith("lệ phí") else FEE_KIND_FEE


def dossier_record(dossier: Dossier) -> dict[str, Any]:
    """The national portal's dossier record (TaiLieuNop, fees, supplements, results included):
    the full state of the dossier now, so the newest record replaces every earlier one."""
    procedure = dossier.procedure
    # `.all()` and sorting here, so that a caller mapping many dossiers can prefetch (delivery does).
    attachments = sorted(dossier.attachments.all(), key=lambda a: (a.created_at, a.pk))
    filed = [a for a in attachments if a.role != AttachmentRole.RESULT]
    results = [a for a in attachments if a.role == AttachmentRole.RESULT]
    paid_online = _fees_paid_online(dossier)
    record: dict[str, Any] = {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": procedure.sector.code,
        "TenLinhVuc": procedure.sector.name,
        "KenhThucHien": CHANNEL_CODE[Channel(dossier.channel)],
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": dossier.applicant_type,
    }
    _put(record, "SoGiayToChuHoSo", dossier.applicant_id_number)
    if dossier.channel == Channel.NATIONAL_PORTAL:
        # The national portal's id of the applicant, as it forwarded it (online dossiers only).
        _put(record, "MaDoiTuong", _national_applicant_id(dossier))
    _put(record, "Email", dossier.applicant_email)
    _put(record, "SoDienThoai", dossier.applicant_phone)
    record["TrichYeuHoSo"] = (dossier.summary or procedure.name)[:1000]
    refused = dossier.status == Status.REFUSED
    # Stopped or withdrawn: the end of processing is the stop or the withdrawal (Decision 766, 2.1).
    ended = dossier.finished_at or (dossier.closed_at if dossier.status in ENDED_WITHOUT_RESULT else None)
    for key, value in (
        ("NgayNopHoSo", dossier.submitted_at),
        # Present in every record: the receipt once there is one, the submission before it.
        ("NgayTiepNhan", dossier.received_at or dossier.submitted_at),
        ("NgayHenTra", dossier.due_at),
        ("NgayKetThucXuLy", ended),
        ("NgayTra", dossier.returned_at),
        ("NgayTuChoi", dossier.closed_at if refused else None),
    ):
        _put(record, key, national_datetime(value))
    record["TrangThaiHoSo"] = int(dossier.status)
    # The competent agency, and where the dossier was handed in: any one-stop desk of the
    # province (Decree 118/2025); the competent agency's own when no other desk received it.
    record["DonViXuLy"] = dossier.agency.code
    record["NoiNopHoSo"] = dossier.receiving_unit.code
    record["HinhThuc"] = _flag(dossier.channel in ONLINE_CHANNELS)
    # 1 only when the dossier reuses digitised data (a stored document or the national store),
    # not for files scanned at the desk.
    replaced = _replacements(dossier)
    record["HoSoCoThanhPhanSoHoa"] = _flag(any(a.reused_from_id is not None for a in filed) or bool(replaced))
    record["TaiKhoanDuocXacThucVoiVNeID"] = _flag(
        dossier.applicant is not None and dossier.applicant.vneid_verified_at is not None
    )
    record["DuocThanhToanTrucTuyen"] = _flag(paid_online)
    record["TaiLieuNop"] = _files(filed, _national_ids(dossier)) + [_replaced_item(r) for r in replaced]
    record["DanhSachLePhi"] = [
        {
            "TenPhiLePhi": fee.name,
            "MaPhiLePhi": str(fee.pk),
            "HinhThucThu": FEE_PAID_ONLINE if paid_online else FEE_PAID_DIRECT,
            "Gia": fee.online_amount if paid_online else fee.amount,
            "LoaiPhiLePhi": _fee_kind(fee.name),
        }
        for fee in sorted(procedure.fees.all(), key=lambda f: (f.order, f.pk))
    ] + _obligation_lines(dossier)
    record["DanhSachHoSoBoSung"] = _supplements(dossier)
    record["DanhSachGiayToKetQua"] = [
        {
            "TenGiayTo": procedure.result_document or attachment.name,
            "GiayToId": str(attachment.uuid),
            "DuongDanTepTinKetQua": file_link(attachment),
            "MaGiayToKetQua": result_code(dossier, attachment),
        }
        for attachment in results
    ]
    record["DinhDanhCHS"] = (
        [{"LoaiDinhDanh": ID_CITIZEN, "SoDinhDanh": dossier.applicant_id_number}]
        if CITIZEN_ID.match(dossier.applicant_id_number)
        else []
    )
    databases = []
    if dossier.population_checked_at is not None:
        databases.append({"MaCSDL": DB_POPULATION})
    if any(a.from_national_store for a in filed):
        databases.append({"MaCSDL": DB_NATIONAL_STORE})
    for replacement in replaced:  # each database that replaced a component (Resolution 66.7/2025)
        if {"MaCSDL": replacement.database.code} not in databases:
            databases.append({"MaCSDL": replacement.database.code})
    record["DSKetNoiCSDL"] = databases
    return record


def _obligation_lines(dossier: Dossier) -> list[dict[str, Any]]:
    """Status 6: what the applicant is asked to pay (land levy, taxes) goes out as DanhSachLePhi
    lines, the amount in `Gia` (DOMAIN.md), so that the national portal can show the citizen what
    to pay. Only while the dossier is in 6 (one query then, none otherwise): once met, the record
    goes back to the procedure's own fees (a tax is not a fee of the service; indicator 3.5
    counts fees). MaPhiLePhi `NVTC-<id>`, LoaiPhiLePhi 1 and HinhThucThu 2 when it may be paid
    online are documented assumptions (docs/national-sync.md)."""
    if dossier.status != Status.PAYMENT_REQUESTED:
        return []
    return [
        {
            "TenPhiLePhi": obligation.description[:500],
            "MaPhiLePhi": f"{OBLIGATION_CODE}-{obligation.pk}",
            "HinhThucThu": FEE_PAID_ONLINE if obligation.online else FEE_PAID_DIRECT,
            "Gia": obligation.amount,
            "LoaiPhiLePhi": FEE_KIND_FEE,
        }
        for obligation in dossier.obligations.filter(settled_at__isnull=True).order_by("requested_at", "pk")
    ]


def _supplements(dossier: Dossier) -> list[dict[str, Any]]:
    pauses = sorted(dossier.pauses.all(), key=lambda p: (p.started_at, p.pk))
    if not pauses:
        return []
    # Who asked: the supplement request event written with the pause (same instant).
    requests = {
        event.at: event for event in dossier.events.filter(action=Action.REQUEST_SUPPLEMENT).select_related("actor")
    }
    supplied: dict[int, list[Attachment]] = {}
    for attachment in dossier.attachments.all():
        if attachment.role == AttachmentRole.SUPPLEMENT and attachment.event_id is not None:
            supplied.setdefault(attachment.event_id, []).append(attachment)
    items = []
    for pause in pauses:
        request = requests.get(pause.started_at)
        item: dict[str, Any] = {
            "NguoiYeuCauBoSung": _person(request.actor) if request else "Hệ thống",
            "NoiDungBoSung": pause.reason or "Bổ sung hồ sơ",
        }
        _put(item, "NgayBoSung", national_datetime(pause.started_at))
        _put(item, "NgayTiepNhanBoSung", national_datetime(pause.ended_at))
        # 0 waiting for the citizen, 1 supplied (documented assumption).
        item["TrangThaiBoSung"] = 1 if pause.ended_at is not None else 0
        item["DanhSachGiayToBoSung"] = [
            {"TepDinhKemId": str(a.uuid), "TenTepDinhKem": a.name, "IsDeleted": 0, "DuongDanTaiTepTin": file_link(a)}
            for a in (supplied.get(request.pk, []) if request is not None else [])
        ]
        _put(item, "NgayHenTraTruoc", national_datetime(pause.due_before))
        _put(item, "NgayHenTraMoi", national_datetime(pause.due_after))
        items.append(item)
    return items


def _person(user: Any) -> str:
    if user is None:
        return "Hệ thống"
    return str(user.full_name or user.username)


# What the receiving desk does for a dossier handed in there; the rest is the competent agency's.
DESK_EVENTS = frozenset({EventKind.SUBMIT, EventKind.RECEIVE, EventKind.HANDOVER, EventKind.RETURN_RESULT})


def _acting_unit(dossier: Dossier, event: DossierEvent) -> Any:
    return dossier.receiving_unit if event.action in DESK_EVENTS else dossier.agency


def progress_record(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """The national portal's progress record for one event of the dossier."""
    content = event.action_label
    if event.comment:
        content = f"{content}: {event.comment}"
    record: dict[str, Any] = {
        "MaHoSo": dossier.code,
        "NguoiXuLy": _person(event.actor)[:HANDLER_MAX],
        "ChucDanh": str(event.actor.get_role_display()) if event.actor is not None else "Hệ thống",
        "ThoiDiemXuLy": national_datetime(event.at),
        "PhongBanXuLy": _acting_unit(dossier, event).name,
        "NoiDungXuLy": content[:2000],
        "TrangThai": int(event.to_status),
        "NgayBatDau": national_datetime(event.at),
    }
    _put(record, "NgayKetThucTheoQuyDinh", national_datetime(dossier.due_at))
    return record


def emc_status(event: DossierEvent) -> int | None:
    """EMC's Status for an event, or None when EMC does not hear of this kind of event."""
    if event.action == EventKind.SUBMIT:
        # Taken in at the desk: received at once; filed online: waiting for reception.
        return EMC_RECEIVED if event.to_status == Status.RECEIVED else EMC_OTHER
    return EMC_STATUS_FOR_ACTION.get(event.action)


def emc_event(dossier: Dossier, event: DossierEvent) -> dict[str, Any] | None:
    """EMC's dossier event, or None for an event EMC does not hear of."""
    status = emc_status(event)
    if status is None:
        return None
    procedure = dossier.procedure
    channel = Channel(dossier.channel)
    if _fees_paid_online(dossier):
        payments = 1
    elif any(fee.amount > 0 for fee in procedure.fees.all()):
        payments = 2
    else:
        payments = 0
    # ID_local: the applicant's account here, when there is one (a walk-in or a dossier forwarded
    # by the national portal has none); ID_QG: the national id number.
    user: dict[str, Any] = {}
    _put(user, "ID_local", str(dossier.applicant_id or ""))
    _put(user, "ID_QG", dossier.applicant_id_number)
    user["TYPE"] = dossier.applicant_type
    user["LOCATION"] = str(settings.PORTAL_PROVINCE_CODE).zfill(2)
    return {
        "CodeProfile": dossier.code,
        "SiteId": settings.EMC_SITE_ID,
        "CodeTTHC": procedure.code,
        "NameTTHC": procedure.name,
        "MaHoSo": dossier.code,
        "Status": status,
        "FormsReception": 1 if channel in ONLINE_CHANNELS else 2,
        "FormsPayments": payments,
        "Level": EMC_LEVEL[OnlineLevel(procedure.online_level)],
        "IsFromDVCQG": _flag(channel == Channel.NATIONAL_PORTAL),
        "IsDVCBC": EMC_POST[channel],
        "User": user,
    }
