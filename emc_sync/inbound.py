"""Dossiers citizens filed on the national portal, and what they did to them there.

Pull, not push: we read `GET /dvcqg/hoso-moi` from a cursor kept in our database, so an
outage on our side or theirs loses nothing (the feed waits; a feed that does not answer leaves
the cursor where it was) and a crash mid-page only re-reads the page, which changes nothing
(every message is applied at most once). The feed carries three kinds of message
(docs/national-sync.md, "Inbound"):

- a dossier record (`HoSo`, the whole record each time): the first one creates the dossier
  through `dossiers.services.dossier_submit` under the national portal's own MaHoSo (no second,
  local code), status 1, at the competent agency `DonViXuLy`, in the reception queue of the
  desk `NoiNopHoSo` (any one-stop desk of the province, Decree 118/2025), with its files
  fetched from the portal and its fees paid there recorded as paid payments; the same record again is a no-op; a changed
  one updates the dossier through `dossier_update_forwarded`, never a second dossier;
- a withdrawal (`RutHoSo`) and a supplement supplied there (`BoSungHoSo`, with files): applied
  through the lifecycle service (`dossier_act_forwarded`), typed events and all.

A message we cannot apply (unknown procedure or agency, a file that does not download, a
malformed date, a message failing our own schema) goes to quarantine (`InboundFailure`) with
the reason, and the cursor moves on; nothing of it is created (each message is one
transaction; files are fetched and judged before it opens). Later messages of the same
dossier wait behind it. An admin retries when the cause is fixed (`inbound_retry`); a passing
fault (the file host did not answer) is retried by the next poll.
"""

import datetime as dt
import hashlib
import json
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import national_portal_account
from common.audit import CHANGE, audit_log
from common.errors import DomainError
from dossiers.attachments.services import attachment_add_forwarded, file_limit_mb
from dossiers.constants import AttachmentRole, Channel
from dossiers.events import use_case
from dossiers.models import Dossier, DossierEvent
from dossiers.payments.services import payment_record_paid_elsewhere
from dossiers.services import dossier_act_forwarded, dossier_submit, dossier_update_forwarded
from procedures.models import Agency, DossierComponent, Procedure
from workflows.constants import Action

from . import client
from .exceptions import NothingToRetry, SyncNotAllowed
from .models import InboundCursor, InboundFailure, InboundKind, NationalDossier, NationalFile
from .schemas import schema_errors

logger = logging.getLogger(__name__)

FEED = "/dvcqg/hoso-moi"
CURSOR = "dvcqg_hoso_moi"
PAGE_SIZE = 50
SCHEMA = "dvcqg_hoso_moi"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Passing faults retried by each poll, oldest first (the rest wait for the next poll).
TRANSIENT_RETRIES_PER_POLL = 20
# DuocThanhToanTrucTuyen: 1 paid through DVCQG's payment platform, 2 through a local gateway.
PAID_ONLINE = (1, 2)


class InboundRefused(DomainError):
    code = "inbound_refused"
    message = gettext_lazy("Không tiếp nhận được hồ sơ từ Cổng DVCQG.")
    transient = False


class FileUnavailable(InboundRefused):
    """The file host did not answer (or answered 5xx): worth trying again by itself."""

    transient = True


@dataclass
class InboundResult:
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: int = 0  # withdrawals and supplements
    quarantined: int = 0
    released: int = 0  # quarantined messages applied at last
    errors: list[str] = field(default_factory=list)


def inbound_key(remote_code: str) -> str:
    return f"dvcqg:{remote_code}"


def _message_key(remote_code: str, kind: str, moment: str) -> str:
    """The idempotency key of a withdrawal or supplement (at most 64 characters)."""
    digest = hashlib.sha256(f"{remote_code}|{kind}|{moment}".encode()).hexdigest()[:40]
    return f"dvcqg:{kind}:{digest}"[:64]


def kind_of(item: dict[str, Any]) -> str:
    return str(item.get("LoaiThongDiep") or InboundKind.DOSSIER)


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _moment(item: dict[str, Any], name: str) -> dt.datetime:
    value = str(item.get(name) or "")
    try:
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError:
        raise InboundRefused(
            _("%(field)s: “%(value)s” không phải một thời điểm có thật (yyyyMMddHHmmss)."), field=name, value=value
        ) from None


def _check(item: Any) -> dict[str, Any]:
    """Our own check of a message (schema, then the dates); raises InboundRefused."""
    if not isinstance(item, dict):
        raise InboundRefused(_("Bản tin không phải một đối tượng JSON."))
    errors = schema_errors(SCHEMA, item)
    if errors:
        raise InboundRefused(_("Bản tin không đúng định dạng: %(errors)s"), errors="; ".join(errors))
    _moment(item, "NgayNopHoSo" if kind_of(item) == InboundKind.DOSSIER else "ThoiDiem")
    return item


# Files.


@dataclass(frozen=True)
class FetchedFile:
    national_id: str
    url: str
    name: str
    component: DossierComponent | None
    content: bytes


def _same_origin(url: str) -> bool:
    """Files are fetched from the national portal only (a link elsewhere is not followed)."""
    wanted, given = urlsplit(settings.NATIONAL_PORTAL_URL), urlsplit(url)
    return (given.scheme, given.netloc) == (wanted.scheme, wanted.netloc)


def _fetch_files(
    items: list[dict[str, Any]],
    *,
    procedure: Procedure,
    known: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[FetchedFile]:
    """Download each file not deleted and not already held (`known` national ids), before any
    write; raises InboundRefused (FileUnavailable for a passing fault) naming the file."""
    components = {str(component.pk): component for component in procedure.components.all()}
    fetched = []
    for item in items:
        national_id, name, url = str(item["TepDinhKemId"]), _nfc(item["TenTepDinhKem"]), str(item["DuongDanTaiTepTin"])
        if item.get("IsDeleted") == 1 or national_id in known:
            continue
        if not _same_origin(url):
            raise InboundRefused(_("Tệp “%(name)s”: đường dẫn %(url)s không thuộc Cổng DVCQG."), name=name, url=url)
        # MaThanhPhanHoSo is our component's number, as our own records send it (assumed).
        component = components.get(str(item.get("MaThanhPhanHoSo") or ""))
        answer = client.download(url, max_bytes=file_limit_mb(component) * 1024 * 1024)
        if answer.status_code is None or answer.status_code >= 500:
            raise FileUnavailable(
                _("Tệp “%(name)s” không tải được từ Cổng DVCQG (%(why)s)."),
                name=name, why=answer.error or f"HTTP {answer.status_code}",
            )  # fmt: skip
        if answer.status_code != 200:
            raise InboundRefused(
                _("Tệp “%(name)s” không tải được từ Cổng DVCQG (HTTP %(status)s)."),
                name=name,
                status=answer.status_code,
            )
        fetched.append(FetchedFile(national_id, url, name, component, answer.content))
    return fetched


def _keep_files(dossier: Dossier, files: list[FetchedFile], *, role: str) -> None:
    account = national_portal_account()
    for file in files:
        attachment = attachment_add_forwarded(
            dossier=dossier, component=file.component, upload=ContentFile(file.content, name=file.name),
            uploaded_by=account, role=role,
        )  # fmt: skip
        NationalFile.objects.get_or_create(
            dossier=dossier, national_id=file.national_id, defaults={"attachment": attachment, "source_url": file.url}
        )


def _keep_fees(dossier: Dossier, item: dict[str, Any], *, paid_at: dt.datetime) -> None:
    """Fees already paid on the national platform become a paid payment of the dossier."""
    lines = [line for line in item.get("DanhSachLePhi") or [] if int(line.get("Gia") or 0) > 0]
    if item.get("DuocThanhToanTrucTuyen") not in PAID_ONLINE or not lines:
        return
    items: list[dict[str, Any]] = [
        {"name": _nfc(line["TenPhiLePhi"]), "amount": int(line["Gia"]), "due": int(line["Gia"])} for line in lines
    ]
    digest = hashlib.sha256(json.dumps([dossier.code, items], sort_keys=True).encode()).hexdigest()[:30]
    payment_record_paid_elsewhere(
        dossier=dossier, ref=f"QG-{digest}", amount=sum(int(line["Gia"]) for line in lines), items=items,
        payer=national_portal_account(), paid_at=paid_at,
    )  # fmt: skip


# Dossier records.


def _record_digest(item: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _agency(item: dict[str, Any], procedure: Procedure) -> Agency:
    wanted = _nfc(item.get("DonViXuLy"))
    if not wanted:
        agency = procedure.implementing_agencies.order_by("code").first()
        if agency is None:
            raise InboundRefused(_("Thủ tục %(code)s chưa có cơ quan thực hiện."), code=procedure.code)
        return agency
    agency = Agency.objects.filter(Q(code=wanted) | Q(name=wanted)).order_by("code").first()
    if agency is None:
        raise InboundRefused(_("Không có cơ quan “%(agency)s” (DonViXuLy) trong danh mục của tỉnh."), agency=wanted)
    return agency


def _receiving_desk(item: dict[str, Any], agency: Agency) -> Agency:
    """NoiNopHoSo: the one-stop desk where the citizen hands in paper or collects the result
    (Decree 118/2025: any desk of the province, not only the competent agency's). By code or
    name; absent, the competent agency's own desk. A desk we do not know, or one closed, is a
    reason for quarantine, not a silent fallback (the citizen was told to go there)."""
    wanted = _nfc(item.get("NoiNopHoSo"))
    if not wanted or wanted in (agency.code, agency.name):
        return agency
    desk = Agency.objects.filter(Q(code=wanted) | Q(name=wanted), is_active=True).order_by("code").first()
    if desk is None:
        raise InboundRefused(_("Không có nơi tiếp nhận “%(desk)s” (NoiNopHoSo) trong danh mục của tỉnh."), desk=wanted)
    return desk


def _facts(item: dict[str, Any]) -> dict[str, Any]:
    """The dossier's facts a forwarded record gives (dossiers.services.FORWARDED_FACTS)."""
    return {
        "applicant_name": _nfc(item.get("ChuHoSo")) or "(không rõ)",
        "applicant_id_number": str(item.get("SoGiayToChuHoSo") or "")[:20],
        "applicant_phone": str(item.get("SoDienThoai") or "")[:20],
        "applicant_email": str(item.get("Email") or "")[:254],
        "summary": _nfc(item.get("TrichYeuHoSo"))[:1000],
        "form_data": {"dvcqg": item},
    }


@use_case
def _dossier_create(
    *,
    item: dict[str, Any],
    procedure: Procedure,
    agency: Agency,
    desk: Agency,
    files: list[FetchedFile],
    digest: str,
) -> Dossier:
    remote_code = str(item["MaHoSo"])
    facts = _facts(item)
    dossier = dossier_submit(
        procedure=procedure, agency=agency, channel=Channel.NATIONAL_PORTAL, idempotency_key=inbound_key(remote_code),
        national_code=remote_code, receiving_agency=desk, submitted_at=_moment(item, "NgayNopHoSo"), **facts,
    )  # fmt: skip
    NationalDossier.objects.create(
        dossier=dossier, national_code=remote_code, applicant_national_id=str(item.get("MaDoiTuong") or ""),
        channel_code=int(item.get("KenhThucHien") or 2), record=item, record_sha256=digest,
    )  # fmt: skip
    _keep_files(dossier, files, role=AttachmentRole.FILED)
    _keep_fees(dossier, item, paid_at=_moment(item, "NgayNopHoSo"))
    return dossier


@use_case
def _dossier_update(*, national: NationalDossier, item: dict[str, Any], files: list[FetchedFile], digest: str) -> None:
    dossier = dossier_update_forwarded(dossier_id=national.dossier_id, changes=_facts(item))
    _keep_files(dossier, files, role=AttachmentRole.FILED)
    _keep_fees(dossier, item, paid_at=timezone.now())
    NationalDossier.objects.filter(pk=national.pk).update(
        record=item, record_sha256=digest, applicant_national_id=str(item.get("MaDoiTuong") or ""),
        deliveries=F("deliveries") + 1, updates=F("updates") + 1, last_delivered_at=timezone.now(),
    )  # fmt: skip


def _apply_dossier(item: dict[str, Any], result: InboundResult) -> None:
    remote_code = str(item["MaHoSo"])
    digest = _record_digest(item)
    national = NationalDossier.objects.select_related("dossier__procedure").filter(national_code=remote_code).first()
    if national is not None and national.record_sha256 == digest:
        NationalDossier.objects.filter(pk=national.pk).update(
            deliveries=F("deliveries") + 1, last_delivered_at=timezone.now()
        )
        result.unchanged += 1
        return
    procedure = Procedure.objects.filter(code=str(item["MaTTHC"])).first()
    if procedure is None:
        raise InboundRefused(_("Không có thủ tục mã %(code)s trong danh mục của tỉnh."), code=item["MaTTHC"])
    if national is None:
        agency = _agency(item, procedure)
        desk = _receiving_desk(item, agency)
        files = _fetch_files(item.get("TaiLieuNop") or [], procedure=procedure)
        _dossier_create(item=item, procedure=procedure, agency=agency, desk=desk, files=files, digest=digest)
        result.created += 1
        return
    if national.dossier.procedure_id != procedure.pk:
        raise InboundRefused(
            _("Hồ sơ %(code)s đã nhận với thủ tục %(before)s, bản ghi mới ghi thủ tục %(after)s."),
            code=remote_code, before=national.dossier.procedure.code, after=procedure.code,
        )  # fmt: skip
    known = set(NationalFile.objects.filter(dossier_id=national.dossier_id).values_list("national_id", flat=True))
    files = _fetch_files(item.get("TaiLieuNop") or [], procedure=procedure, known=known)
    _dossier_update(national=national, item=item, files=files, digest=digest)
    result.updated += 1


# What the citizen did on the national portal.


def _forwarded_dossier(remote_code: str) -> Dossier:
    dossier = Dossier.objects.select_related("procedure").filter(code=remote_code, channel=Channel.NATIONAL_PORTAL)
    found = dossier.first()
    if found is None:
        raise InboundRefused(_("Chưa có hồ sơ %(code)s từ Cổng DVCQG."), code=remote_code)
    return found


def _apply_withdrawal(item: dict[str, Any], result: InboundResult) -> None:
    remote_code = str(item["MaHoSo"])
    dossier = _forwarded_dossier(remote_code)
    reason = _nfc(item.get("LyDo")) or _("Công dân rút hồ sơ trên Cổng DVCQG.")
    dossier_act_forwarded(
        dossier_id=dossier.pk, action=Action.WITHDRAW, comment=reason,
        idempotency_key=_message_key(remote_code, InboundKind.WITHDRAWAL, str(item["ThoiDiem"])),
    )  # fmt: skip
    result.applied += 1


@use_case
def _supplement_apply(*, dossier: Dossier, files: list[FetchedFile], comment: str, key: str) -> None:
    _keep_files(dossier, files, role=AttachmentRole.SUPPLEMENT)
    dossier_act_forwarded(dossier_id=dossier.pk, action=Action.PROVIDE_SUPPLEMENT, comment=comment, idempotency_key=key)


def _apply_supplement(item: dict[str, Any], result: InboundResult) -> None:
    remote_code = str(item["MaHoSo"])
    dossier = _forwarded_dossier(remote_code)
    key = _message_key(remote_code, InboundKind.SUPPLEMENT, str(item["ThoiDiem"]))
    if DossierEvent.objects.filter(idempotency_key=key).exists():
        result.applied += 1  # read again (a lost cursor): already applied
        return
    known = set(NationalFile.objects.filter(dossier_id=dossier.pk).values_list("national_id", flat=True))
    files = _fetch_files(item.get("DanhSachGiayToBoSung") or [], procedure=dossier.procedure, known=known)
    comment = _nfc(item.get("NoiDungBoSung")) or _("Công dân bổ sung hồ sơ trên Cổng DVCQG.")
    _supplement_apply(dossier=dossier, files=files, comment=comment, key=key)
    result.applied += 1


APPLY = {
    InboundKind.DOSSIER: _apply_dossier,
    InboundKind.WITHDRAWAL: _apply_withdrawal,
    InboundKind.SUPPLEMENT: _apply_supplement,
}


def _apply(item: Any, result: InboundResult) -> None:
    """Apply one message, all or nothing; raises a DomainError saying why it cannot be."""
    checked = _check(item)
    APPLY[InboundKind(kind_of(checked))](checked, result)


# Quarantine.


def _waiting(remote_code: str) -> bool:
    return InboundFailure.objects.filter(remote_code=remote_code, resolved_at__isnull=True).exists()


@transaction.atomic
def _quarantine(*, remote_code: str, item: Any, error: DomainError, attempt: bool = True) -> None:
    """Keep the message with the reason. A dossier record replaces the one waiting (the newest
    record is the whole dossier); a message read again counts one more attempt (`attempt`: the
    caller tries it again at once and counts that one)."""
    kind = kind_of(item) if isinstance(item, dict) and kind_of(item) in InboundKind.values else InboundKind.DOSSIER
    transient = bool(getattr(error, "transient", False))
    now = timezone.now()
    waiting = InboundFailure.objects.select_for_update().filter(remote_code=remote_code, resolved_at__isnull=True)
    same = waiting.filter(kind=kind) if kind == InboundKind.DOSSIER else waiting.filter(kind=kind, payload=item)
    earlier = same.order_by("id").first()
    if earlier is None:
        InboundFailure.objects.create(
            remote_code=remote_code, kind=kind, payload=item, error=str(error), transient=transient,
            created_at=now, last_attempt_at=now,
        )  # fmt: skip
        return
    if not attempt:
        earlier.payload = item
        earlier.save(update_fields=["payload"])
        return
    earlier.payload, earlier.error, earlier.transient, earlier.last_attempt_at = item, str(error), transient, now
    earlier.attempts += 1
    earlier.save(update_fields=["payload", "error", "transient", "last_attempt_at", "attempts"])


def _release(remote_code: str, result: InboundResult) -> bool:
    """Apply the dossier's quarantined messages in arrival order, stopping at the first that
    still fails (its reason and attempts updated). True when none is left waiting."""
    for failure in InboundFailure.objects.filter(remote_code=remote_code, resolved_at__isnull=True).order_by("id"):
        try:
            _apply(failure.payload, result)
        except DomainError as error:
            InboundFailure.objects.filter(pk=failure.pk).update(
                error=str(error), transient=bool(getattr(error, "transient", False)),
                attempts=F("attempts") + 1, last_attempt_at=timezone.now(),
            )  # fmt: skip
            return False
        InboundFailure.objects.filter(pk=failure.pk).update(resolved_at=timezone.now())
        result.released += 1
    return True


def inbound_take(*, item: Any, result: InboundResult | None = None) -> InboundResult:
    """Apply one message of the feed, or quarantine it with the reason (never raises a
    DomainError; anything else is a bug and propagates: the cursor then stays before it)."""
    result = result if result is not None else InboundResult()
    remote_code = str(item.get("MaHoSo") or "").strip() if isinstance(item, dict) else ""
    if not remote_code:
        result.quarantined += 1
        _quarantine(
            remote_code=f"(thiếu mã) {timezone.now().isoformat()}", item=item,
            error=InboundRefused(_("Bản tin thiếu MaHoSo.")),
        )  # fmt: skip
        return result
    if _waiting(remote_code):
        # Behind an earlier message of the same dossier: in order, or not at all.
        waiting = InboundRefused(_("Chờ bản tin trước của hồ sơ này."))
        _quarantine(remote_code=remote_code, item=item, error=waiting, attempt=False)
        if not _release(remote_code, result):
            result.quarantined += 1
        return result
    try:
        _apply(item, result)
    except DomainError as error:
        result.quarantined += 1
        result.errors.append(f"{remote_code}: {error}")
        logger.warning("inbound message of %s quarantined: %s", remote_code, error)
        _quarantine(remote_code=remote_code, item=item, error=error)
    return result


def inbound_retry(*, actor: User, failure_ids: list[int]) -> InboundResult:
    """An admin's retry of quarantined messages (after fixing the cause: the catalogue, the
    agency, the national side's file): each dossier's waiting messages in arrival order, each
    retry written to the audit trail. For province admins and superusers (SyncNotAllowed);
    NothingToRetry when none of the ids is waiting. A message already applied is not applied
    again; one that still fails stays, with its new reason."""
    if not (actor.is_province_admin or actor.is_superuser):
        raise SyncNotAllowed()
    failures = list(InboundFailure.objects.filter(pk__in=failure_ids, resolved_at__isnull=True))
    if not failures:
        raise NothingToRetry()
    for failure in failures:
        audit_log(
            actor=actor, obj=failure, action_flag=CHANGE,
            message=f"Thử lại bản tin {failure.kind} của {failure.remote_code} (lý do trước: {failure.error[:200]})",
        )  # fmt: skip
    result = InboundResult()
    codes = InboundFailure.objects.filter(pk__in=failure_ids, resolved_at__isnull=True).values_list(
        "remote_code", flat=True
    )
    for remote_code in sorted(set(codes)):
        _release(remote_code, result)
    return result


def _retry_transient(result: InboundResult) -> None:
    waiting = InboundFailure.objects.filter(resolved_at__isnull=True, transient=True).order_by("last_attempt_at")
    for remote_code in list(dict.fromkeys(waiting.values_list("remote_code", flat=True)[:TRANSIENT_RETRIES_PER_POLL])):
        _release(remote_code, result)


def inbound_poll(*, max_pages: int = 20) -> InboundResult:
    """Retry quarantined passing faults, then read the feed from our cursor, page by page,
    applying each message; the cursor moves after each page (also past messages quarantined).
    A feed that does not answer leaves the cursor where it was (the next poll tries again)."""
    result = InboundResult()
    _retry_transient(result)
    cursor, _created = InboundCursor.objects.get_or_create(name=CURSOR)
    for _page in range(max_pages):
        answer = client.get(
            client.national_url(FEED),
            {"ma_tinh": str(settings.PORTAL_PROVINCE_CODE), "sau": cursor.value, "so_luong": str(PAGE_SIZE)},
        )
        data = answer.data
        if answer.status_code != 200 or not isinstance(data, dict) or str(data.get("error_code")) != "0":
            result.errors.append(f"feed: HTTP {answer.status_code} {answer.error or answer.body[:200]}")
            logger.warning("inbound feed did not answer: %s", result.errors[-1])
            break
        items = data.get("items") or []
        for item in items:
            inbound_take(item=item, result=result)
        result.pages += 1
        following = str(data.get("con_tiep") or "")
        if following and following != cursor.value:
            with transaction.atomic():
                cursor.value = following
                cursor.save(update_fields=["value", "updated_at"])
        if not items or not following or len(items) < PAGE_SIZE:
            break
    return result
