"""Decision 766 as the national portal's formula document computes it: pure arithmetic.

Plain data in, plain data out, no database (like workflows/engine.py). The caller counts, per
service (a procedure applied by one agency, "dịch vụ công" of the document) and per period,
how many dossiers meet each condition (indicators.counts does it in SQL over our own dossiers,
indicators.national over the records the national portal accepted); this module turns the
counts into each indicator's rate and points, each group's sum and the total "x / N điểm".

Rules are data (indicators.models.IndicatorRule, seeded from the document by migration 0008);
the engine dispatches on a rule's `measure`. An indicator that cannot be computed (no formula in
the document, no data on our side, nothing in the period, no rule in force) carries the reason in
plain Vietnamese and is left out of N: nothing is silently zero.

Dossier counts of one service (keys of `ServiceCounts.counts`), for the period [start, end):
    received        NgayTiepNhan in the period (a valid receipt; refused at the desk is not one)
    synced          received, and synced to the national portal (1.4; 3.3's factor)
    online_received received online (KenhThucHien = 2): the service "has an online dossier" (3.2)
    online_counted  received online (KenhThucHien = 2) and, where the procedure returns a paper
                    document, with an electronic result carrying a code and a link (3.3)
    assessed        2.1's population: processing ended in the period (processed, returned,
                    stopped or withdrawn after receipt) or not ended by the period's end
    on_time         assessed and on time (end of processing ≤ NgayHenTra; > 1 supplement = late)
    unhappy         assessed, with a complaint or a dislike rating (5.4)
    started_done    processing started in the period and processed/returned (2.2)
    started_done_seconds  their total processing time in seconds (2.2)
    fee_due         received, the procedure bears a fee (3.6's denominator)
    paid_online     fee_due and paid online (DuocThanhToanTrucTuyen 1 or 2)
    fee_synced      received, synced with fee data Gia ≠ 0 (3.5: the service has one)
    paper_due       received, the procedure returns a paper document (4.1's denominator)
    e_result        paper_due with an electronic result file (4.1)
    digitised       received, with a file among the components and, where the procedure
                    returns a paper document, an electronic result (4.2)
    reused          received, reusing digitised data (HoSoCoThanhPhanSoHoa = 1) (4.3)
    shared          received, with a file from the national store or a result link synced (4.4)
    population      received, with VNeID, a national-store file or population data (4.5a, 4.5b)
    reported        (optional) dossiers received as the province reports them; 1.4 divides by the
                    larger of it and `received` (the national preview: received = records held)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

RATIO, THRESHOLD, DISPLAY = "ratio", "threshold", "display"

NO_DOSSIERS = "Không có hồ sơ trong kỳ."
NO_PROCEDURES = "Chưa có thủ tục hành chính trong phạm vi."
NO_RULE = "Chưa có quy tắc áp dụng cho kỳ này."
NO_COMPLAINTS = "Không có phản ánh, kiến nghị trong kỳ."
PROVINCE_ONLY = "Chỉ tiêu chỉ tính cho cả tỉnh, không tính theo đơn vị cấp dưới."

DOSSIER_KEYS = (
    "received",
    "synced",
    "online_received",
    "online_counted",
    "assessed",
    "on_time",
    "unhappy",
    "started_done",
    "started_done_seconds",
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
class RuleSpec:
    """One version of one indicator, as data."""

    code: str
    group_code: str
    name: str
    measure: str
    max_points: Decimal
    formula_kind: str  # ratio | threshold | display
    threshold_percent: Decimal | None = None
    effective_from: dt.date = dt.date(2022, 6, 23)
    effective_to: dt.date | None = None  # inclusive; None: until replaced
    population: str = ""
    numerator: str = ""
    note: str = ""
    unavailable: str = ""  # why our data cannot give it (left out of N)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True)
class ProcedureFacts:
    """What the procedure database (CSDL TTHC) says of one procedure."""

    procedure_id: int
    published: bool = True
    online: bool = False  # a partial or full online service
    level: str = ""  # the online level as recorded (full, partial, information)
    info_complete: bool = False  # 1.3: the seven items a–g
    fee_bearing: bool = False  # a fee or charge ≠ 0
    citizen: bool = False  # applicants include citizens (4.5a)
    paper_result: bool = False  # returns a document (kết quả bằng văn bản, giấy tờ): 4.1, 3.3


@dataclass(frozen=True)
class ServiceCounts:
    """One (procedure, agency) service and its dossiers' counts in the period."""

    procedure_id: int
    agency_id: int
    online: bool = False  # the procedure is an online service applied by this agency (3.2)
    counts: Mapping[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return int(self.counts.get(key) or 0)


@dataclass(frozen=True)
class ComplaintFacts:
    """One complaint (PAKN): received at `created`, answered at `answered` (None: open),
    with its deadline of 15 working days already computed by the caller (calendar)."""

    complaint_id: int
    procedure_id: int
    agency_id: int
    created: dt.datetime
    deadline: dt.datetime
    answered: dt.datetime | None = None
    disliked: bool = False


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    cutoff: dt.datetime  # min(end, now): "ngày cuối kỳ (hoặc ngày hiện tại đối với kỳ hiện tại)"

    @property
    def first_day(self) -> dt.date:
        return self.start.date()


@dataclass(frozen=True)
class Inputs:
    """Everything one scope holds for one period."""

    procedures: Sequence[ProcedureFacts]
    services: Sequence[ServiceCounts]
    complaints: Sequence[ComplaintFacts] = ()
    province: bool = True  # the whole province (1.3 is not computed for a sub-unit)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    group_code: str
    measure: str
    max_points: Decimal
    formula_kind: str
    threshold_percent: Decimal | None
    numerator: int | None
    denominator: int | None
    rate: Decimal | None  # percent, 2 decimals (3.3: after the sync factor)
    points: Decimal | None  # None: not computed (see `reason`)
    reason: str = ""
    display: str = ""
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.points is not None and self.formula_kind != DISPLAY

    @property
    def lost(self) -> Decimal | None:
        return None if self.points is None else self.max_points - self.points


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    scored_max: Decimal  # N of the group: maximum of the indicators computed


@dataclass(frozen=True)
class Result:
    indicators: list[Indicator]
    groups: list[Group]

    @property
    def total_points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def scored_max(self) -> Decimal:
        """N of "x / N điểm": the maximum of every indicator that could be computed."""
        return sum((g.scored_max for g in self.groups), Decimal(0))

    @property
    def total_max(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    def get(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)


# ---------------------------------------------------------------- rules in force


def code_order(code: str) -> tuple[tuple[int, str], ...]:
    """Indicator codes in the ministry's order: 2.1 < 4.5a < 4.5b < 10.1 (numbers as numbers)."""
    parts = []
    for part in code.split("."):
        digits = len(part) - len(part.lstrip("0123456789"))
        parts.append((int(part[:digits]) if digits else -1, part[digits:]))
    return tuple(parts)


def rules_in_force(versions: Iterable[RuleSpec], *, on: dt.date) -> dict[str, RuleSpec | None]:
    """Every indicator code ever ruled -> the version in force on `on` (latest start), or None (a gap)."""
    out: dict[str, RuleSpec | None] = {}
    for rule in sorted(versions, key=lambda r: r.effective_from, reverse=True):
        out.setdefault(rule.code, None)
        if out[rule.code] is None and rule.in_force(on):
            out[rule.code] = rule
    return dict(sorted(out.items(), key=lambda item: code_order(item[0])))


# ---------------------------------------------------------------- arithmetic


def points_for(*, kind: str, max_points: Decimal, threshold: Decimal | None, rate: Decimal) -> Decimal:
    """A rate (exact percent) to points, rounded to 2 decimals.

    ratio: rate × max. threshold ("Đạt từ T% trở lên sẽ đạt điểm tối đa. Dưới T% tính theo
    công thức: tỷ lệ × Điểm tối đa / T%").
    """
    fraction = max(Decimal(0), rate) / HUNDRED
    if kind == THRESHOLD and threshold:
        fraction = min(Decimal(1), max(Decimal(0), rate) / threshold)
    return (min(Decimal(1), fraction) * max_points).quantize(CENT, ROUND_HALF_UP)


def _percent(num: int, den: int) -> Decimal:
    return Decimal(num) * HUNDRED / Decimal(den)


def _sum(services: Iterable[ServiceCounts], key: str) -> int:
    return sum(s.get(key) for s in services)


@dataclass(frozen=True)
class _Measured:
    numerator: int | None = None
    denominator: int | None = None
    rate: Decimal | None = None  # exact percent
    reason: str = ""
    display: str = ""


def _ratio(num: int, den: int, *, empty: str = NO_DOSSIERS) -> _Measured:
    if den <= 0:
        return _Measured(numerator=num, denominator=den, reason=empty)
    return _Measured(numerator=num, denominator=den, rate=_percent(num, den))


def _dossier_ratio(inputs: Inputs, num_key: str, den_key: str) -> _Measured:
    return _ratio(_sum(inputs.services, num_key), _sum(inputs.services, den_key))


def _published(inputs: Inputs) -> list[ProcedureFacts]:
    return [p for p in inputs.procedures if p.published]


def _measure_procedure_info(inputs: Inputs, period: Period) -> _Measured:
    if not inputs.province:
        return _Measured(reason=PROVINCE_ONLY)
    published = _published(inputs)
    return _ratio(sum(p.info_complete for p in published), len(published), empty=NO_PROCEDURES)


def _reported(inputs: Inputs) -> int:
    """1.4's denominator: the larger of the dossiers received as synced and as reported by the
    province (`reported`, the national report system; our own count when absent)."""
    return sum(max(s.get("received"), s.get("reported")) for s in inputs.services)


def _measure_synced(inputs: Inputs, period: Period) -> _Measured:
    return _ratio(_sum(inputs.services, "synced"), _reported(inputs))


def _measure_on_time(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "on_time", "assessed")


def _measure_average(inputs: Inputs, period: Period) -> _Measured:
    done = _sum(inputs.services, "started_done")
    if not done:
        return _Measured(numerator=0, denominator=0, reason=NO_DOSSIERS)
    days = Decimal(_sum(inputs.services, "started_done_seconds")) / Decimal(86400) / Decimal(done)
    text = f"{days.quantize(Decimal('0.1'), ROUND_HALF_UP)} ngày".replace(".", ",")
    return _Measured(denominator=done, display=text)


def _measure_procedure_online(inputs: Inputs, period: Period) -> _Measured:
    published = _published(inputs)
    return _ratio(sum(p.online for p in published), len(published), empty=NO_PROCEDURES)


def _measure_service_used(inputs: Inputs, period: Period) -> _Measured:
    services = [s for s in inputs.services if s.online]
    used = sum(1 for s in services if s.get("online_received") > 0)
    return _ratio(used, len(services), empty="Chưa có dịch vụ công trực tuyến trong phạm vi.")


def _measure_online(inputs: Inputs, period: Period) -> _Measured:
    """3.3 = online counted / received × the sync rate (1.4's synced / received)."""
    received = _sum(inputs.services, "received")
    if received <= 0:
        return _Measured(numerator=0, denominator=0, reason=NO_DOSSIERS)
    online = _sum(inputs.services, "online_counted")
    synced, reported = _sum(inputs.services, "synced"), _reported(inputs)
    rate = _percent(online, received) * Decimal(synced) / Decimal(reported)
    return _Measured(numerator=online, denominator=received, rate=rate)


def _fee_procedures(inputs: Inputs) -> set[int]:
    return {p.procedure_id for p in _published(inputs) if p.fee_bearing}


def _measure_fee_synced(inputs: Inputs, period: Period) -> _Measured:
    """3.5: fee-bearing procedures with a dossier synced with fee data Gia ≠ 0 / fee-bearing procedures."""
    fee = _fee_procedures(inputs)
    with_fee_data = {s.procedure_id for s in inputs.services if s.get("fee_synced") > 0} & fee
    return _ratio(len(with_fee_data), len(fee), empty="Chưa có thủ tục có phí, lệ phí trong phạm vi.")


def _measure_paid_online(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "paid_online", "fee_due")


def _measure_e_result(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "e_result", "paper_due")


def _measure_digitised(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "digitised", "received")


def _measure_reused(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "reused", "received")


def _measure_shared(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "shared", "received")


def _measure_procedure_population(inputs: Inputs, period: Period) -> _Measured:
    """4.5a: citizen procedures with a dossier using population data / citizen procedures."""
    citizen = {p.procedure_id for p in _published(inputs) if p.citizen}
    using = {s.procedure_id for s in inputs.services if s.get("population") > 0} & citizen
    return _ratio(len(using), len(citizen), empty="Chưa có thủ tục có đối tượng thực hiện là công dân.")


def _measure_dossier_population(inputs: Inputs, period: Period) -> _Measured:
    return _dossier_ratio(inputs, "population", "received")


def _complaints_in_period(inputs: Inputs, period: Period) -> list[ComplaintFacts]:
    """5.2's population: received before the period's end and not answered before it started."""
    return [
        c for c in inputs.complaints if c.created < period.end and (c.answered is None or c.answered >= period.start)
    ]


def _complaint_on_time(c: ComplaintFacts, period: Period) -> bool:
    """Answered within the deadline; still open: the period's end (or today) within it."""
    if c.answered is not None and c.answered < period.end:
        return c.answered <= c.deadline
    return period.cutoff <= c.deadline


def _measure_complaint_on_time(inputs: Inputs, period: Period) -> _Measured:
    handled = _complaints_in_period(inputs, period)
    return _ratio(sum(_complaint_on_time(c, period) for c in handled), len(handled), empty=NO_COMPLAINTS)


def _measure_complaint_satisfaction(inputs: Inputs, period: Period) -> _Measured:
    """5.3 = (complaints first received in the period − disliked or overdue) / those complaints."""
    received = [c for c in inputs.complaints if period.start <= c.created < period.end]
    bad = sum(1 for c in received if c.disliked or not _complaint_on_time(c, period))
    return _ratio(len(received) - bad, len(received), empty=NO_COMPLAINTS)


def _measure_satisfaction(inputs: Inputs, period: Period) -> _Measured:
    """5.4 = 100% − (late rate + rate of dossiers with a complaint or a dislike), over 2.1's dossiers."""
    assessed = _sum(inputs.services, "assessed")
    if assessed <= 0:
        return _Measured(numerator=0, denominator=0, reason=NO_DOSSIERS)
    late = assessed - _sum(inputs.services, "on_time")
    unhappy = _sum(inputs.services, "unhappy")
    rate = max(Decimal(0), HUNDRED - _percent(late, assessed) - _percent(unhappy, assessed))
    return _Measured(numerator=assessed - late - unhappy, denominator=assessed, rate=rate)


MEASURES = {
    "procedure_info_complete": _measure_procedure_info,
    "dossier_synced": _measure_synced,
    "on_time": _measure_on_time,
    "average_processing_time": _measure_average,
    "procedure_online": _measure_procedure_online,
    "online_service_used": _measure_service_used,
    "dossier_online": _measure_online,
    "procedure_fee_synced": _measure_fee_synced,
    "dossier_paid_online": _measure_paid_online,
    "electronic_result": _measure_e_result,
    "digitised": _measure_digitised,
    "reused": _measure_reused,
    "shared": _measure_shared,
    "procedure_population": _measure_procedure_population,
    "dossier_population": _measure_dossier_population,
    "complaint_on_time": _measure_complaint_on_time,
    "complaint_satisfaction": _measure_complaint_satisfaction,
    "satisfaction": _measure_satisfaction,
}


def _no_rule(code: str) -> Indicator:
    return Indicator(
        code=code,
        name=code,
        group_code=code.split(".")[0],
        measure="",
        max_points=Decimal(0),
        formula_kind=DISPLAY,
        threshold_percent=None,
        numerator=None,
        denominator=None,
        rate=None,
        points=None,
        reason=NO_RULE,
    )


def indicator(rule: RuleSpec, inputs: Inputs, period: Period) -> Indicator:
    """One indicator under one rule."""
    compute = MEASURES.get(rule.measure)
    if rule.unavailable or compute is None:
        measured = _Measured(reason=rule.unavailable or "Chưa có cách tính cho đại lượng này.")
    else:
        measured = compute(inputs, period)
    points = None
    if measured.rate is not None and rule.formula_kind != DISPLAY:
        points = points_for(
            kind=rule.formula_kind, max_points=rule.max_points, threshold=rule.threshold_percent, rate=measured.rate
        )
    return Indicator(
        code=rule.code,
        name=rule.name,
        group_code=rule.group_code,
        measure=rule.measure,
        max_points=rule.max_points,
        formula_kind=rule.formula_kind,
        threshold_percent=rule.threshold_percent,
        numerator=measured.numerator,
        denominator=measured.denominator,
        rate=None if measured.rate is None else measured.rate.quantize(CENT, ROUND_HALF_UP),
        points=points,
        reason=measured.reason,
        display=measured.display,
        note=rule.note,
    )


def compute(
    *, rules: Mapping[str, RuleSpec | None], groups: Sequence[GroupSpec], inputs: Inputs, period: Period
) -> Result:
    """Every indicator, each group's points and N, for one scope and period."""
    results = [indicator(rule, inputs, period) if rule is not None else _no_rule(code) for code, rule in rules.items()]
    out_groups = []
    for group in sorted(groups, key=lambda g: g.code):
        members = [r for r in results if r.group_code == group.code and r.scored]
        out_groups.append(
            Group(
                code=group.code,
                name=group.name,
                max_points=group.max_points,
                points=sum((r.points for r in members if r.points is not None), Decimal(0)),
                scored_max=sum((r.max_points for r in members), Decimal(0)),
            )
        )
    return Result(indicators=results, groups=out_groups)


def narrow(
    inputs: Inputs, *, agency_ids: frozenset[int] | None = None, procedure_ids: frozenset[int] | None = None
) -> Inputs:
    """The part of `inputs` that belongs to some agencies (their services and procedures) or procedures."""
    services = [
        s
        for s in inputs.services
        if (agency_ids is None or s.agency_id in agency_ids)
        and (procedure_ids is None or s.procedure_id in procedure_ids)
    ]
    if agency_ids is None:
        procedures = [p for p in inputs.procedures if procedure_ids is None or p.procedure_id in procedure_ids]
    else:
        applied = {s.procedure_id for s in services}
        procedures = [p for p in inputs.procedures if p.procedure_id in applied]
    complaints = [
        c
        for c in inputs.complaints
        if (agency_ids is None or c.agency_id in agency_ids)
        and (procedure_ids is None or c.procedure_id in procedure_ids)
    ]
    return Inputs(
        procedures=procedures,
        services=services,
        complaints=complaints,
        province=inputs.province and agency_ids is None and procedure_ids is None,
    )


# ---------------------------------------------------------------- what costs points (procedure indicators)

PROCEDURE_CAUSES = {
    "procedure_info_complete": "Thiếu nội dung bộ phận tạo thành (tên, trình tự, cách thức, thành phần, thời hạn, "
    "đối tượng, cơ quan thực hiện)",
    "procedure_online": "Chưa cung cấp dịch vụ công trực tuyến",
    "online_service_used": "Dịch vụ công trực tuyến chưa có hồ sơ nộp trực tuyến trong kỳ",
    "procedure_fee_synced": "Chưa có hồ sơ đồng bộ dữ liệu phí, lệ phí trong kỳ",
    "procedure_population": "Chưa có hồ sơ sử dụng dữ liệu dân cư trong kỳ",
}


@dataclass(frozen=True)
class Missing:
    procedure_id: int
    agency_id: int | None  # the service's agency (3.2), None for a procedure
    cause: str


def missing_procedures(measure: str, inputs: Inputs) -> list[Missing]:
    """The procedures (or services) that count in a procedure indicator's denominator and not in its numerator."""
    cause = PROCEDURE_CAUSES.get(measure)
    if cause is None:
        return []
    published = _published(inputs)
    if measure == "procedure_info_complete":
        return [Missing(p.procedure_id, None, cause) for p in published if not p.info_complete]
    if measure == "procedure_online":
        return [Missing(p.procedure_id, None, cause) for p in published if not p.online]
    if measure == "online_service_used":
        return [
            Missing(s.procedure_id, s.agency_id, cause)
            for s in inputs.services
            if s.online and not s.get("online_received")
        ]
    key, wanted = (
        ("fee_synced", _fee_procedures(inputs))
        if measure == "procedure_fee_synced"
        else ("population", {p.procedure_id for p in published if p.citizen})
    )
    having = {s.procedure_id for s in inputs.services if s.get(key) > 0}
    return [Missing(pid, None, cause) for pid in sorted(wanted - having)]
