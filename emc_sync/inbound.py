"""Dossiers citizens filed on the national portal, taken into the province's reception queue.

Pull, not push: we read `GET /dvcqg/hoso-moi` from a cursor kept in our database, so an
outage on our side loses nothing (the feed waits) and a crash mid-page only re-reads the
page. Each remote dossier is created once, through `dossiers.services.dossier_submit` with
the idempotency key `dvcqg:<MaHoSo>`, channel "national portal", status 1 (new), waiting for
reception, under the national portal's own MaHoSo (no second, local code: every record and EMC
event about it goes out under that code, with IsFromDVCQG = 1). Names arrive as NFC. One we cannot take in (unknown procedure, procedure not open) is
recorded as an InboundFailure for the admins, and the cursor moves on.
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import DomainError
from dossiers.constants import Channel
from dossiers.models import Dossier, DossierEvent
from dossiers.services import dossier_submit
from procedures.models import Agency, Procedure

from . import client
from .models import InboundCursor, InboundFailure

logger = logging.getLogger(__name__)

FEED = "/dvcqg/hoso-moi"
CURSOR = "dvcqg_hoso_moi"
PAGE_SIZE = 50


class InboundRefused(DomainError):
    code = "inbound_refused"
    message = gettext_lazy("Không tiếp nhận được hồ sơ từ Cổng DVCQG.")


@dataclass
class InboundResult:
    pages: int = 0
    created: int = 0
    existing: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def inbound_key(remote_code: str) -> str:
    return f"dvcqg:{remote_code}"


def inbound_dossier_create(*, item: dict[str, Any]) -> Dossier:
    """Create (once) the dossier for one record of the feed; raises a DomainError if we cannot."""
    remote_code = str(item.get("MaHoSo") or "").strip()
    if not remote_code:
        raise InboundRefused(_("Bản ghi thiếu MaHoSo."))
    if len(remote_code) > 40:
        raise InboundRefused(_("Mã hồ sơ %(code)s dài hơn 40 ký tự."), code=remote_code[:60])
    procedure = Procedure.objects.filter(code=str(item.get("MaTTHC") or "")).first()
    if procedure is None:
        raise InboundRefused(_("Không có thủ tục mã %(code)s trong danh mục của tỉnh."), code=item.get("MaTTHC"))
    wanted = str(item.get("DonViXuLy") or "")
    agency = Agency.objects.filter(code=wanted).first() if wanted else None
    if agency is None:
        agency = procedure.implementing_agencies.order_by("code").first()
    if agency is None:
        raise InboundRefused(_("Thủ tục %(code)s chưa có cơ quan thực hiện."), code=procedure.code)
    return dossier_submit(
        procedure=procedure,
        agency=agency,
        channel=Channel.NATIONAL_PORTAL,
        applicant_name=unicodedata.normalize("NFC", str(item.get("ChuHoSo") or "")).strip() or "(không rõ)",
        applicant_id_number=str(item.get("SoGiayToChuHoSo") or "")[:20],
        applicant_phone=str(item.get("SoDienThoai") or "")[:20],
        applicant_email=str(item.get("Email") or "")[:254],
        summary=unicodedata.normalize("NFC", str(item.get("TrichYeuHoSo") or ""))[:1000],
        form_data={"dvcqg": item},
        idempotency_key=inbound_key(remote_code),
        national_code=remote_code,
    )


def _take(item: dict[str, Any], result: InboundResult) -> None:
    remote_code = str(item.get("MaHoSo") or "")
    if remote_code and DossierEvent.objects.filter(idempotency_key=inbound_key(remote_code)).exists():
        result.existing += 1
        return
    try:
        inbound_dossier_create(item=item)
    except DomainError as error:
        result.failed += 1
        result.errors.append(f"{remote_code}: {error}")
        failure, created = InboundFailure.objects.get_or_create(
            remote_code=remote_code or f"(thiếu mã) {timezone.now().isoformat()}",
            defaults={"payload": item, "error": str(error)},
        )
        if not created:
            failure.attempts += 1
            failure.error, failure.payload = str(error), item
            failure.save(update_fields=["attempts", "error", "payload"])
        return
    result.created += 1
    InboundFailure.objects.filter(remote_code=remote_code, resolved_at__isnull=True).update(resolved_at=timezone.now())


def inbound_poll(*, max_pages: int = 20) -> InboundResult:
    """Read the feed from our cursor, page by page, taking each dossier in; the cursor moves
    after each page (also past records we could not take in: they wait in InboundFailure).
    A feed that does not answer leaves the cursor where it was (next poll tries again)."""
    result = InboundResult()
    cursor, _ = InboundCursor.objects.get_or_create(name=CURSOR)
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
            if isinstance(item, dict):
                _take(item, result)
        result.pages += 1
        following = str(data.get("con_tiep") or "")
        if following and following != cursor.value:
            with transaction.atomic():
                cursor.value = following
                cursor.save(update_fields=["value", "updated_at"])
        if not items or not following or len(items) < PAGE_SIZE:
            break
    return result
