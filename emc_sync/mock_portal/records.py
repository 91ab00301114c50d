"""What the stand-in does with what it receives: idempotent, all-or-nothing per request.

Each record comes with its own Idempotency-Key. A record whose key was already accepted is not
applied again (it only counts one more offer). If any new record of a request is refused, the
request changes nothing at all.
"""

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .citizens import CITIZENS
from .models import FaultState, FeedEntry, InboundDossier, PortalDossier, PortalFile, ReceivedRecord, Target

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
Record = dict[str, Any]


@dataclass
class Outcome:
    status: int
    error_code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> dict[str, Any]:
        return {"error_code": self.error_code, "message": self.message, **self.extra}


OK = Outcome(200, "0", "Thành công.")
Check = Callable[[list[Record]], Outcome | None]
Apply = Callable[[Record, datetime], None]


def vietnam_stamp(moment: datetime) -> str:
    return timezone.localtime(moment, VIETNAM).strftime("%Y%m%d%H%M%S")


def _accept_once(
    *, target: str, operation: str, records: Sequence[Record], keys: Sequence[str], check: Check, apply: Apply
) -> Outcome:
    now = timezone.now()

    def seen() -> set[str]:
        rows = ReceivedRecord.objects.select_for_update().filter(target=target, key__in=keys)
        return set(rows.values_list("key", flat=True))

    known = seen()
    fresh = [(key, record) for key, record in zip(keys, records, strict=True) if key not in known]
    refusal = check([record for _key, record in fresh])
    if refusal is not None and fresh:
        # A racing request with the same key may have committed between our two reads (its
        # dossier row is visible to `check`, so its key row is too): then this is a replay.
        again = seen()
        if again != known:
            known = again
            fresh = [(key, record) for key, record in zip(keys, records, strict=True) if key not in known]
            refusal = check([record for _key, record in fresh])
    if refusal is not None:
        return refusal
    ReceivedRecord.objects.filter(target=target, key__in=known).update(
        times_offered=F("times_offered") + 1, last_offered_at=now
    )
    for key, record in fresh:
        apply(record, now)
        ReceivedRecord.objects.create(
            target=target,
            operation=operation,
            key=key,
            ma_ho_so=str(record.get("MaHoSo") or record.get("CodeProfile") or ""),
            payload=record,
            received_at=now,
            last_offered_at=now,
        )
    return OK


def records_accept(
    *, target: str, operation: str, records: Sequence[Record], keys: Sequence[str], check: Check, apply: Apply
) -> Outcome:
    """Apply the records not seen before, in order, in one transaction; count replays.

    Two requests racing with the same key: the loser's insert fails on the unique key, and its
    second attempt sees the winner's record as a replay."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _accept_once(
                    target=target, operation=operation, records=records, keys=keys, check=check, apply=apply
                )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _held(codes: list[str]) -> set[str]:
    return set(PortalDossier.objects.filter(ma_ho_so__in=codes).values_list("ma_ho_so", flat=True))


def dossiers_add(*, records: Sequence[Record], keys: Sequence[str]) -> Outcome:
    def check(fresh: list[Record]) -> Outcome | None:
        codes = [record["MaHoSo"] for record in fresh]
        existing = sorted(_held(codes))
        if existing:
            return Outcome(
                200,
                "2",
                f"Hồ sơ đã tồn tại trên Cổng DVCQG, đề nghị dùng chức năng cập nhật: {', '.join(existing)}.",
                {"ton_tai": existing},
            )
        return None

    def apply(record: Record, now: datetime) -> None:
        PortalDossier.objects.create(
            ma_ho_so=record["MaHoSo"], ngay_nop=record["NgayNopHoSo"], payload=record, created_at=now, updated_at=now
        )

    return records_accept(target=Target.DVCQG, operation="them", records=records, keys=keys, check=check, apply=apply)


def _unknown(fresh: list[Record]) -> Outcome | None:
    codes = [record["MaHoSo"] for record in fresh]
    missing = sorted(set(codes) - _held(codes))
    if missing:
        return Outcome(
            404, "3", f"Không tìm thấy hồ sơ trên Cổng DVCQG: {', '.join(missing)}.", {"khong_ton_tai": missing}
        )
    return None


def dossiers_update(*, records: Sequence[Record], keys: Sequence[str]) -> Outcome:
    def apply(record: Record, now: datetime) -> None:
        PortalDossier.objects.filter(ma_ho_so=record["MaHoSo"]).update(
            payload=record, ngay_nop=record["NgayNopHoSo"], updated_at=now
        )

    return records_accept(
        target=Target.DVCQG, operation="capnhat", records=records, keys=keys, check=_unknown, apply=apply
    )


def progress_add(*, records: Sequence[Record], keys: Sequence[str]) -> Outcome:
    return records_accept(
        target=Target.TIENDO, operation="tiendo", records=records, keys=keys, check=_unknown, apply=lambda *_: None
    )


def emc_event_add(*, record: Record, key: str) -> Outcome:
    return records_accept(
        target=Target.EMC, operation="sukien", records=[record], keys=[key], check=lambda _: None, apply=lambda *_: None
    )


def page_view_add(*, payload: Record) -> ReceivedRecord:
    now = timezone.now()
    return ReceivedRecord.objects.create(target=Target.PAGEVIEW, payload=payload, received_at=now, last_offered_at=now)


def received_list(*, target: str = "", ma_ho_so: str = "") -> list[ReceivedRecord]:
    records = ReceivedRecord.objects.order_by("id")
    if target:
        records = records.filter(target=target)
    if ma_ho_so:
        records = records.filter(ma_ho_so=ma_ho_so)
    return list(records)


def portal_dossier_list(*, from_day: str, to_day: str) -> list[PortalDossier]:
    """Dossiers submitted between two days (yyyyMMdd, both included), latest record of each."""
    return list(
        PortalDossier.objects.filter(ngay_nop__gte=from_day + "000000", ngay_nop__lte=to_day + "235959").order_by(
            "ngay_nop", "ma_ho_so"
        )
    )


DEFAULT_PROVINCE = "37"
CODE_SHAPE = "G22.37-261123-000001"


def inbound_defaults(*, record: Record, now: datetime) -> Record:
    """A dossier as a citizen would have filed it on the national portal: the gaps filled."""
    holder = CITIZENS.get(str(record.get("SoGiayToChuHoSo", "037090001234")))
    number = holder["SoDinhDanh"] if holder else str(record["SoGiayToChuHoSo"])
    defaults: Record = {
        "KenhThucHien": 2,
        "NgayNopHoSo": vietnam_stamp(now),
        "LoaiDoiTuong": 1,
        "SoGiayToChuHoSo": number,
        "TrichYeuHoSo": f"Hồ sơ nộp trên Cổng DVCQG, thủ tục {record.get('MaTTHC', '')}",
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": number}] if number.isdigit() and len(number) == 12 else [],
        "TaiLieuNop": [],
    }
    if holder:
        defaults |= {"ChuHoSo": holder["HoVaTen"], "Email": holder["Email"], "SoDienThoai": holder["SoDienThoai"]}
    return {**defaults, **record}


# The kinds of the inbound feed's messages (docs/national-sync.md, "Inbound").
FEED_DOSSIER, FEED_WITHDRAWAL, FEED_SUPPLEMENT = "HoSo", "RutHoSo", "BoSungHoSo"
# A one-page PDF, written by hand: what a citizen's scan is when a test gives no content.
BLANK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class FileContentInvalid(ValueError):
    pass


def _file_content(upload: Record) -> bytes:
    text = upload.get("NoiDung")
    if text is None:
        return BLANK_PDF
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError) as error:
        raise FileContentInvalid(f"NoiDung của tệp {upload.get('TenTepDinhKem')} không phải base64.") from error


def files_keep(*, ma_ho_so: str, uploads: Sequence[Record], base_url: str, now: datetime) -> list[Record]:
    """Keep the files of a filing or a supplement; their TaiLieuNop items (with the link the
    province downloads from). `uploads`: {TenTepDinhKem, MaThanhPhanHoSo?, NoiDung? (base64)}."""
    items = []
    for upload in uploads:
        file_id = uuid.uuid4().hex
        name = str(upload.get("TenTepDinhKem") or "tep.pdf")
        PortalFile.objects.create(
            file_id=file_id, ma_ho_so=ma_ho_so, name=name, content_type=str(upload.get("LoaiTep") or "application/pdf"),
            content=_file_content(upload), created_at=now,
        )  # fmt: skip
        item: Record = {"TepDinhKemId": file_id, "TenTepDinhKem": name, "IsDeleted": 0}
        if upload.get("MaThanhPhanHoSo"):
            item["MaThanhPhanHoSo"] = str(upload["MaThanhPhanHoSo"])
        item |= {"DuongDanTaiTepTin": f"{base_url}dvcqg/tep/{file_id}", "DuocSoHoa": 0, "DuocTaiSuDung": 0}
        item["DuocLayTuKhoDMQG"] = 0
        items.append(item)
    return items


def file_get(file_id: str) -> PortalFile | None:
    return PortalFile.objects.filter(file_id=file_id).first()


def _feed(*, ma_tinh: str, kind: str, ma_ho_so: str, payload: Record, now: datetime) -> FeedEntry:
    return FeedEntry.objects.create(ma_tinh=ma_tinh, kind=kind, ma_ho_so=ma_ho_so, payload=payload, created_at=now)


@transaction.atomic
def inbound_file(*, ma_tinh: str, record: Record, uploads: Sequence[Record] = (), base_url: str = "") -> InboundDossier:
    """File a (defaults-completed, validated) record for province `ma_tinh` and put it on the
    province's feed. Its MaHoSo is the national portal's own code,
    `G22.<province>-<yyMMdd>-<filing number>` unless given. `uploads` become its files."""
    now = timezone.now()
    dossier = InboundDossier.objects.create(
        ma_tinh=ma_tinh,
        ma_ho_so_quoc_gia=record.get("MaHoSo") or f"tam-{uuid.uuid4().hex}",
        payload=record,
        created_at=now,
    )
    if "MaHoSo" not in record:
        code = f"G22.{ma_tinh}-{timezone.localtime(now, VIETNAM):%y%m%d}-{dossier.pk:06d}"
        dossier.ma_ho_so_quoc_gia = code
        dossier.payload = {"MaHoSo": code, **record}
    if uploads:
        kept = files_keep(ma_ho_so=dossier.ma_ho_so_quoc_gia, uploads=uploads, base_url=base_url, now=now)
        dossier.payload = {**dossier.payload, "TaiLieuNop": [*dossier.payload.get("TaiLieuNop", []), *kept]}
    dossier.save(update_fields=["ma_ho_so_quoc_gia", "payload"])
    _feed(ma_tinh=ma_tinh, kind=FEED_DOSSIER, ma_ho_so=dossier.ma_ho_so_quoc_gia, payload=dossier.payload, now=now)
    return dossier


@transaction.atomic
def inbound_forward_again(*, dossier: InboundDossier, changes: Record) -> InboundDossier:
    """Forward the dossier again, as the national portal does after a change (or a resend):
    the whole record, `changes` applied."""
    now = timezone.now()
    dossier.payload = {**dossier.payload, **changes, "MaHoSo": dossier.ma_ho_so_quoc_gia}
    dossier.save(update_fields=["payload"])
    _feed(
        ma_tinh=dossier.ma_tinh, kind=FEED_DOSSIER, ma_ho_so=dossier.ma_ho_so_quoc_gia, payload=dossier.payload, now=now
    )
    return dossier


@transaction.atomic
def inbound_withdraw(*, dossier: InboundDossier, reason: str) -> FeedEntry:
    """The citizen withdraws the dossier on the national portal: a message on the feed."""
    now = timezone.now()
    message = {"LoaiThongDiep": FEED_WITHDRAWAL, "MaHoSo": dossier.ma_ho_so_quoc_gia, "ThoiDiem": vietnam_stamp(now)}
    if reason:
        message["LyDo"] = reason
    return _feed(
        ma_tinh=dossier.ma_tinh, kind=FEED_WITHDRAWAL, ma_ho_so=dossier.ma_ho_so_quoc_gia, payload=message, now=now
    )


@transaction.atomic
def inbound_supplement(*, dossier: InboundDossier, content: str, uploads: Sequence[Record], base_url: str) -> FeedEntry:
    """The citizen supplies what the province asked for, on the national portal, with files."""
    now = timezone.now()
    files = files_keep(ma_ho_so=dossier.ma_ho_so_quoc_gia, uploads=uploads, base_url=base_url, now=now)
    message: Record = {
        "LoaiThongDiep": FEED_SUPPLEMENT,
        "MaHoSo": dossier.ma_ho_so_quoc_gia,
        "ThoiDiem": vietnam_stamp(now),
        "NoiDungBoSung": content or "Bổ sung hồ sơ trên Cổng DVCQG",
        "DanhSachGiayToBoSung": files,
    }
    return _feed(
        ma_tinh=dossier.ma_tinh, kind=FEED_SUPPLEMENT, ma_ho_so=dossier.ma_ho_so_quoc_gia, payload=message, now=now
    )


def inbound_get(ma_ho_so: str) -> InboundDossier | None:
    return InboundDossier.objects.filter(ma_ho_so_quoc_gia=ma_ho_so).first()


def inbound_feed(*, ma_tinh: str, after: int, limit: int) -> list[FeedEntry]:
    return list(FeedEntry.objects.filter(ma_tinh=ma_tinh, id__gt=after).order_by("id")[:limit])


@transaction.atomic
def stand_in_reset() -> None:
    """Forget everything received and filed, and the fault settings (the environment's apply again)."""
    ReceivedRecord.objects.all().delete()
    PortalDossier.objects.all().delete()
    InboundDossier.objects.all().delete()
    FeedEntry.objects.all().delete()
    PortalFile.objects.all().delete()
    FaultState.objects.all().delete()


@dataclass(frozen=True)
class DossierPage:
    """What the national portal shows a citizen of one dossier: as filed (or as the province
    reported it), and every status the province reported, in the order they arrived."""

    ma_ho_so: str
    record: Record
    filed_here: bool
    progress: list[Record]
    statuses: list[int]


def dossier_page(ma_ho_so: str) -> DossierPage | None:
    """None when the national portal knows nothing under this code."""
    held = PortalDossier.objects.filter(ma_ho_so=ma_ho_so).first()
    inbound = InboundDossier.objects.filter(ma_ho_so_quoc_gia=ma_ho_so).first()
    if held is None and inbound is None:
        return None
    received = ReceivedRecord.objects.filter(ma_ho_so=ma_ho_so, target__in=(Target.DVCQG, Target.TIENDO))
    progress = [record.payload for record in received.order_by("id") if record.target == Target.TIENDO]
    statuses = [record.payload["TrangThaiHoSo"] for record in received.order_by("id") if record.target == Target.DVCQG]
    record = held.payload if held is not None else inbound.payload  # type: ignore[union-attr]
    return DossierPage(ma_ho_so, record, inbound is not None, progress, statuses)
