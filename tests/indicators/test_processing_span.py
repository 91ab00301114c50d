"""The 766 counts of one period read the dossiers being processed during it through one GiST
index (dossiers.periods): the overlap must select exactly the rows the plain comparisons select,
and PostgreSQL must be able to answer it from the index."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from dossiers.models import Dossier
from indicators import counts, engine
from workflows.constants import Status

from .conftest import VN, at, make_dossier

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="tstzrange and GiST: PostgreSQL")


def period(start: tuple[int, int, int], end: tuple[int, int, int]) -> engine.Period:
    start_at, end_at = (dt.datetime(*day, tzinfo=VN) for day in (start, end))
    return engine.Period(start=start_at, end=end_at, cutoff=end_at)


def closed(dossier, status: Status, when: dt.datetime | None):
    Dossier.objects.filter(pk=dossier.pk).update(status=status, closed_at=when)
    return dossier


@pytest.fixture
def edge_cases(province):
    birth, department = province["birth"], province["department"]
    made = {
        "received in, running": make_dossier(birth, department, received=at(10)),
        "received in, finished in": make_dossier(birth, department, received=at(3), finished=at(8)),
        "received before, finished in": make_dossier(birth, department, received=at(20, month=9), finished=at(2)),
        "received before, finished before": make_dossier(
            birth, department, received=at(1, month=9), finished=at(29, month=9)
        ),
        "received before, finished after": make_dossier(
            birth, department, received=at(1, month=9), finished=at(3, month=11)
        ),
        "received before, running": make_dossier(birth, department, received=at(2, month=8)),
        "received after": make_dossier(birth, department, received=at(2, month=11)),
        "finished at the start exactly": make_dossier(
            birth, department, received=at(28, month=9), finished=dt.datetime(2026, 10, 1, tzinfo=VN)
        ),
        "withdrawn before": closed(
            make_dossier(birth, department, received=at(1, month=9)), Status.WITHDRAWN, at(15, month=9)
        ),
        "withdrawn in": closed(make_dossier(birth, department, received=at(1, month=9)), Status.WITHDRAWN, at(5)),
        # A stop with no closing time recorded is still running as far as 2.1 knows.
        "stopped, no close time": closed(
            make_dossier(birth, department, received=at(1, month=9)), Status.STOPPED, None
        ),
        # Bad data: an end recorded before the receipt (a tstzrange of it would be inverted).
        "ended before received": make_dossier(birth, department, received=at(12), finished=at(11)),
        "ended before received, before": make_dossier(
            birth, department, received=at(12, month=9), finished=at(11, month=9)
        ),
    }
    return made


@on_postgres
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((2026, 10, 1), (2026, 11, 1)),  # a month
        ((2026, 1, 1), (2027, 1, 1)),  # a year
        ((2026, 10, 5), (2026, 10, 6)),  # a day inside
        ((2025, 1, 1), (2025, 2, 1)),  # before everything
    ],
)
def test_the_span_overlap_selects_exactly_the_plain_condition(edge_cases, start, end):
    p = period(start, end)

    by_span = set(counts.dossier_base(p, Q(), span_index=True).values_list("pk", flat=True))
    plain = set(counts.dossier_base(p, Q(), span_index=False).values_list("pk", flat=True))

    assert by_span == plain
    names = {d.pk: name for name, d in edge_cases.items()}
    if (start, end) == ((2026, 10, 1), (2026, 11, 1)):
        assert sorted(names[pk] for pk in by_span) == sorted(
            [
                "received in, running",
                "received in, finished in",
                "received before, finished in",
                "received before, finished after",
                "received before, running",
                "finished at the start exactly",
                "withdrawn in",
                "stopped, no close time",
                "ended before received",
            ]
        )


@on_postgres
def test_postgresql_answers_the_overlap_from_the_span_index(edge_cases):
    # The index is used only if the query's expression is the index's own: with sequential scans
    # off, a plan without it would mean the two have drifted apart.
    p = period((2026, 10, 1), (2026, 11, 1))
    sql, params = counts.dossier_base(p, Q(), span_index=True).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "dossier_processing_span_idx" in plan
