"""National preview: the same indicators computed from what the national portal holds.

The national portal computes Decision 766 from the dossier records it accepted, not from our
database. The records come from a source registered at start-up by the wiring layer (dvctt:
emc_sync's delivered outbox payloads; indicators may not import emc_sync). Each record's facts
are read from its own fields (`record_facts`, pure: KenhThucHien, NgayTiepNhan, NgayKetThucXuLy,
NgayHenTra, DanhSachHoSoBoSung, DanhSachLePhi.Gia, DuocThanhToanTrucTuyen, DanhSachGiayToKetQua
with MaGiayToKetQua and DuongDanTepTinKetQua, TaiLieuNop, HoSoCoThanhPhanSoHoa,
TaiKhoanDuocXacThucVoiVNeID, DSKetNoiCSDL), summed per service and scored by the same engine.
Every difference with the local figure is traced to the dossiers causing it.

What the national side holds that our records do not carry is taken from our side: the
procedures' facts (the national procedure database mirrors ours), complaints and dislike ratings
(the national complaint system), and the number of dossiers the province reports (1.4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Case, Value, When

from . import counts, engine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ONLINE = 2  # KenhThucHien
DONE = (9, 10)  # TrangThaiHoSo: processed, returned
WAITING_SUPPLEMENT = 5
POPULATION_DATABASE = "CSDLQGDC"  # DSKetNoiCSDL.MaCSDL of the population database

RecordSource = Callable[[list[int]], Mapping[int, Mapping[str, Any]]]
_sources: list[RecordSource] = []

NOT_SYNCED = "Chưa đồng bộ lên Cổng DVCQG"
NO_FEE_DATA = "Đồng bộ thiếu thông tin phí, lệ phí"
RESULT_INCOMPLETE = "Kết quả đồng bộ thiếu mã hoặc đường dẫn"
STALE = "Bản ghi đồng bộ khác hồ sơ hiện tại (chưa gửi bản mới)"


def record_source_register(source: RecordSource) -> None:
    """Called once by the wiring layer (dvctt.apps): where the accepted records are read."""
    if source not in _sources:
        _sources.append(source)


def _records(dossier_ids: list[int]) -> Mapping[int, Mapping[str, Any]]:
    out: dict[int, Mapping[str, Any]] = {}
    for source in _sources:
        out.update(source(dossier_ids))
    return out


def _moment(value: Any) -> dt.datetime | None:
    """`yyyyMMddHHmmss` (Vietnam time) as an aware datetime."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError:
        return None


def _in(moment: dt.datetime | None, period: engine.Period) -> bool:
    return moment is not None and period.start <= moment < period.end


def record_facts(record: Mapping[str, Any], *, period: engine.Period, paper: bool, fee: bool) -> dict[str, int]:
    """One accepted record's facts for the period, as the national portal reads its fields.

    `paper`: the procedure returns a paper document; `fee`: it bears a fee (procedure database).
    """
    received_at = _moment(record.get("NgayTiepNhan"))
    status = int(record.get("TrangThaiHoSo") or 0)
    received = _in(received_at, period) and status != 3  # refused at the desk: never received
    ended = _moment(record.get("NgayKetThucXuLy"))
    due = _moment(record.get("NgayHenTra"))
    supplements = list(record.get("DanhSachHoSoBoSung") or [])
    results = [
        r for r in record.get("DanhSachGiayToKetQua") or [] if r.get("MaGiayToKetQua") and r.get("DuongDanTepTinKetQua")
    ]
    files = [f for f in record.get("TaiLieuNop") or [] if not f.get("IsDeleted") and f.get("DuongDanTaiTepTin")]
    from_store = any(f.get("DuocLayTuKhoDMQG") == 1 for f in record.get("TaiLieuNop") or [])
    fees = list(record.get("DanhSachLePhi") or [])
    fee_data = any((f.get("Gia") or 0) != 0 for f in fees)
    all_zero = bool(fees) and not fee_data
    databases = {d.get("MaCSDL") for d in record.get("DSKetNoiCSDL") or []}

    assessed = bool(
        received_at is not None
        and status != 3
        and received_at < period.end
        and (ended is None or ended >= period.start)
    )
    running = ended is None or ended >= period.end
    on_time = False
    if assessed and len(supplements) <= 1:
        waiting = supplements and status == WAITING_SUPPLEMENT and not supplements[-1].get("NgayTiepNhanBoSung")
        if not running:
            on_time = due is not None and ended is not None and ended <= due
        elif waiting:
            asked = _moment(supplements[-1].get("NgayBoSung"))
            before = _moment(supplements[-1].get("NgayHenTraTruoc")) or due
            on_time = asked is not None and before is not None and asked <= before
        else:
            on_time = due is not None and due >= period.cutoff
    online = int(record.get("KenhThucHien") or 1) == ONLINE
    done = received and status in DONE and ended is not None
    facts = {
        "received": received,
        "synced": received,
        "online_received": received and online,
        "online_counted": received and online and (not paper or bool(results)),
        "assessed": assessed,
        "on_time": on_time,
        "started_done": done,
        "fee_due": received and fee and not all_zero,
        "paid_online": received and fee and not all_zero and int(record.get("DuocThanhToanTrucTuyen") or 0) in (1, 2),
        "fee_synced": received and fee and fee_data,
        "paper_due": received and paper,
        "e_result": received and paper and bool(results),
        "digitised": received and bool(files) and (not paper or bool(results)),
        "reused": received and record.get("HoSoCoThanhPhanSoHoa") == 1,
        "shared": received and (from_store or bool(results)),
        "population": received
        and (record.get("TaiKhoanDuocXacThucVoiVNeID") == 1 or from_store or POPULATION_DATABASE in databases),
    }
    out = {key: int(bool(value)) for key, value in facts.items()}
    out["started_done_seconds"] = (
        int((ended - received_at).total_seconds()) if done and ended and received_at else 0  # type: ignore[operator]
    )
    return out


# The facts compared dossier by dossier (the local side: indicators.counts.dossier_facts).
COMPARED = (
    "received",
    "online_counted",
    "assessed",
    "on_time",
    "started_done",
    "fee_due",
    "paid_online",
    "fee_synced",
    "paper_due",
    "e_result",
    "digitised",
    "reused",
    "shared",
    "population",
)


@dataclass(frozen=True)
class Difference:
    dossier_id: int
    code: str
    cause: str
    facts: tuple[str, ...] = ()  # which facts differ (empty: the whole dossier is missing)


@dataclass(frozen=True)
class Preview:
    local: engine.Result
    national: engine.Result
    differences: list[Difference] = field(default_factory=list)

    def by_cause(self) -> dict[str, list[Difference]]:
        out: dict[str, list[Difference]] = {}
        for difference in self.differences:
            out.setdefault(difference.cause, []).append(difference)
        return out


def _cause(local: Mapping[str, Any], national: Mapping[str, int], differing: tuple[str, ...]) -> str:
    if "fee_synced" in differing and local["fee_synced"] and not national["fee_synced"]:
        return NO_FEE_DATA
    if {"e_result", "online_counted", "shared"} & set(differing) and local["e_result"] and not national["e_result"]:
        return RESULT_INCOMPLETE
    return STALE


def preview(
    *,
    period: engine.Period,
    where: counts.Where,
    rules: Mapping[str, engine.RuleSpec | None],
    groups: list[engine.GroupSpec],
    calendar: Any,
    agency_id: int | None = None,
) -> Preview:
    """The local figure and the national one side by side, each difference traced to dossiers.

    Queries: the local inputs (four), the dossiers' facts one row each (one), the records (one).
    A preview page, not the dashboard: it reads every dossier of the period in the scope.
    """
    local_inputs = counts.inputs(period=period, where=where, calendar=calendar)
    facts = counts.dossier_facts(period)
    keys = [*COMPARED, "unhappy"]
    rows = list(
        counts.dossier_base(period, where.dossier_q())
        .annotate(
            **{
                f"f_{key}": Case(When(facts[key], then=Value(True)), default=Value(False), output_field=BooleanField())
                for key in keys
            }
        )
        .values("pk", "code", "procedure_id", "agency_id", *[f"f_{key}" for key in keys])
        .order_by("pk")
    )
    records = _records([row["pk"] for row in rows])
    procedures = {p.procedure_id: p for p in local_inputs.procedures}
    paper = set(counts.paper_procedures().values_list("pk", flat=True))
    national: dict[tuple[int, int], dict[str, int]] = {}
    differences: list[Difference] = []
    for row in rows:
        service = national.setdefault((row["procedure_id"], row["agency_id"]), {})
        local = {key: row[f"f_{key}"] for key in keys}
        service["reported"] = service.get("reported", 0) + int(local["received"])
        record = records.get(row["pk"])
        if record is None:
            if local["received"] or local["assessed"]:
                differences.append(Difference(dossier_id=row["pk"], code=row["code"], cause=NOT_SYNCED))
            continue
        fee = procedures.get(row["procedure_id"], engine.ProcedureFacts(procedure_id=0)).fee_bearing
        seen = record_facts(record, period=period, paper=row["procedure_id"] in paper, fee=fee)
        seen["unhappy"] = int(seen["assessed"] and local["unhappy"])  # the complaint system's side
        for key, value in seen.items():
            service[key] = service.get(key, 0) + value
        differing = tuple(key for key in COMPARED if bool(local[key]) != bool(seen[key]))
        if differing:
            differences.append(
                Difference(
                    dossier_id=row["pk"], code=row["code"], cause=_cause(local, seen, differing), facts=differing
                )
            )
    national_inputs = engine.Inputs(
        procedures=local_inputs.procedures,
        services=[
            engine.ServiceCounts(
                procedure_id=s.procedure_id,
                agency_id=s.agency_id,
                online=s.online,
                counts=national.get((s.procedure_id, s.agency_id), {}),
            )
            for s in local_inputs.services
        ],
        complaints=local_inputs.complaints,
        province=local_inputs.province,
    )
    if agency_id is not None:
        only = frozenset({agency_id})
        local_inputs = engine.narrow(local_inputs, agency_ids=only)
        national_inputs = engine.narrow(national_inputs, agency_ids=only)
        agency_dossiers = {row["pk"] for row in rows if row["agency_id"] == agency_id}
        differences = [d for d in differences if d.dossier_id in agency_dossiers]
    return Preview(
        local=engine.compute(rules=rules, groups=groups, inputs=local_inputs, period=period),
        national=engine.compute(rules=rules, groups=groups, inputs=national_inputs, period=period),
        differences=differences,
    )
