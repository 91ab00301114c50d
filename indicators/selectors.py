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
    BooleanField,
    Case,
    Count,
    Exists,
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
from dossiers.constants import Channel
from dossiers.models import Dossier
from procedures.constants import OnlineLevel
from procedures.models import Agency, DossierComponent, Fee, Procedure
from procedures.selectors import agency_descendant_ids

from . import counts as service_counts
from . import engine, national
from .constants import FormulaKind, Measure, Outcome
from .models import AgencyTarget, IndicatorGroup, IndicatorRule

T = TypeVar("T")

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CENT = Decimal("0.01")
ONLINE_CHANNELS = (Channel.ONLINE, Channel.NATIONAL_PORTAL)
ONLINE_LEVELS = (OnlineLevel.FULL, OnlineLevel.PARTIAL)

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
    """The latest version of every indicator and group that took effect on or before `on`
    (an indicator whose latest version has ended by then has none: a gap, as in the engine)."""
    book = book or rule_book()
    rules: dict[str, IndicatorRule] = {}
    decided: set[str] = set()
    for rule in book.indicators:
        if rule.code in decided or rule.effective_from > on:
            continue
        decided.add(rule.code)
        if rule.effective_to is None or on <= rule.effective_to:
            rules[rule.code] = rule
    groups: dict[str, IndicatorGroup] = {}
    for group in book.groups:
        if group.effective_from <= on:
            groups.setdefault(group.code, group)
    return Rules(
        indicators=sorted(rules.values(), key=lambda r: code_order(r.code)),
        groups=sorted(groups.values(), key=lambda g: g.code),
    )


# ---------------------------------------------------------------- the dossiers behind a figure

# measure -> (denominator fact, numerator fact) of indicators.counts.dossier_facts; 5.4's
# "met" is on time and without complaint or dislike.
DRILL_DOWNS: dict[str, tuple[str, str]] = {
    Measure.DOSSIER_SYNCED: ("received", "synced"),
    Measure.ON_TIME: ("assessed", "on_time"),
    Measure.DOSSIER_ONLINE: ("received", "online_counted"),
    Measure.DOSSIER_PAID_ONLINE: ("fee_due", "paid_online"),
    Measure.ELECTRONIC_RESULT: ("paper_due", "e_result"),
    Measure.DIGITISED: ("received", "digitised"),
    Measure.REUSED: ("received", "reused"),
    Measure.SHARED: ("received", "shared"),
    Measure.DOSSIER_POPULATION: ("received", "population"),
    Measure.SATISFACTION: ("assessed", "satisfied"),
}


def _cached(name: str, *, period: Period, scope: Scope, now: dt.datetime, compute: Callable[[], T]) -> T:
    """`compute()`, kept INDICATORS_CACHE_SECONDS in the cache when the period has ended.

    A finished month's counts no longer depend on the clock (every condition stops at the
    period's end), only on later writes: a late sync, a complaint, a correction. Those show
    within INDICATORS_CACHE_SECONDS; the running period is always computed."""
    seconds = settings.INDICATORS_CACHE_SECONDS
    if seconds <= 0 or period.end > now:
        return compute()
    where = (
        f"{sorted(scope.agency_ids) if scope.agency_ids is not None else '*'}:{scope.sector_id}:{scope.procedure_id}"
    )
    key = f"indicators:v2:{name}:{period.key}:{hashlib.sha256(where.encode()).hexdigest()[:32]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return cast(T, value)


def dossier_list_for_indicator(
    *, measure: str, outcome: Outcome, period: Period, scope: Scope, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one indicator's count (the same conditions as indicators.counts):
    all counted, those that met it, or those that did not."""
    now = now or timezone.now()
    pair = DRILL_DOWNS.get(measure)
    if pair is None:
        return Dossier.objects.none()
    eperiod = engine_period(period, now)
    facts = service_counts.dossier_facts(eperiod)
    facts["satisfied"] = facts["on_time"] & ~facts["unhappy"]
    den, num = pair
    qs = service_counts.dossier_base(eperiod, where_for(scope).dossier_q()).filter(facts[den])
    if outcome != Outcome.ALL:
        # A CASE, not NOT(...): a NULL inside the condition (a running dossier's end) must read as "not met".
        qs = qs.alias(met=Case(When(facts[num], then=Value(True)), default=Value(False), output_field=BooleanField()))
        qs = qs.filter(met=outcome == Outcome.MET)
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


# ---------------------------------------------------------------- scoring (the formula document: indicators.engine)


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
    points: Decimal | None  # None: not computed (see `reason`)
    display: str = ""
    note: str = ""  # the rule's wording, quoted from the formula document
    reason: str = ""  # why it is not computed, in plain Vietnamese

    @property
    def lost(self) -> Decimal | None:
        return None if self.points is None else self.max_points - self.points

    @property
    def drillable(self) -> bool:
        return self.measure in DRILL_DOWNS


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
    inputs: engine.Inputs | None = None  # what the figures were computed from (per service)

    @property
    def total_points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def total_max(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    @property
    def scored_max(self) -> Decimal:
        """N of "x / N điểm"."""
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
    """A rate (percent) to points under the rule's formula, rounded to 2 decimals (indicators.engine)."""
    if rule.formula_kind == FormulaKind.DISPLAY:
        return Decimal(0)
    return engine.points_for(
        kind=rule.formula_kind, max_points=rule.max_points, threshold=rule.threshold_percent, rate=Decimal(rate_percent)
    )


def card_from(*, period: Period, result: engine.Result, inputs: engine.Inputs | None = None) -> Scorecard:
    """The engine's result as the dashboard's, reports' and API's Scorecard."""
    indicators = [
        IndicatorResult(
            code=i.code,
            name=i.name,
            group_code=i.group_code,
            measure=i.measure,
            max_points=i.max_points,
            formula_kind=i.formula_kind,
            threshold_percent=i.threshold_percent,
            numerator=i.numerator,
            denominator=i.denominator,
            rate=i.rate,
            points=i.points if i.scored else None,
            display=i.display,
            note=i.note,
            reason=i.reason,
        )
        for i in result.indicators
    ]
    groups = [
        GroupResult(code=g.code, name=g.name, max_points=g.max_points, points=g.points, scored_max=g.scored_max)
        for g in result.groups
    ]
    counts: dict[str, Any] = {}
    if inputs is not None:
        for service in inputs.services:
            for key, value in service.counts.items():
                counts[key] = counts.get(key, 0) + (value or 0)
        for level in OnlineLevel:
            counts[f"level__{level.value}"] = sum(1 for p in inputs.procedures if p.published and p.level == level)
    for i in indicators:
        counts[f"{i.measure}__num"] = i.numerator
        counts[f"{i.measure}__den"] = i.denominator
    # The share of dossiers received online (targets, the monthly report): not 3.3's stricter count.
    counts[f"{Measure.DOSSIER_ONLINE}__num"] = counts.get("online_received")
    counts[f"{Measure.DOSSIER_ONLINE}__den"] = counts.get("received")
    return Scorecard(period=period, indicators=indicators, groups=groups, counts=counts, inputs=inputs)


Specs = tuple[list[engine.RuleSpec], list[engine.GroupSpec]]


def _inputs(
    *, period: Period, scope: Scope, now: dt.datetime, known: service_counts.Catalogue | None = None
) -> engine.Inputs:
    """The engine's inputs (four queries, two with `known`), cached once the period has ended."""
    from workflows.selectors import working_calendar

    return _cached(
        "inputs",
        period=period,
        scope=scope,
        now=now,
        compute=lambda: service_counts.inputs(
            period=engine_period(period, now), where=where_for(scope), calendar=working_calendar(), known=known
        ),
    )


def scorecard(
    *,
    period: Period,
    scope: Scope,
    now: dt.datetime | None = None,
    rules: Rules | None = None,
    specs: Specs | None = None,
    known: service_counts.Catalogue | None = None,
) -> Scorecard:
    """Every indicator of the formula document for a period and scope. `rules` is accepted for
    callers that loaded them (the engine reads every version itself, to find gaps); `specs` and
    `known` let a page that scores many periods load the rules and the catalogue once."""
    now = now or timezone.now()
    versions, groups = specs or rule_specs()
    data = _inputs(period=period, scope=scope, now=now, known=known)
    result = engine.compute(
        rules=engine.rules_in_force(versions, on=period.first_day),
        groups=groups,
        inputs=data,
        period=engine_period(period, now),
    )
    return card_from(period=period, result=result, inputs=data)


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


def agency_ranking(
    *,
    period: Period,
    scope: Scope,
    rules: Rules,
    now: dt.datetime | None = None,
    specs: Specs | None = None,
    inputs: engine.Inputs | None = None,
) -> list[AgencyRow]:
    """Each agency in scope with its own score (its own services), best first.

    The same queries as one scorecard (the scope's inputs, then the engine per agency), plus
    the agencies and their targets. An agency with neither a service nor a dossier is left out.
    """
    now = now or timezone.now()
    agencies = Agency.objects.filter(is_active=True)
    if scope.agency_ids is not None:
        agencies = agencies.filter(pk__in=sorted(scope.agency_ids))
    versions, groups = specs or rule_specs()
    in_force = engine.rules_in_force(versions, on=period.first_day)
    eperiod = engine_period(period, now)
    data = inputs if inputs is not None else _inputs(period=period, scope=scope, now=now)
    present = {s.agency_id for s in data.services}
    targets = {
        t.agency_id: t
        for t in AgencyTarget.objects.filter(year=period.start.year, agency_id__in=[a.pk for a in agencies])
    }
    rows = []
    for agency in agencies:
        if agency.pk not in present:
            continue
        part = engine.narrow(data, agency_ids=frozenset({agency.pk}))
        result = engine.compute(rules=in_force, groups=groups, inputs=part, period=eperiod)
        rows.append(
            AgencyRow(
                agency=agency, card=card_from(period=period, result=result, inputs=part), target=targets.get(agency.pk)
            )
        )
    rows.sort(key=lambda r: (-r.card.total_points, r.agency.name))
    return rows


@dataclass(frozen=True)
class ProcedureCost:
    procedure: Procedure
    lost_points: Decimal
    missed: int


def _missed(indicator: IndicatorResult | engine.Indicator) -> int:
    if indicator.denominator is None or indicator.numerator is None:
        return 0
    return max(0, min(indicator.denominator, indicator.denominator - indicator.numerator))


def procedures_costing_most(
    *,
    card: Scorecard,
    scope: Scope,
    rules: Rules,
    limit: int = 5,
    now: dt.datetime | None = None,
    specs: Specs | None = None,
) -> list[ProcedureCost]:
    """The procedures whose dossiers (or own facts) cost the most points of the scope's score.

    Each scored indicator's lost points (maximum − points) are shared among procedures in
    proportion to what each misses of it (its denominator − numerator, the engine run on the
    procedure's own services), so the shares add up to what was lost. One query (the procedures).
    """
    now = now or timezone.now()
    data = card.inputs if card.inputs is not None else _inputs(period=card.period, scope=scope, now=now)
    versions, _groups = specs or rule_specs()
    in_force = engine.rules_in_force(versions, on=card.period.first_day)
    eperiod = engine_period(card.period, now)
    losing = [
        i for i in card.indicators if i.points is not None and i.lost is not None and i.lost > 0 and _missed(i) > 0
    ]
    if not losing:
        return []
    by_procedure: dict[int, list[engine.ServiceCounts]] = {}
    for service in data.services:
        by_procedure.setdefault(service.procedure_id, []).append(service)
    facts = {p.procedure_id: p for p in data.procedures}
    complaints: dict[int, list[engine.ComplaintFacts]] = {}
    for complaint in data.complaints:
        complaints.setdefault(complaint.procedure_id, []).append(complaint)
    wanted = {i.code: in_force[i.code] for i in losing}
    costs: dict[int, tuple[Decimal, int]] = {}
    for procedure_id, services in by_procedure.items():
        part = engine.Inputs(
            procedures=[facts[procedure_id]] if procedure_id in facts else [],
            services=services,
            complaints=complaints.get(procedure_id, []),
            province=data.province,
        )
        lost, missed = Decimal(0), 0
        for whole in losing:
            rule = wanted[whole.code]
            if rule is None:
                continue
            mine = _missed(engine.indicator(rule, part, eperiod))
            if mine:
                lost += whole.lost * mine / _missed(whole)  # type: ignore[operator]
                missed += mine
        if missed:
            costs[procedure_id] = (lost, missed)
    top = sorted(costs.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    procedures = Procedure.objects.in_bulk([pid for pid, _cost in top])
    return [
        ProcedureCost(procedure=procedures[pid], lost_points=lost.quantize(CENT, ROUND_HALF_UP), missed=missed)
        for pid, (lost, missed) in top
        if pid in procedures
    ]


def monthly_trend(
    *,
    period: Period,
    scope: Scope,
    now: dt.datetime | None = None,
    book: RuleBook | None = None,
    specs: Specs | None = None,
    known: service_counts.Catalogue | None = None,
    card: Scorecard | None = None,
) -> list[Scorecard]:
    """One scorecard per month of the period's year up to the current month (ended months cached);
    two queries a month once the rules and the catalogue are loaded (`card`: the period's own)."""
    now = now or timezone.now()
    specs = specs or rule_specs()
    known = known or service_counts.catalogue(where_for(scope))
    year = period.start.year
    months = [m for m in (period_month(year=year, month=n) for n in range(1, 13)) if m.start <= now]
    return [
        card
        if card is not None and card.period == m
        else scorecard(period=m, scope=scope, now=now, specs=specs, known=known)
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
    specs = rule_specs()
    known = service_counts.catalogue(where_for(scope))
    card = scorecard(period=period, scope=scope, now=now, specs=specs, known=known)
    return Dashboard(
        card=card,
        trend=monthly_trend(period=period, scope=scope, now=now, specs=specs, known=known, card=card),
        ranking=agency_ranking(period=period, scope=scope, rules=rules, now=now, specs=specs, inputs=card.inputs),
        costly=procedures_costing_most(card=card, scope=scope, rules=rules, now=now, specs=specs),
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


def national_preview(
    *, period: Period, scope: Scope, now: dt.datetime | None = None, agency_id: int | None = None
) -> national.Preview:
    """The formula document's figures from our data and from the records the national portal
    accepted, side by side, with the dossiers behind every difference (indicators.national)."""
    from workflows.selectors import working_calendar

    now = now or timezone.now()
    specs, groups = rule_specs()
    return national.preview(
        period=engine_period(period, now),
        where=where_for(scope),
        rules=engine.rules_in_force(specs, on=period.first_day),
        groups=groups,
        calendar=working_calendar(),
        agency_id=agency_id,
    )


# ---------------------------------------------------------------- explaining one indicator

EXPLAIN_LIMIT = 50


@dataclass(frozen=True)
class MissedDossier:
    dossier: Dossier
    cause: str


@dataclass(frozen=True)
class MissedProcedure:
    procedure: Procedure
    agency: Agency | None
    cause: str


@dataclass(frozen=True)
class Explanation:
    rule: IndicatorRule
    result: IndicatorResult
    dossiers: dict[str, list[MissedDossier]]  # cause -> the first EXPLAIN_LIMIT dossiers
    dossier_count: int
    procedures: dict[str, list[MissedProcedure]]


def _dossier_cause(measure: str, dossier: Dossier, rule: IndicatorRule) -> str:
    if measure == Measure.ON_TIME:
        if dossier.supplement_count > 1:
            return "Yêu cầu bổ sung quá 1 lần"
        if dossier.finished_at or dossier.closed_at:
            return "Kết thúc xử lý sau ngày hẹn trả"
        return "Đang xử lý, đã quá hạn"
    if measure == Measure.DOSSIER_SYNCED:
        return "Chưa đồng bộ lên Cổng DVCQG"
    return f"Chưa đạt: {rule.numerator}" if rule.numerator else "Chưa đạt"


def indicator_explanation(
    *, code: str, period: Period, scope: Scope, now: dt.datetime | None = None
) -> Explanation | None:
    """What costs one indicator its points: the dossiers or procedures it misses, grouped by cause
    (dossiers: a limited first page; the drill-down lists them all). None: no such indicator."""
    now = now or timezone.now()
    rule = (
        IndicatorRule.objects.filter(code=code, effective_from__lte=period.first_day)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        return None
    card = scorecard(period=period, scope=scope, now=now)
    result = next((i for i in card.indicators if i.code == code), None)
    if result is None:
        return None
    dossiers: dict[str, list[MissedDossier]] = {}
    count = 0
    if rule.measure in DRILL_DOWNS:
        missed = dossier_list_for_indicator(
            measure=rule.measure, outcome=Outcome.MISSED, period=period, scope=scope, now=now
        )
        count = missed.count()
        for dossier in missed[:EXPLAIN_LIMIT]:
            cause = _dossier_cause(rule.measure, dossier, rule)
            dossiers.setdefault(cause, []).append(MissedDossier(dossier=dossier, cause=cause))
    procedures: dict[str, list[MissedProcedure]] = {}
    if card.inputs is not None:
        missing = engine.missing_procedures(rule.measure, card.inputs)
        by_id = Procedure.objects.in_bulk([m.procedure_id for m in missing])
        agencies = Agency.objects.in_bulk([m.agency_id for m in missing if m.agency_id is not None])
        for item in missing:
            if item.procedure_id in by_id:
                procedures.setdefault(item.cause, []).append(
                    MissedProcedure(
                        procedure=by_id[item.procedure_id],
                        agency=agencies.get(item.agency_id) if item.agency_id is not None else None,
                        cause=item.cause,
                    )
                )
    return Explanation(rule=rule, result=result, dossiers=dossiers, dossier_count=count, procedures=procedures)
