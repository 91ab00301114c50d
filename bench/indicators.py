"""Decision 766 indicators over the officer-queue dataset, on PostgreSQL.

    python bench/indicators.py [--dossiers 1000000] [--agencies 30] [--repeats 5]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_indicators] [--drop]

What it does, in one run:

1. Creates its own database if missing (its name must contain "bench": the script wipes it),
   resets its schema, runs every migration (which also seeds the indicator rules), and seeds
   the officer-queue province with COPY (bench/officer_queue.py: N agencies, ~50 procedures
   each, dossiers over the last two years, mostly returned, some running and overdue).
2. Times `repeats` rounds of the full indicator set (indicators.selectors), from Python on
   one connection, each round in the same order:
   - province, last full month: `scorecard` over every agency;
   - province, that month's calendar year: `scorecard`;
   - all agencies, the month: `agency_ranking` (one score per agency, grouped in SQL);
   - all agencies, the year: `agency_ranking`;
   - the leaders' dashboard for the month, province-wide (`dashboard_get`: the above plus the
     monthly trend of the year so far and the procedures costing most points);
   - the same dashboard again with the ended months' counts in the cache (a second visit);
   - the cold dashboard and the document's month again without the GiST index of processing
     spans (INDICATORS_SPAN_INDEX_MAX_DAYS=0: a scan of the table per month), as the baseline
     of the same run;
   - the formula document's every indicator (`document_scores`: the province and each agency
     from one grouped query over (procedure, agency)), for the month and for the year;
   and counts the queries of one extra, untimed round of each.
3. Prints p50/p95 per kind and, as the last line, `RESULT indicators_year_all_agencies_ms <ms>`:
   the median of the formula document's year for the province and every agency.
"""

from __future__ import annotations

import argparse
import random
import sys
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from benchkit import (  # bench/ is on sys.path: the scripts run as `python bench/<name>.py`
    Timings,
    check_database_url,
    create_database_if_missing,
    database_name,
    finish,
    reset_schema,
    setup_django,
    timed,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_indicators"
SEED = 20_250_101


def run(args: argparse.Namespace) -> int:
    check_database_url(args.database_url, needs="COPY, the production planner", default=DEFAULT_DATABASE_URL)
    name = database_name(args.database_url)
    created = create_database_if_missing(args.database_url)
    print(f"database {name}: {'created' if created else 'exists, schema reset'}")
    reset_schema(args.database_url)
    setup_django(args.database_url)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    import officer_queue
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from indicators.selectors import (
        Scope,
        agency_ranking,
        dashboard_get,
        document_scores,
        period_month,
        period_year,
        rules_in_force,
        scorecard,
    )

    if connection.vendor != "postgresql":
        raise SystemExit(f"This benchmark needs PostgreSQL; Django connected to {connection.vendor}.")
    elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {elapsed / 1000:.2f} s")
    officer_queue.seed(args, random.Random(args.seed))

    now = datetime.now(tz=UTC)
    last_month = period_month(year=now.year - (now.month == 1), month=(now.month - 2) % 12 + 1)
    year = period_year(year=last_month.start.year)
    province = Scope()
    from procedures.models import Agency

    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    month_rules = rules_in_force(on=last_month.first_day)
    year_rules = rules_in_force(on=year.first_day)
    kinds: list[tuple[str, Callable[[], Any]]] = [
        (f"province, month {last_month.key}", lambda: scorecard(period=last_month, scope=province, now=now, rules=month_rules)),
        (f"province, year {year.key}", lambda: scorecard(period=year, scope=province, now=now, rules=year_rules)),
        (f"all agencies, month {last_month.key}", lambda: agency_ranking(period=last_month, scope=province, rules=month_rules, now=now)),
        (f"all agencies, year {year.key}", lambda: agency_ranking(period=year, scope=province, rules=year_rules, now=now)),
        (f"dashboard, province {last_month.key}", lambda: dashboard_get(period=last_month, scope=province, now=now)),
        # The formula document's every indicator (indicators.engine over indicators.counts).
        (f"document, month {last_month.key}", lambda: document_scores(period=last_month, scope=province, now=now, agency_ids=agency_ids)),
        (f"document, year {year.key}", lambda: document_scores(period=year, scope=province, now=now, agency_ids=agency_ids)),
    ]  # fmt: skip
    DOCUMENT_YEAR = len(kinds) - 1

    def dashboard_warm() -> Any:
        # What a leader sees on the second visit: the ended months' counts come from the cache
        # (INDICATORS_CACHE_SECONDS; the rows above run with it off, as the test settings have it).
        with override_settings(INDICATORS_CACHE_SECONDS=900):
            return dashboard_get(period=last_month, scope=province, now=now)

    def scanning(call: Callable[[], Any]) -> Callable[[], Any]:
        # The same call without the GiST index of processing spans (dossiers.periods): the baseline.
        def run_scan() -> Any:
            with override_settings(INDICATORS_SPAN_INDEX_MAX_DAYS=0):
                return call()

        return run_scan

    cache.clear()
    dashboard_warm()
    kinds.append((f"dashboard, warm cache {last_month.key}", dashboard_warm))
    dashboard_cold = kinds[DOCUMENT_YEAR - 2]
    document_month = kinds[DOCUMENT_YEAR - 1]
    kinds.append((f"{dashboard_cold[0]} scan", scanning(dashboard_cold[1])))
    kinds.append((f"{document_month[0]} scan", scanning(document_month[1])))
    timings = {label: Timings() for label, _call in kinds}
    failures: list[str] = []
    summary = scorecard(period=year, scope=province, now=now, rules=year_rules)
    on_time = summary.get("2.1")
    print(
        f"year {year.key}: total {summary.total_points} of {summary.scored_max} scored points; "
        f"2.1 {on_time.numerator:,} of {on_time.denominator:,} on time"
    )
    if not on_time.denominator:
        failures.append("the year holds no assessed dossier: the seed did not reach the indicators")
    for label, call in kinds:
        with CaptureQueriesContext(connection) as queries:
            call()
        print(f"{label:<40} {len(queries.captured_queries)} queries")
    for _round in range(args.repeats):
        for label, call in kinds:
            elapsed, _ = timed(call)
            timings[label].samples.append(elapsed)
    print()
    for label, series in timings.items():
        print(series.line(label, width=40))
    for label, _call in (dashboard_cold, document_month):
        indexed, scanned = timings[label].percentile(50), timings[f"{label} scan"].percentile(50)
        print(f"{label}: span index {indexed:.0f} ms, table scan {scanned:.0f} ms, ratio {indexed / scanned:.2f}")
    document = document_scores(period=year, scope=province, now=now, agency_ids=agency_ids).province
    print(f"document {year.key}: {document.total_points} / {document.scored_max} điểm")
    # The year for the province and every agency, every indicator of the formula document.
    year_all = timings[kinds[DOCUMENT_YEAR][0]]
    return finish(
        database_url=args.database_url,
        drop=args.drop,
        failures=failures,
        result="indicators_year_all_agencies_ms",
        value=year_all.percentile(50),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="dossiers to seed (default 1000000)")
    parser.add_argument("--agencies", type=int, default=30, help="agencies sharing them (default 30)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds of each kind (default 5)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--seed", type=int, default=SEED, help="data (default fixed)")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.agencies < 1 or args.agencies > 99:
        parser.error("--agencies must be between 1 and 99 (two digits of the QCVN 102 code)")
    if args.dossiers < args.agencies:
        parser.error("--dossiers must be at least --agencies")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
