"""Decision 766 indicators computed in SQL: conditional counts over dossiers and procedures.

Every figure is a count of rows matching a denominator and a numerator condition, taken in
one aggregate query per shape (whole scope, per agency, per procedure); Python only turns the
counts into rates and points with the rules in force (indicators.models). A drill-down lists
the very rows behind a count, through the same conditions.

Which dossiers a period holds:
- "received": received (valid receipt) within the period;
- "finished": finished (result ready) within the period;
- "assessed" (2.1): finished within the period, or received before its end and still being
  processed at its end (neither finished nor closed by then).
On time ⇔ at most one supplement request, and finished no later than the due date (which
dossiers.services already shifted by every supplement pause), or, still running, not past
due at the end of the period (or now, if the period has not ended), or paused for a
supplement since before its due date (the clock is stopped).
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length, Trim
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_agency_scope
from dossiers.constants import AttachmentRole, Channel, PaymentStatus
from dossiers.models import Attachment, Complaint, Dossier, DossierPause, Payment
from procedures.constants import OnlineLevel
from procedures.models import Agency, DossierComponent, Fee, Procedure
from procedures.selectors import agency_descendant_ids

from . import counts as service_counts
from . import engine
from .constants import FormulaKind, Measure, Outcome
from .models import AgencyTarget, IndicatorGroup, IndicatorRule

T = TypeVar("T")

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CENT = Decimal("0.01")
ONLINE_CHANNELS = (Channel.ONLINE, Channel.NATIONAL_PORTAL)
ONLINE_LEVELS = (OnlineLevel.FULL, OnlineLevel.PARTIAL)

# Measures counted over dossiers, and over procedures; the rest have no data here.
DOSSIER_MEASURES = (
    Measure.DOSSIER_SYNCED,
    Measure.ON_TIME,
    Measure.DOSSIER_ONLINE,
    Measure.DOSSIER_PAID_ONLINE,
    Measure.ELECTRONIC_RESULT,
    Measure.DIGITISED,
    Measure.REUSED,
    Measure.AUTHENTICATED,
    Measure.POPULATION_CHECKED,
)
PROCEDURE_MEASURES = (
    Measure.PROCEDURE_INFO_COMPLETE,
    Measure.PROCEDURE_ONLINE,
    Measure.ONLINE_SERVICE_USED,
    Measure.PROCEDURE_ONLINE_PAYMENT,
)


# ---------------------------------------------------------------- periods and scope


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes, on Asia/Ho_Chi_Minh calendar boundaries."""

    start: dt.datetime
    end: dt.datetime
    key: str  # "2026-10" or "2026"

    @property
    def label(self) -> str:
        if len(self.key) == 4:
            return f"Năm {self.key}"
        return f"Tháng {self.start.month:02d}/{self.start.year}"

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(VN).date()

    def months(self) -> list["Period"]:
        """The months the period covers (itself for a month)."""
        if len(self.key) != 4:
            return [self]
        return [period_month(year=self.start.year, month=m) for m in range(1, 13)]


def period_month(*, year: int, month: int) -> Period:
    start = dt.datetime(year, month, 1, tzinfo=VN)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=VN)
    return Period(start=start, end=end, key=f"{year:04d}-{month:02d}")


def period_year(*, year: int) -> Period:
    return Period(
        start=dt.datetime(year, 1, 1, tzinfo=VN), end=dt.datetime(year + 1, 1, 1, tzinfo=VN), key=f"{year:04d}"
    )


def period_parse(text: str | None, *, default: Period | None = None) -> Period | None:
    """ "2026-10" (a month) or "2026" (a year); anything else gives `default`."""
    text = (text or "").strip()
    try:
        if len(text) == 4:
            return period_year(year=int(text))
        if len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:])
            if 1 <= month <= 12:
                return period_month(year=year, month=month)
    except ValueError:
        pass
    return default


def period_current_month() -> Period:
    today = timezone.localdate(timezone.now(), VN)
    return period_month(year=today.year, month=today.month)


@dataclass(frozen=True)
class Scope:
    """Which dossiers and procedures count: agencies (with their sub-agencies), sector, procedure."""

    agency_ids: frozenset[int] | None = None  # None: every agency
    sector_id: int | None = None
    procedure_id: int | None = None

    def dossier_q(self) -> Q:
        q = Q()
        if self.agency_ids is not None:
            q &= Q(agency_id__in=sorted(self.agency_ids))
        if self.sector_id is not None:
            q &= Q(procedure__sector_id=self.sector_id)
        if self.procedure_id is not None:
            q &= Q(procedure_id=self.procedure_id)
        return q


class OutOfScope(Exception):
    """The user may not see the agency asked for."""


def scope_for_user(
    *, user: User, agency: Agency | None = None, sector_id: int | None = None, procedure_id: int | None = None
) -> Scope:
    """The user's scope narrowed to `agency` and its sub-agencies (the subtree computed once).

    Raises OutOfScope when the agency lies outside what the user may see.
    """
    allowed = user_agency_scope(user=user)
    if agency is None:
        ids = None if allowed is None else frozenset(allowed)
    else:
        if allowed is not None and agency.pk not in allowed:
            raise OutOfScope()
        ids = frozenset(agency_descendant_ids(agency_ids=[agency.pk]))
    return Scope(agency_ids=ids, sector_id=sector_id, procedure_id=procedure_id)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rules:
    indicators: list[IndicatorRule]
    groups: list[IndicatorGroup]


@dataclass(frozen=True)
class RuleBook:
    """Every version of every rule and group, loaded once (two queries) for pages that score many periods."""

    indicators: list[IndicatorRule]
    groups: list[IndicatorGroup]


def rule_book() -> RuleBook:
    return RuleBook(
        indicators=list(IndicatorRule.objects.order_by("code", "-effective_from")),
        groups=list(IndicatorGroup.objects.order_by("code", "-effective_from")),
    )


def code_order(code: str) -> tuple[tuple[int, str], ...]:
    """Indicator codes in the ministry's order: 2.1 < 4.5 < 4.5b < 10.1 (numbers as numbers)."""
    parts = []
    for part in code.split("."):
        digits = len(part) - len(part.lstrip("0123456789"))
        parts.append((int(part[:digits]) if digits else -1, part[digits:]))
    return tuple(parts)


def rules_in_force(*, on: dt.date, book: RuleBook | None = None) -> Rules:
    """The latest version of every indicator and group that took effect on or before `on`."""
    book = book or rule_book()
    rules: dict[str, IndicatorRule] = {}
    for rule in book.indicators:
        if rule.effective_from <= on:
            rules.setdefault(rule.code, rule)
    groups: dict[str, IndicatorGroup] = {}
    for group in book.groups:
        if group.effective_from <= on:
            groups.setdefault(group.code, group)
    return Rules(
        indicators=sorted(rules.values(), key=lambda r: code_order(r.code)),
        groups=sorted(groups.values(), key=lambda g: g.code),
    )


# ---------------------------------------------------------------- dossier conditions


def _cutoff(period: Period, now: dt.datetime) -> dt.datetime:
    return min(period.end, now)


def _dossier_conditions(period: Period, now: dt.datetime) -> dict[str, Q]:
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    finished = Q(finished_at__gte=period.start, finished_at__lt=period.end)
    running_at_end = (
        Q(received_at__lt=period.end)
        & (Q(finished_at__isnull=True) | Q(finished_at__gte=period.end))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.end))
    )
    return {"received": received, "finished": finished, "running_at_end": running_at_end}


def _dossier_flags(period: Period, now: dt.datetime) -> dict[str, Any]:
    """The one correlated column (paused in time) and 2.1's on-time flag, as aliases."""
    cond = _dossier_conditions(period, now)
    paused_in_time = DossierPause.objects.filter(
        dossier_id=OuterRef("pk"), ended_at__isnull=True, started_at__lte=OuterRef("due_at")
    )
    on_time = Q(supplement_count__lte=1) & (
        (cond["finished"] & Q(finished_at__lte=F("due_at")))
        | (cond["running_at_end"] & (Q(due_at__gte=_cutoff(period, now)) | Q(paused_in_time=True)))
    )
    return {
        "paused_in_time": Exists(paused_in_time),
        "ok_on_time": Case(When(on_time, then=Value(True)), default=Value(False), output_field=BooleanField()),
    }


def _with_dossier(qs: QuerySet[Any]) -> Q:
    """`id IN (SELECT dossier_id ...)`: uncorrelated, so PostgreSQL hashes the set once
    instead of probing it for each of hundreds of thousands of rows (bench/indicators.py)."""
    return Q(pk__in=qs.filter(dossier_id__isnull=False).values("dossier_id"))


def _dossier_measure_q(period: Period, now: dt.datetime) -> dict[str, tuple[Q, Q]]:
    """measure -> (denominator, numerator) over a queryset carrying `_dossier_flags`."""
    cond = _dossier_conditions(period, now)
    received, finished = cond["received"], cond["finished"]
    has_result = _with_dossier(Attachment.objects.filter(role=AttachmentRole.RESULT))
    has_components = _with_dossier(Attachment.objects.exclude(role=AttachmentRole.RESULT))
    has_reuse = _with_dossier(Attachment.objects.filter(Q(reused_from__isnull=False) | Q(from_national_store=True)))
    paid_online = _with_dossier(Payment.objects.filter(status=PaymentStatus.PAID))
    # 5.4's complaint rate: dossiers with a complaint (phản ánh, kiến nghị) filed before the period's end.
    complained = _with_dossier(Complaint.objects.filter(created_at__lt=period.end))
    fee_bearing = Q(procedure_id__in=Fee.objects.filter(amount__gt=0).values("procedure_id"))
    return {
        Measure.DOSSIER_SYNCED: (received, Q(national_synced_at__isnull=False)),
        Measure.ON_TIME: (finished | cond["running_at_end"], Q(ok_on_time=True)),
        Measure.DOSSIER_ONLINE: (received, Q(channel__in=ONLINE_CHANNELS)),
        Measure.DOSSIER_PAID_ONLINE: (received & fee_bearing, paid_online),
        Measure.ELECTRONIC_RESULT: (finished, has_result),
        Measure.DIGITISED: (finished, has_components & has_result),
        Measure.REUSED: (received, has_reuse),
        Measure.AUTHENTICATED: (received, Q(applicant__vneid_verified_at__isnull=False)),
        Measure.POPULATION_CHECKED: (received, Q(population_checked_at__isnull=False)),
        # 5.4's second part: complaints stand-in among finished dossiers.
        "complained": (finished, complained),
        # 5.4 drills into finished dossiers: met = no complaint, missed = complained about.
        Measure.SATISFACTION: (finished, ~complained),
    }


def _dossier_base(period: Period, scope: Scope, now: dt.datetime) -> QuerySet[Dossier]:
    cond = _dossier_conditions(period, now)
    return (
        Dossier.objects.filter(scope.dossier_q())
        .filter(cond["received"] | cond["finished"] | cond["running_at_end"])
        .alias(**_dossier_flags(period, now))
    )


def _online_services_q(scope: Scope) -> Q:
    """The dossier's procedure is a published online service of an agency in scope (uncorrelated IN)."""
    services = Procedure.objects.filter(is_published=True, online_level__in=ONLINE_LEVELS)
    if scope.agency_ids is not None:
        through = Procedure.implementing_agencies.through
        services = services.filter(
            pk__in=through.objects.filter(agency_id__in=sorted(scope.agency_ids)).values("procedure_id")
        )
    return Q(procedure_id__in=services.values("pk"))


def _dossier_aggregates(period: Period, now: dt.datetime, scope: Scope) -> dict[str, Any]:
    cond = _dossier_conditions(period, now)
    out: dict[str, Any] = {}
    # 3.2's numerator, from the dossiers' side: online services that received an online
    # dossier (a correlated EXISTS per procedure took seconds over a million dossiers).
    out[f"{Measure.ONLINE_SERVICE_USED}__num"] = Count(
        "procedure_id",
        distinct=True,
        filter=cond["received"] & Q(channel__in=ONLINE_CHANNELS) & _online_services_q(scope),
    )
    for measure, (den, num) in _dossier_measure_q(period, now).items():
        if measure == Measure.SATISFACTION:
            continue  # derived from "complained" in score()
        out[f"{measure}__den"] = Count("pk", filter=den)
        out[f"{measure}__num"] = Count("pk", filter=den & num)
    out["received__online"] = Count("pk", filter=cond["received"] & Q(channel=Channel.ONLINE))
    out["received__national_portal"] = Count("pk", filter=cond["received"] & Q(channel=Channel.NATIONAL_PORTAL))
    out["received__direct"] = Count("pk", filter=cond["received"] & Q(channel=Channel.DIRECT))
    out["received__post"] = Count("pk", filter=cond["received"] & Q(channel=Channel.POST))
    out["average_processing_time"] = Avg(
        ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField()),
        filter=cond["finished"],
    )
    out["rating_average"] = Avg("rating__score", filter=cond["finished"])
    return out


def _cached(name: str, *, period: Period, scope: Scope, now: dt.datetime, compute: Callable[[], T]) -> T:
    """`compute()`, kept INDICATORS_CACHE_SECONDS in the cache when the period has ended.

    A finished month's counts no longer depend on the clock (every condition stops at the
    period's end), only on later writes: a late sync, a complaint, a correction. Those show
    within INDICATORS_CACHE_SECONDS; the running period is always computed (bench/indicators.py:
    the province dashboard of a year computes 12 months, ~3 s over a million dossiers)."""
    seconds = settings.INDICATORS_CACHE_SECONDS
    if seconds <= 0 or period.end > now:
        return compute()
    where = (
        f"{sorted(scope.agency_ids) if scope.agency_ids is not None else '*'}:{scope.sector_id}:{scope.procedure_id}"
    )
    key = f"indicators:v1:{name}:{period.key}:{hashlib.sha256(where.encode()).hexdigest()[:32]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return cast(T, value)


def dossier_counts(*, period: Period, scope: Scope, now: dt.datetime | None = None) -> dict[str, Any]:
    """All dossier counts of the scope in one aggregate query (cached once the period has ended)."""
    at = now or timezone.now()
    return _cached(
        "counts",
        period=period,
        scope=scope,
        now=at,
        compute=lambda: _dossier_base(period, scope, at).aggregate(**_dossier_aggregates(period, at, scope)),
    )


def dossier_counts_by(
    *, period: Period, scope: Scope, key: str, now: dt.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """The same counts grouped by `key` ("agency_id" or "procedure_id"), one query (cached like dossier_counts)."""
    at = now or timezone.now()

    def compute() -> dict[int, dict[str, Any]]:
        rows = _dossier_base(period, scope, at).values(key).annotate(**_dossier_aggregates(period, at, scope))
        return {row.pop(key): row for row in rows.order_by()}

    return _cached(f"counts_by_{key}", period=period, scope=scope, now=at, compute=compute)


def dossier_list_for_indicator(
    *, measure: str, outcome: Outcome, period: Period, scope: Scope, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one indicator's count: all counted, those that met it, or those that did not."""
    now = now or timezone.now()
    pair = _dossier_measure_q(period, now).get(measure)
    if pair is None:
        return Dossier.objects.none()
    den, num = pair
    qs = _dossier_base(period, scope, now).filter(den)
    if outcome == Outcome.MET:
        qs = qs.filter(num)
    elif outcome == Outcome.MISSED:
        qs = qs.exclude(num)
    return qs.select_related("procedure", "agency").order_by("due_at", "id")


# ---------------------------------------------------------------- procedure conditions


def _procedure_measure_q(p: str = "") -> dict[str, tuple[Q, Q | None]]:
    """measure -> (denominator, numerator) over procedures; `p` prefixes procedure fields.

    3.2's numerator (None here) is counted over dossiers: see `_dossier_aggregates`.
    """
    published = Q(**{f"{p}is_published": True})
    online = Q(**{f"{p}online_level__in": ONLINE_LEVELS})
    return {
        # The seven published components (procedures.selectors.procedure_completeness), in SQL.
        Measure.PROCEDURE_INFO_COMPLETE: (published, Q(info_complete=True)),
        Measure.PROCEDURE_ONLINE: (published, online),
        Measure.ONLINE_SERVICE_USED: (published & online, None),
        # Online and taking payment online (the province can keep fees at the desk: console step 1).
        Measure.PROCEDURE_ONLINE_PAYMENT: (published & Q(fee_bearing=True), online & Q(**{f"{p}online_payment": True})),
    }


def _procedure_flags(*, p: str, procedure_ref: str) -> dict[str, Any]:
    """Boolean columns over procedures (`p` = "" on Procedure, "procedure__" on the agency link)."""
    complete = (
        Q(steps_length__gt=0, result_length__gt=0, has_components=True, has_agency=True)
        & ~Q(**{f"{p}channels": []})
        & ~Q(**{f"{p}applicant_types": []})
        & (Q(**{f"{p}same_day_rule": True}) | Q(**{f"{p}time_limit_value__gt": 0}))
    )
    through = Procedure.implementing_agencies.through
    return {
        "steps_length": Length(Trim(f"{p}steps")),
        "result_length": Length(Trim(f"{p}result_document")),
        "has_components": Exists(DossierComponent.objects.filter(procedure_id=OuterRef(procedure_ref))),
        "has_agency": Exists(through.objects.filter(procedure_id=OuterRef(procedure_ref))),
        "fee_bearing": Exists(Fee.objects.filter(procedure_id=OuterRef(procedure_ref), amount__gt=0)),
        "info_complete": Case(When(complete, then=Value(True)), default=Value(False), output_field=BooleanField()),
    }


def _procedure_aggregates(p: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for measure, (den, num) in _procedure_measure_q(p).items():
        out[f"{measure}__den"] = Count("pk", filter=den)
        if num is not None:
            out[f"{measure}__num"] = Count("pk", filter=den & num)
    for level in OnlineLevel:
        out[f"level__{level.value}"] = Count("pk", filter=Q(**{f"{p}is_published": True, f"{p}online_level": level}))
    return out


def _procedure_scope_q(scope: Scope, p: str = "") -> Q:
    q = Q()
    if scope.sector_id is not None:
        q &= Q(**{f"{p}sector_id": scope.sector_id})
    if scope.procedure_id is not None:
        q &= Q(**{f"{p}pk": scope.procedure_id})
    return q


def procedure_counts(*, scope: Scope) -> dict[str, Any]:
    """Counts over the procedures the scope's agencies implement, in one aggregate query."""
    qs = Procedure.objects.filter(_procedure_scope_q(scope))
    if scope.agency_ids is not None:
        through = Procedure.implementing_agencies.through
        qs = qs.filter(
            Exists(through.objects.filter(procedure_id=OuterRef("pk"), agency_id__in=sorted(scope.agency_ids)))
        )
    return qs.alias(**_procedure_flags(p="", procedure_ref="pk")).aggregate(**_procedure_aggregates())


def procedure_counts_by_agency(*, period: Period, scope: Scope) -> dict[int, dict[str, Any]]:
    """Procedure counts per implementing agency (each agency its own procedures), two queries.

    3.2's numerator (online services of the agency that received an online dossier there) is
    counted from the dossiers' side, grouped by agency: a correlated EXISTS per (procedure,
    agency) found no index on the receipt date and took seconds over a million dossiers.
    """
    through = Procedure.implementing_agencies.through
    qs = through.objects.filter(_procedure_scope_q(scope, "procedure__"))
    if scope.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(scope.agency_ids))
    flags = _procedure_flags(p="procedure__", procedure_ref="procedure_id")
    rows = qs.alias(**flags).values("agency_id").annotate(**_procedure_aggregates("procedure__")).order_by()
    result = {row.pop("agency_id"): {**row, f"{Measure.ONLINE_SERVICE_USED}__num": 0} for row in rows}
    used = (
        Dossier.objects.filter(
            scope.dossier_q(),
            channel__in=ONLINE_CHANNELS,
            received_at__gte=period.start,
            received_at__lt=period.end,
            procedure__is_published=True,
            procedure__online_level__in=ONLINE_LEVELS,
        )
        .filter(Exists(through.objects.filter(procedure_id=OuterRef("procedure_id"), agency_id=OuterRef("agency_id"))))
        .values("agency_id")
        .annotate(n=Count("procedure_id", distinct=True))
        .order_by()
    )
    for row in used:
        if row["agency_id"] in result:
            result[row["agency_id"]][f"{Measure.ONLINE_SERVICE_USED}__num"] = row["n"]
    return result


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str
    group_code: str
    measure: str
    max_points: Decimal
    formula_kind: str
    threshold_percent: Decimal | None
    numerator: int | None
    denominator: int | None
    rate: Decimal | None  # percent, 2 decimals
    points: Decimal | None  # None: không đủ dữ liệu
    display: str = ""
    note: str = ""

    @property
    def lost(self) -> Decimal | None:
        return None if self.points is None else self.max_points - self.points

    @property
    def drillable(self) -> bool:
        return self.measure in DOSSIER_MEASURES or self.measure == Measure.SATISFACTION


@dataclass(frozen=True)
class GroupResult:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    scored_max: Decimal  # maximum of the indicators that could be computed


@dataclass(frozen=True)
class Scorecard:
    period: Period
    indicators: list[IndicatorResult]
    groups: list[GroupResult]
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def total_points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def total_max(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    @property
    def scored_max(self) -> Decimal:
        return sum((g.scored_max for g in self.groups), Decimal(0))

    def get(self, code: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.code == code)

    def rate(self, measure: str) -> Decimal | None:
        return _rate(self.counts.get(f"{measure}__num"), self.counts.get(f"{measure}__den"))

    @property
    def rate_online(self) -> Decimal | None:
        return self.rate(Measure.DOSSIER_ONLINE)

    @property
    def rate_on_time(self) -> Decimal | None:
        return self.rate(Measure.ON_TIME)

    @property
    def rate_paid_online(self) -> Decimal | None:
        return self.rate(Measure.DOSSIER_PAID_ONLINE)


def _rate(num: int | None, den: int | None) -> Decimal | None:
    if not den or num is None:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(CENT, ROUND_HALF_UP)


def points_for(*, rule: IndicatorRule, rate_percent: Decimal) -> Decimal:
    """A rate (percent) to points under the rule's formula, rounded to 2 decimals."""
    fraction = Decimal(rate_percent) / 100
    if rule.formula_kind == FormulaKind.THRESHOLD and rule.threshold_percent:
        fraction = min(Decimal(1), fraction * 100 / Decimal(rule.threshold_percent))
    elif rule.formula_kind == FormulaKind.DISPLAY:
        return Decimal(0)
    return (max(Decimal(0), fraction) * rule.max_points).quantize(CENT, ROUND_HALF_UP)


def _average_text(value: dt.timedelta | None) -> str:
    if value is None:
        return "không đủ dữ liệu"
    days = Decimal(value.total_seconds()) / 86400
    return f"{days.quantize(Decimal('0.1'), ROUND_HALF_UP)} ngày".replace(".", ",")  # Vietnamese decimal comma


def _exact_rate(num: int | None, den: int | None) -> Decimal | None:
    """Exact fraction × 100 (not rounded), for formulas that combine rates."""
    if not den or num is None:
        return None
    return Decimal(num) * 100 / Decimal(den)


def score(*, rules: Rules, counts: dict[str, Any], period: Period) -> Scorecard:
    """Turn counts into each indicator's rate and points, and each group's sum (pure Python, no queries)."""
    results: list[IndicatorResult] = []
    for rule in rules.indicators:
        num = counts.get(f"{rule.measure}__num")
        den = counts.get(f"{rule.measure}__den")
        rate = _exact_rate(num, den)
        display = ""
        if rule.measure == Measure.AVERAGE_PROCESSING_TIME:
            display = _average_text(counts.get("average_processing_time"))
        if rule.measure == Measure.SATISFACTION:
            # 100% − (late rate + complaint rate): late among assessed, complained among finished.
            on_time = _exact_rate(counts.get(f"{Measure.ON_TIME}__num"), counts.get(f"{Measure.ON_TIME}__den"))
            complained = _exact_rate(counts.get("complained__num"), counts.get("complained__den"))
            rate = None if on_time is None else max(Decimal(0), on_time - (complained or Decimal(0)))
            # Shown as without complaint / finished, matching 5.4's drill-down (met = no complaint).
            den = counts.get("complained__den")
            num = None if den is None else den - (counts.get("complained__num") or 0)
        points = None
        if rate is not None and rule.formula_kind != FormulaKind.DISPLAY:
            points = points_for(rule=rule, rate_percent=rate)
        results.append(
            IndicatorResult(
                code=rule.code,
                name=rule.name,
                group_code=rule.group_code,
                measure=rule.measure,
                max_points=rule.max_points,
                formula_kind=rule.formula_kind,
                threshold_percent=rule.threshold_percent,
                numerator=num,
                denominator=den,
                rate=None if rate is None else rate.quantize(CENT, ROUND_HALF_UP),
                points=points,
                display=display,
                note=rule.note,
            )  # fmt: skip
        )
    groups = []
    for group in rules.groups:
        members = [r for r in results if r.group_code == group.code and r.points is not None]
        groups.append(
            GroupResult(
                code=group.code,
                name=group.name,
                max_points=group.max_points,
                points=sum((r.points for r in members if r.points is not None), Decimal(0)),
                scored_max=sum((r.max_points for r in members), Decimal(0)),
            )
        )
    return Scorecard(period=period, indicators=results, groups=groups, counts=counts)


def scorecard(*, period: Period, scope: Scope, now: dt.datetime | None = None, rules: Rules | None = None) -> Scorecard:
    """The whole indicator set for a period and scope: 2 queries for the counts (and 2 for the rules unless given)."""
    rules = rules or rules_in_force(on=period.first_day)
    counts = {**dossier_counts(period=period, scope=scope, now=now), **procedure_counts(scope=scope)}
    return score(rules=rules, counts=counts, period=period)


# ---------------------------------------------------------------- dashboard pieces


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    card: Scorecard
    target: AgencyTarget | None

    @property
    def behind(self) -> list[str]:
        """Names of the targets the agency has not reached (so far in the period)."""
        if self.target is None:
            return []
        checks = [
            ("Tỷ lệ hồ sơ trực tuyến", self.card.rate(Measure.DOSSIER_ONLINE), self.target.online_rate),
            ("Tỷ lệ hồ sơ đúng hạn", self.card.rate(Measure.ON_TIME), self.target.on_time_rate),
            (
                "Tỷ lệ thanh toán trực tuyến",
                self.card.rate(Measure.DOSSIER_PAID_ONLINE),
                self.target.online_payment_rate,
            ),
        ]
        return [name for name, actual, wanted in checks if actual is not None and actual < wanted]


def agency_ranking(*, period: Period, scope: Scope, rules: Rules, now: dt.datetime | None = None) -> list[AgencyRow]:
    """Each agency in scope with its own score (its own dossiers and procedures), best first.

    Five queries whatever the number of agencies: agencies, dossier counts per agency,
    procedure counts per agency (two), targets.
    """
    agencies = Agency.objects.filter(is_active=True)
    if scope.agency_ids is not None:
        agencies = agencies.filter(pk__in=sorted(scope.agency_ids))
    by_agency = dossier_counts_by(period=period, scope=scope, key="agency_id", now=now)
    procedures = procedure_counts_by_agency(period=period, scope=scope)
    targets = {
        t.agency_id: t
        for t in AgencyTarget.objects.filter(year=period.start.year, agency_id__in=[a.pk for a in agencies])
    }
    rows = []
    for agency in agencies:
        counts = {**by_agency.get(agency.pk, {}), **procedures.get(agency.pk, {})}
        if not counts:
            continue
        rows.append(
            AgencyRow(
                agency=agency, card=score(rules=rules, counts=counts, period=period), target=targets.get(agency.pk)
            )
        )
    rows.sort(key=lambda r: (-r.card.total_points, r.agency.name))
    return rows


@dataclass(frozen=True)
class ProcedureCost:
    procedure: Procedure
    lost_points: Decimal
    missed: int


def procedures_costing_most(
    *, card: Scorecard, scope: Scope, rules: Rules, limit: int = 5, now: dt.datetime | None = None
) -> list[ProcedureCost]:
    """The procedures whose missed dossiers cost the most points of the scope's score (2 queries).

    Each dossier indicator's lost points (maximum − points) are shared among procedures in
    proportion to their missed dossiers, so the shares add up to exactly what was lost.
    """
    by_procedure = dossier_counts_by(period=card.period, scope=scope, key="procedure_id", now=now)
    costs: dict[int, tuple[Decimal, int]] = {}
    for rule in rules.indicators:
        if rule.measure not in DOSSIER_MEASURES or rule.formula_kind == FormulaKind.DISPLAY:
            continue
        result = card.get(rule.code)
        missed_total = (result.denominator or 0) - (result.numerator or 0)
        if result.lost is None or result.lost <= 0 or missed_total <= 0:
            continue
        for procedure_id, counts in by_procedure.items():
            missed = (counts.get(f"{rule.measure}__den") or 0) - (counts.get(f"{rule.measure}__num") or 0)
            if missed:
                lost, n = costs.get(procedure_id, (Decimal(0), 0))
                costs[procedure_id] = (lost + result.lost * missed / missed_total, n + missed)
    top = sorted(costs.items(), key=lambda item: -item[1][0])[:limit]
    procedures = Procedure.objects.in_bulk([pid for pid, _cost in top])
    return [
        ProcedureCost(procedure=procedures[pid], lost_points=lost.quantize(CENT, ROUND_HALF_UP), missed=missed)
        for pid, (lost, missed) in top
    ]


def monthly_trend(
    *, period: Period, scope: Scope, now: dt.datetime | None = None, book: RuleBook | None = None
) -> list[Scorecard]:
    """One scorecard per month of the period's year up to the current month.

    One dossier query per month, one procedure query for all (procedures have no period).
    """
    now = now or timezone.now()
    book = book or rule_book()
    year = period.start.year
    months = [m for m in (period_month(year=year, month=n) for n in range(1, 13)) if m.start <= now]
    procedures = procedure_counts(scope=scope) if months else {}
    return [
        score(
            rules=rules_in_force(on=m.first_day, book=book),
            counts={**dossier_counts(period=m, scope=scope, now=now), **procedures},
            period=m,
        )
        for m in months
    ]


@dataclass(frozen=True)
class TargetProgress:
    label: str
    target: Decimal
    actual: Decimal | None

    @property
    def behind(self) -> bool:
        return self.actual is not None and self.actual < self.target


def target_progress(*, agency: Agency, card: Scorecard) -> list[TargetProgress]:
    """The agency's targets for the period's year against the rates of `card` (its subtree); one query."""
    target = AgencyTarget.objects.filter(agency=agency, year=card.period.start.year).first()
    if target is None:
        return []
    return [
        TargetProgress("Tỷ lệ hồ sơ trực tuyến", target.online_rate, card.rate_online),
        TargetProgress("Tỷ lệ hồ sơ đúng hạn", target.on_time_rate, card.rate_on_time),
        TargetProgress("Tỷ lệ thanh toán trực tuyến", target.online_payment_rate, card.rate_paid_online),
    ]


@dataclass(frozen=True)
class Dashboard:
    card: Scorecard
    trend: list[Scorecard]
    ranking: list[AgencyRow]
    costly: list[ProcedureCost]


def dashboard_get(*, period: Period, scope: Scope, now: dt.datetime | None = None) -> Dashboard:
    """Everything the leaders' dashboard shows; the number of queries depends on the months shown, not the data."""
    now = now or timezone.now()
    book = rule_book()
    rules = rules_in_force(on=period.first_day, book=book)
    card = scorecard(period=period, scope=scope, now=now, rules=rules)
    return Dashboard(
        card=card,
        trend=monthly_trend(period=period, scope=scope, now=now, book=book),
        ranking=agency_ranking(period=period, scope=scope, rules=rules, now=now),
        costly=procedures_costing_most(card=card, scope=scope, rules=rules, now=now),
    )


# ---------------------------------------------------------------- the formula document (indicators.engine)


def rule_specs() -> tuple[list[engine.RuleSpec], list[engine.GroupSpec]]:
    """Every version of every rule, and the groups, as the engine's plain data (two queries)."""
    specs = [
        engine.RuleSpec(
            code=r.code,
            group_code=r.group_code,
            name=r.name,
            measure=r.measure,
            max_points=r.max_points,
            formula_kind=r.formula_kind,
            threshold_percent=r.threshold_percent,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
            population=r.population,
            numerator=r.numerator,
            note=r.note,
            unavailable=r.unavailable,
        )
        for r in IndicatorRule.objects.order_by("code", "-effective_from")
    ]
    groups: dict[str, IndicatorGroup] = {}
    for group in IndicatorGroup.objects.order_by("code", "-effective_from"):
        groups.setdefault(group.code, group)
    return specs, [engine.GroupSpec(code=g.code, name=g.name, max_points=g.max_points) for g in groups.values()]


def engine_period(period: Period, now: dt.datetime) -> engine.Period:
    return engine.Period(start=period.start, end=period.end, cutoff=min(period.end, now))


def where_for(scope: Scope) -> service_counts.Where:
    return service_counts.Where(agency_ids=scope.agency_ids, sector_id=scope.sector_id, procedure_id=scope.procedure_id)


@dataclass(frozen=True)
class DocumentScores:
    """The formula document's figures for one period: the scope's and each agency's."""

    period: Period
    province: engine.Result
    agencies: dict[int, engine.Result]
    inputs: engine.Inputs


def document_scores(
    *, period: Period, scope: Scope, now: dt.datetime | None = None, agency_ids: list[int] | None = None
) -> DocumentScores:
    """Every indicator of the formula document for `scope`, and for each agency in `agency_ids`
    (its own services), from one set of queries (indicators.counts.inputs)."""
    from workflows.selectors import working_calendar

    now = now or timezone.now()
    specs, groups = rule_specs()
    rules = engine.rules_in_force(specs, on=period.first_day)
    eperiod = engine_period(period, now)
    data = service_counts.inputs(period=eperiod, where=where_for(scope), calendar=working_calendar())
    whole = engine.compute(rules=rules, groups=groups, inputs=data, period=eperiod)
    per_agency = {
        agency_id: engine.compute(
            rules=rules, groups=groups, inputs=engine.narrow(data, agency_ids=frozenset({agency_id})), period=eperiod
        )
        for agency_id in agency_ids or []
    }
    return DocumentScores(period=period, province=whole, agencies=per_agency, inputs=data)
