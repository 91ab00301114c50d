"""Compare the dossiers we hold with those the national portal holds, over a date range.

Missing: ours, submitted in the range, that the portal does not hold. Extra: the portal's,
that we do not hold. Differing: both hold it, but TrangThaiHoSo or a date differs from the
record our mapper builds from the dossier now (a change still on its way shows up here too:
look at the outbox before requeueing).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from common.iteration import keyset_iterator
from dossiers.models import Dossier

from . import client, mapping
from .services import outbox_requeue_dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMPARED = ("TrangThaiHoSo", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi")
HOLDINGS = "/dvcqg/hoso"
RECONCILE_CHUNK = 500


class PortalUnavailable(Exception):
    pass


@dataclass
class Report:
    ours: int = 0
    theirs: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    differing: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    requeued: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.differing)


def portal_holdings(*, date_from: dt.date, date_to: dt.date) -> dict[str, dict[str, Any]]:
    answer = client.get(
        client.national_url(HOLDINGS), {"tu_ngay": f"{date_from:%Y%m%d}", "den_ngay": f"{date_to:%Y%m%d}"}
    )
    data = answer.data
    if answer.status_code != 200 or data is None:
        raise PortalUnavailable(f"HTTP {answer.status_code} {answer.error or answer.body[:300]}")
    items = data.get("items", []) if isinstance(data, dict) else data
    return {str(item["MaHoSo"]): item for item in items if isinstance(item, dict) and item.get("MaHoSo")}


def reconcile(*, date_from: dt.date, date_to: dt.date, requeue: bool = False) -> Report:
    """The report; with `requeue`, a fresh dossier record is queued for every missing dossier."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=VN)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=VN)
    dossiers = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end).select_related(
        "procedure__sector", "agency", "receiving_agency", "applicant"
    )
    theirs = portal_holdings(date_from=date_from, date_to=date_to)
    report = Report(theirs=len(theirs))
    ours: set[str] = set()
    # By code, 500 at a time, in ordinary queries: no server-side cursor, which a transaction
    # pooler in front of PostgreSQL would break (common/iteration.py).
    for dossier in keyset_iterator(dossiers, key="code", chunk_size=RECONCILE_CHUNK):
        ours.add(dossier.code)
        remote = theirs.get(dossier.code)
        if remote is None:
            report.missing.append(dossier.code)
            if requeue:
                outbox_requeue_dossier(dossier=dossier, reason="Đối soát: Cổng DVCQG chưa có hồ sơ.")
                report.requeued.append(dossier.code)
            continue
        record = mapping.dossier_record(dossier)
        diff = {key: (record.get(key), remote.get(key)) for key in COMPARED if record.get(key) != remote.get(key)}
        if diff:
            report.differing[dossier.code] = diff
    report.ours = len(ours)
    report.extra = sorted(set(theirs) - ours)
    return report
