"""The pure engine (indicators.engine): rules in force, gaps, thresholds; no database."""

import datetime as dt
from decimal import Decimal

from indicators import engine

UTC = dt.UTC
PERIOD = engine.Period(
    start=dt.datetime(2026, 10, 1, tzinfo=UTC), end=dt.datetime(2026, 11, 1, tzinfo=UTC),
    cutoff=dt.datetime(2026, 11, 1, tzinfo=UTC),
)  # fmt: skip
GROUPS = [engine.GroupSpec(code="1", name="Công khai", max_points=Decimal(18))]


def rule(**kw):
    base = {
        "code": "1.4", "group_code": "1", "name": "Đồng bộ", "measure": "dossier_synced",
        "max_points": Decimal(6), "formula_kind": engine.RATIO,
    }  # fmt: skip
    return engine.RuleSpec(**{**base, **kw})


def inputs(received=4, synced=3):
    service = engine.ServiceCounts(procedure_id=1, agency_id=1, counts={"received": received, "synced": synced})
    return engine.Inputs(procedures=[engine.ProcedureFacts(procedure_id=1)], services=[service])


def test_a_gap_between_rule_versions_says_there_is_no_rule_and_leaves_it_out_of_n():
    # given 1.4 in force until 30/9 and again from 1/11: October falls in the gap
    versions = [
        rule(effective_from=dt.date(2022, 6, 23), effective_to=dt.date(2026, 9, 30)),
        rule(effective_from=dt.date(2026, 11, 1)),
    ]

    # when
    rules = engine.rules_in_force(versions, on=dt.date(2026, 10, 1))
    result = engine.compute(rules=rules, groups=GROUPS, inputs=inputs(), period=PERIOD)

    # then
    assert rules == {"1.4": None}
    assert result.get("1.4").reason == engine.NO_RULE == "Chưa có quy tắc áp dụng cho kỳ này."
    assert result.get("1.4").points is None
    assert result.scored_max == 0


def test_the_version_in_force_is_the_latest_started():
    versions = [
        rule(effective_from=dt.date(2022, 6, 23)),
        rule(effective_from=dt.date(2026, 10, 1), max_points=Decimal(8)),
    ]

    rules = engine.rules_in_force(versions, on=dt.date(2026, 10, 15))
    result = engine.compute(rules=rules, groups=GROUPS, inputs=inputs(), period=PERIOD)

    # 3/4 = 75% × 8 = 6.00 (the new maximum)
    assert result.get("1.4").points == Decimal("6.00")
    assert result.scored_max == Decimal(8)


def test_no_dossier_is_a_reason_not_a_division_by_zero():
    rules = engine.rules_in_force([rule()], on=dt.date(2026, 10, 1))

    result = engine.compute(rules=rules, groups=GROUPS, inputs=inputs(received=0, synced=0), period=PERIOD)

    assert result.get("1.4").reason == "Không có hồ sơ trong kỳ."
    assert result.total_points == 0


def test_threshold_gives_full_marks_at_the_threshold_and_proportional_below():
    assert engine.points_for(
        kind=engine.THRESHOLD, max_points=Decimal(2), threshold=Decimal(80), rate=Decimal(80)
    ) == Decimal("2.00")
    assert engine.points_for(
        kind=engine.THRESHOLD, max_points=Decimal(2), threshold=Decimal(80), rate=Decimal(75)
    ) == Decimal("1.88")
    assert engine.points_for(kind=engine.RATIO, max_points=Decimal(6), threshold=None, rate=Decimal(50)) == Decimal(
        "3.00"
    )
