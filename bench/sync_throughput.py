"""National sync throughput: a backlog of outbox rows drained into the stand-in portal, on PostgreSQL.

    python bench/sync_throughput.py [--rows 100000] [--workers 4] [--naive-rows 3000] [--quick]
        [--send-concurrency 8] [--sequential-rows 20000] [--stand-in gunicorn|threaded] [--stand-in-workers 4]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_sync]
        [--portal-database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_sync_portal]
        [--redis-url $REDIS_URL or redis://127.0.0.1:6379/11] [--drop]

What it does, in one run:

1. Two databases of its own (names must contain "bench": both are wiped): ours, migrated; the
   stand-in's, with only its tables. The stand-in runs on PostgreSQL (its docs: "use PostgreSQL
   for load"), no faults, served as a real receiver would be: gunicorn, `--stand-in-workers`
   processes of 4 threads (bench/stand_in_wsgi.py); `--stand-in threaded` is `manage.py
   run_mock_portal`, one threaded process (the earlier runs' toy ceiling).
2. One dossier submitted through `dossiers.services.dossier_submit` (so the outbox rows, the
   payloads and the event are what the product writes), cloned server-side (INSERT ... SELECT
   over generate_series) into as many dossiers as needed, each with its submission event; then
   the outbox rows, three per dossier (dossier record, progress record, EMC event), loaded with
   COPY, the template's payloads with each clone's code.
3. Naive baseline, on its own sample (`--naive-rows`): one Celery task per row (a real
   `celery worker -c N`, Redis broker), each posting its one record, no batching, retried
   until the portal takes it (a progress record may come before its dossier is known).
4. The stand-in's own ceiling at the drain's concurrency: EMC events (one per request) posted
   straight from workers x send-concurrency threads, nothing of ours on the path.
5. With `--sequential-rows`, a backlog drained as before concurrent sends (SYNC_SEND_CONCURRENCY=1),
   for the before/after in the same run.
6. The backlog (`--rows`) drained by N processes each calling `emc_sync.delivery.outbox_drain`
   in a loop, each drain sending SYNC_SEND_CONCURRENCY requests at a time (threads):
   what `outbox_deliver_task` runs inside a Celery worker. Processes, not Celery
   workers, for the drain: the task is only a nudge (one per drain of SYNC_DRAIN_BATCH rows,
   ~100 rows), so the broker is not on this path; this measures the claim (SKIP LOCKED),
   the batches and the recording, which is what limits it.
7. Checks that every row was delivered and the stand-in holds each record once (its table is
   read directly: `/control/received` would answer with every payload), then prints rows/s of
   each, the stand-in's own rate, `ratio_to_ceiling <x>` (the drain's requests/s over the
   stand-in's requests/s at the same concurrency), the load average, then as the last two lines
   `ratio_to_naive <x>` (batched rows/s over naive rows/s) and `RESULT sync_rows_per_s <rows/s>`.

Compare figures only within one run or between runs on the same machine (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchkit import (  # bench/ is on sys.path: the scripts run as `python bench/<name>.py`
    BASE_DIR,
    check_database_url,
    create_database_if_missing,
    database_name,
    drop_database,
    reset_schema,
    setup_django,
)
from celery import shared_task

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_sync"
DEFAULT_PORTAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_sync_portal"
DEFAULT_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/11"
NAIVE_QUEUE = "bench_naive"
NAIVE_WORKER = (
    f"-A dvctt worker -Q {NAIVE_QUEUE} --prefetch-multiplier 1 --include sync_throughput -l warning "
    "--without-heartbeat --without-mingle --without-gossip"
)
PER_DOSSIER = 3  # dossier record, progress record, EMC event of the submission
MIGRATE_STAND_IN = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', 'mock_portal', verbosity=0); call_command('migrate', 'mock_citizen', verbosity=0)"
)


# --- the naive baseline: one Celery task per event, one record per request ------------------


@shared_task(name="bench.naive_post", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def naive_post(self: Any, row_id: int) -> None:
    """Post one outbox row's record on its own; retried (0.2 s) until the portal takes it."""
    from django.utils import timezone

    from emc_sync import client
    from emc_sync.constants import OutboxState, Target
    from emc_sync.models import OutboxRow

    row = OutboxRow.objects.get(pk=row_id)
    if row.target == Target.EMC:
        answer = client.post(client.emc_url("/sukien"), row.payload, keys=[row.idempotency_key])
    else:
        path = "/dvcqg/hoso/them" if row.target == Target.DVCQG_HOSO else "/dvcqg/hoso/tiendo"
        answer = client.post(client.national_url(path), [row.payload], keys=[row.idempotency_key])
    if answer.status_code == 200 and answer.error_code in ("0", None):
        OutboxRow.objects.filter(pk=row_id).update(
            state=OutboxState.DELIVERED, delivered_at=timezone.now(), attempts=row.attempts + 1
        )
        return
    OutboxRow.objects.filter(pk=row_id).update(attempts=row.attempts + 1)
    raise self.retry(countdown=0.2)


# --- processes -------------------------------------------------------------------------------


def environment(database_url: str, portal: str, redis_url: str = "") -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
        "DATABASE_URL": database_url,
        "NATIONAL_PORTAL_URL": portal,
        "NATIONAL_PORTAL_TOKEN_URL": f"{portal}/oauth/token",
        "EMC_URL": f"{portal}/emc",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR / "bench"), os.environ.get("PYTHONPATH", "")])),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start_stand_in(
    portal_database_url: str, log: Path, *, server: str = "gunicorn", workers: int = 4, threads: int = 4
) -> tuple[subprocess.Popen[str], str]:
    create_database_if_missing(portal_database_url)
    reset_schema(portal_database_url)
    env = {**environment(portal_database_url, "http://unused"), "MOCK_PORTAL_FAULTS": ""}
    subprocess.run([sys.executable, "-c", MIGRATE_STAND_IN], cwd=BASE_DIR, env=env, check=True, timeout=300)
    if server == "gunicorn":
        return _start_gunicorn(env, log, workers, threads)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_mock_portal", "--port", "0", "--host", "127.0.0.1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w", encoding="utf-8"),
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    if "http://" not in banner:
        process.kill()
        raise SystemExit(f"run_mock_portal did not start: {banner!r} (log: {log})")
    return process, banner[banner.index("http://") :].strip().rstrip("/")


def _start_gunicorn(env: dict[str, str], log: Path, workers: int, threads: int) -> tuple[subprocess.Popen[str], str]:
    import socket

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--backlog", "512",
         "--access-logfile", str(log), "--error-logfile", str(log.with_suffix(".errors.log")),
         "stand_in_wsgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn (stand-in) exited: {log.with_suffix('.errors.log')}")
        try:  # the socket listens before the workers have booted: wait for an answer
            requests.get(f"{url}/control/faults", timeout=10)
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn (stand-in) did not answer in 30 s")


def drain_process(database_url: str, portal: str, concurrency: int, ready: Any, go: Any, results: Any) -> None:
    """One drainer: outbox_drain in a loop until nothing is due and nothing is being sent."""
    os.environ.update(environment(database_url, portal))
    os.environ["SYNC_SEND_CONCURRENCY"] = str(concurrency)
    os.environ.pop("REDIS_URL", None)
    setup_django(database_url)
    from emc_sync.constants import OutboxState
    from emc_sync.delivery import outbox_drain
    from emc_sync.models import OutboxRow

    OutboxRow.objects.exists()  # connected before the clock starts
    ready.put(os.getpid())
    go.wait()
    delivered = drains = 0
    while True:
        result = outbox_drain()
        drains += 1
        delivered += result.delivered
        if result.claimed == 0:
            if not OutboxRow.objects.filter(state__in=(OutboxState.PENDING, OutboxState.SENDING)).exists():
                break
            time.sleep(0.05)  # rows held by another drainer, or waiting behind one of theirs
    results.put((delivered, drains))


# --- seeding -----------------------------------------------------------------------------------


def seed_template() -> Any:
    """One dossier through the real submission service: its rows are the templates."""
    import random

    from officer_queue import seed_reference

    from accounts.constants import Role
    from accounts.models import User
    from dossiers.constants import Channel
    from dossiers.services import dossier_submit
    from procedures.models import Agency, Procedure

    seed_reference(3, random.Random(1), datetime.now(UTC))  # three agencies: the smallest it samples from
    citizen = User(username="037090001234", role=Role.CITIZEN, full_name="Nguyễn Văn An")
    citizen.set_unusable_password()
    citizen.save()
    agency = Agency.objects.order_by("id").first()
    assert agency is not None
    procedure = Procedure.objects.filter(implementing_agencies=agency).order_by("id").first()
    assert procedure is not None
    return dossier_submit(
        procedure=procedure,
        agency=agency,
        channel=Channel.ONLINE,
        applicant=citizen,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="037090001234",
        applicant_phone="0912345678",
        applicant_email="an@example.vn",
        summary="Xin cấp giấy (đo thông lượng đồng bộ)",
    )


def clone_dossiers(template: Any, count: int, prefix: str) -> list[tuple[int, int, str]]:
    """`count` copies of the template dossier and its event, server-side; (dossier, event, code) each."""
    from django.db import connection

    from dossiers.models import Dossier, DossierEvent

    def columns(model: Any, *skip: str) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if f.column not in {"id", *skip}]

    dossier_columns = columns(Dossier, "code")
    event_columns = columns(DossierEvent, "dossier_id", "idempotency_key")
    event = template.events.get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO dossiers_dossier (code, {', '.join(dossier_columns)}) "  # noqa: S608 - model columns
            f"SELECT %s || lpad(g::text, 7, '0'), {', '.join('d.' + c for c in dossier_columns)} "
            "FROM dossiers_dossier d, generate_series(1, %s) g WHERE d.id = %s RETURNING id, code",
            [prefix, count, template.pk],
        )
        dossiers = sorted(cursor.fetchall())
        cursor.execute(
            f"INSERT INTO dossiers_dossierevent (dossier_id, {', '.join(event_columns)}) "  # noqa: S608
            f"SELECT n.id, {', '.join('e.' + c for c in event_columns)} "
            "FROM dossiers_dossierevent e, unnest(%s::bigint[]) AS n(id) WHERE e.id = %s RETURNING id, dossier_id",
            [[pk for pk, _code in dossiers], event.pk],
        )
        events = {dossier_id: pk for pk, dossier_id in cursor.fetchall()}
    return [(pk, events[pk], code) for pk, code in dossiers]


def copy_outbox(template: Any, clones: list[tuple[int, int, str]]) -> list[int]:
    """Three outbox rows per clone, with COPY; returns their ids."""
    from django.db import connection
    from django.utils import timezone

    from emc_sync.models import OutboxRow

    templates = list(OutboxRow.objects.filter(dossier=template).order_by("id"))
    assert len(templates) == PER_DOSSIER, [row.target for row in templates]
    now = timezone.now().isoformat()
    columns = (
        "target, dossier_id, event_id, sequence, idempotency_key, payload, state, attempts, retry_streak, "
        "next_attempt_at, claim_token, last_error, last_response, created_at"
    )
    texts = [(row.target, row.sequence, json.dumps(row.payload, ensure_ascii=False)) for row in templates]
    before = OutboxRow.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with connection.cursor() as cursor, cursor.copy(f"COPY emc_sync_outboxrow ({columns}) FROM STDIN") as copy:
        for dossier_id, event_id, code in clones:
            for target, sequence, payload in texts:
                payload_text = payload.replace(template.code, code)
                copy.write_row(
                    (target, dossier_id, event_id, sequence, f"{target}:{code}:{sequence}", payload_text,
                     "pending", 0, 0, now, "", "", "", now)
                )  # fmt: skip
    return list(OutboxRow.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))


def stand_in_counts(portal_database_url: str) -> tuple[int, int]:
    """(records held, times offered in all) at the stand-in."""
    import psycopg

    with psycopg.connect(portal_database_url) as conn:
        held, offered = conn.execute(
            "SELECT count(*), coalesce(sum(times_offered), 0) FROM mock_portal_receivedrecord"
        ).fetchone() or (0, 0)
    return int(held), int(offered)


# --- the run -----------------------------------------------------------------------------------


def run_naive(args: argparse.Namespace, ids: list[int], portal: str, log: Path) -> float:
    from emc_sync.constants import OutboxState
    from emc_sync.models import OutboxRow

    worker = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "celery", *NAIVE_WORKER.split(), "-c", str(args.workers)],
        cwd=BASE_DIR,
        env=environment(args.database_url, portal, args.redis_url),
        stdout=log.open("w", encoding="utf-8"),
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(3)  # the worker's start-up is not part of the timing
        started = time.perf_counter()
        for pk in ids:
            naive_post.apply_async((pk,), queue=NAIVE_QUEUE)
        pending = OutboxRow.objects.filter(pk__in=ids).exclude(state=OutboxState.DELIVERED)
        deadline = time.monotonic() + args.timeout
        while pending.exists():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"naive baseline: {pending.count()} rows left (worker log: {log})")
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)


def run_ceiling(template: Any, portal: str, count: int, threads: int, prefix: str = "CEIL-") -> float:
    """The stand-in alone: EMC events (one per request, as the portal wants them) posted straight
    from `threads` threads, nothing read or written on our side; returns requests/s."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from emc_sync.constants import Target
    from emc_sync.models import OutboxRow

    payload = json.dumps(OutboxRow.objects.get(dossier=template, target=Target.EMC).payload, ensure_ascii=False)
    token = requests.post(
        f"{portal}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
        timeout=10,
    ).json()["access_token"]

    def post(numbers: range) -> int:
        session, ok = requests.Session(), 0
        for number in numbers:
            code = f"{prefix}{number:07d}"
            answer = session.post(
                f"{portal}/emc/sukien",
                data=payload.replace(template.code, code).encode(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"emc:{code}:1",
                },
                timeout=30,
            )
            ok += answer.status_code == 200
        return ok

    shares = [range(start, count, threads) for start in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        ok = sum(pool.map(post, shares))
    elapsed = time.perf_counter() - started
    if ok != count:
        raise SystemExit(f"stand-in ceiling: {count - ok} of {count} events refused")
    return count / elapsed


def run_drain(args: argparse.Namespace, portal: str, concurrency: int) -> tuple[float, int, int]:
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=drain_process, args=(args.database_url, portal, concurrency, ready, go, results))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:  # Django set up in every drainer: start-up is not part of the timing
        ready.get(timeout=120)
    started = time.perf_counter()
    go.set()
    outcomes = [results.get(timeout=args.timeout) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join(30)
    return elapsed, sum(d for d, _ in outcomes), sum(n for _, n in outcomes)


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def stand_in_posts(log: Path) -> int:
    return sum(1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if '"POST ' in line)


def run(args: argparse.Namespace) -> int:
    for url in (args.database_url, args.portal_database_url):
        check_database_url(url, needs="COPY, SKIP LOCKED", default=DEFAULT_DATABASE_URL)
    os.environ["REDIS_URL"] = args.redis_url  # this process publishes the naive baseline's tasks
    create_database_if_missing(args.database_url)
    reset_schema(args.database_url)
    print(
        f"database: PostgreSQL {database_name(args.database_url)} (stand-in: {database_name(args.portal_database_url)})"
    )
    setup_django(args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from emc_sync.constants import OutboxState
    from emc_sync.models import OutboxRow

    settings.SYNC_DELIVERY_ENABLED = False  # this process only seeds and publishes the baseline
    call_command("migrate", verbosity=0)
    logs = Path(args.log_dir)
    logs.mkdir(parents=True, exist_ok=True)
    stand_in, portal = start_stand_in(
        args.portal_database_url,
        logs / "stand-in.log",
        server=args.stand_in,
        workers=args.stand_in_workers,
        threads=args.stand_in_threads,
    )
    served = (
        f"gunicorn, {args.stand_in_workers} processes x {args.stand_in_threads} threads" if args.stand_in == "gunicorn"
        else "run_mock_portal, one threaded process"
    )  # fmt: skip
    if args.stand_in_latency_ms:  # a receiver across a network: each answer takes at least this long
        import requests

        requests.post(f"{portal}/control/faults", json={"latency_ms": args.stand_in_latency_ms}, timeout=30)
        served += f", {args.stand_in_latency_ms} ms added to every answer"
    print(f"stand-in: {served}, PostgreSQL; load average at the start {load_average()}")
    failures: list[str] = []
    try:
        settings.NATIONAL_PORTAL_URL, settings.EMC_URL = portal, f"{portal}/emc"
        template = seed_template()
        naive_dossiers = -(-args.naive_rows // PER_DOSSIER)
        backlog_dossiers = -(-args.rows // PER_DOSSIER)
        started = time.perf_counter()
        naive_ids = copy_outbox(template, clone_dossiers(template, naive_dossiers, "NAIVE-"))
        OutboxRow.objects.filter(dossier=template).update(state=OutboxState.SUPERSEDED)  # the template is not sent
        print(f"seeded {len(naive_ids):,} rows for the naive baseline in {time.perf_counter() - started:.1f} s")

        naive_seconds = run_naive(args, naive_ids, portal, logs / "naive-worker.log")
        naive_rate = len(naive_ids) / naive_seconds
        print(f"naive (1 Celery task per record, {args.workers} worker processes): {len(naive_ids):,} rows "
              f"in {naive_seconds:.1f} s = {naive_rate:,.0f} rows/s")  # fmt: skip
        held_naive, _offered = stand_in_counts(args.portal_database_url)

        threads = args.workers * args.send_concurrency
        ceiling_events = max(threads, min(3_000, args.rows // 10))
        ceiling = run_ceiling(template, portal, ceiling_events, threads)
        print(
            f"stand-in alone: {ceiling_events:,} EMC events, one per request, from {threads} threads "
            f"(the drain's concurrency): {ceiling:,.0f} requests/s"
        )
        extra_held = 0
        sequential_ids: list[int] = []
        if args.sequential_rows:
            ceiling_before = run_ceiling(template, portal, ceiling_events, args.workers, prefix="CEIL1-")
            extra_held += ceiling_events
            print(
                f"stand-in alone: {ceiling_events:,} EMC events from {args.workers} threads "
                f"(the sequential drain's concurrency): {ceiling_before:,.0f} requests/s"
            )
            sequential_ids = copy_outbox(
                template, clone_dossiers(template, -(-args.sequential_rows // PER_DOSSIER), "SEQ-")
            )
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE emc_sync_outboxrow")
            before = stand_in_posts(logs / "stand-in.log")
            seq_seconds, seq_delivered, _drains = run_drain(args, portal, 1)
            seq_requests = stand_in_posts(logs / "stand-in.log") - before
            seq_rate = len(sequential_ids) / seq_seconds
            print(f"before (sequential sends, SYNC_SEND_CONCURRENCY=1, {args.workers} processes): "
                  f"{len(sequential_ids):,} rows in {seq_seconds:.1f} s = {seq_rate:,.0f} rows/s; "
                  f"{seq_requests / seq_seconds:,.0f} requests/s = {seq_requests / seq_seconds / ceiling_before:.2f} "
                  f"of the stand-in at {args.workers} threads; load average {load_average()}")  # fmt: skip
            if seq_delivered != len(sequential_ids):
                failures.append(f"sequential: {seq_delivered} deliveries for {len(sequential_ids)} rows")

        started = time.perf_counter()
        backlog = copy_outbox(template, clone_dossiers(template, backlog_dossiers, "SYNC-"))
        print(f"seeded a backlog of {len(backlog):,} outbox rows with COPY in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE emc_sync_outboxrow")  # the state autovacuum leaves behind
        requests_before = stand_in_posts(logs / "stand-in.log")
        seconds, delivered, drains = run_drain(args, portal, args.send_concurrency)
        rate = len(backlog) / seconds
        requests = stand_in_posts(logs / "stand-in.log") - requests_before
        request_rate = requests / seconds
        print(f"batched ({args.workers} processes calling outbox_drain, {args.send_concurrency} sends at a time each): "
              f"{len(backlog):,} rows in {seconds:.1f} s = {rate:,.0f} rows/s; {drains:,} drains, "
              f"{requests:,} requests to the stand-in ({request_rate:,.0f} requests/s, "
              f"{len(backlog) / max(requests, 1):.1f} records per request); load average {load_average()}")  # fmt: skip

        left = (
            OutboxRow.objects.filter(pk__in=naive_ids + sequential_ids + backlog)
            .exclude(state=OutboxState.DELIVERED)
            .count()
        )
        held, offered = stand_in_counts(args.portal_database_url)
        if left:
            failures.append(f"{left} rows not delivered")
        if delivered != len(backlog):
            failures.append(f"the drainers recorded {delivered} deliveries for {len(backlog)} rows")
        expected = len(naive_ids) + ceiling_events + extra_held + len(sequential_ids) + len(backlog)
        if held != expected or held_naive != len(naive_ids):
            failures.append(f"the stand-in holds {held} records, {expected} expected")
        print(f"stand-in: {held:,} records held, offered {offered:,} times")
    finally:
        stand_in.terminate()
        stand_in.wait(10)
    connections.close_all()
    for url in (args.database_url, args.portal_database_url):
        if args.drop:
            drop_database(url)
    print(f"\ndatabases {'dropped' if args.drop else 'left in place (re-running resets them; --drop removes them)'}")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        return 1
    print(f"ratio_to_ceiling {request_rate / ceiling:.2f}")
    # The ratio, then the result, as the last two lines.
    print(f"ratio_to_naive {rate / naive_rate:.2f}")
    print(f"RESULT sync_rows_per_s {rate:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="backlog of outbox rows (default 100000)")
    parser.add_argument("--naive-rows", type=int, default=3_000, help="rows for the naive baseline (default 3000)")
    parser.add_argument("--workers", type=int, default=4, help="drainer processes / Celery pool size (default 4)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 600 rows, 150 naive, 2 workers")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--portal-database-url", default=DEFAULT_PORTAL_DATABASE_URL, help="the stand-in's database")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="the naive baseline's broker")
    parser.add_argument("--timeout", type=float, default=3600, help="give up after this many seconds per phase")
    parser.add_argument("--log-dir", default=str(BASE_DIR / "var" / "bench-sync"), help="stand-in and worker logs")
    parser.add_argument("--drop", action="store_true", help="drop both databases at the end")
    parser.add_argument("--send-concurrency", type=int, default=8, help="SYNC_SEND_CONCURRENCY of each drainer")
    parser.add_argument(
        "--sequential-rows", type=int, default=20_000, help="rows drained with sequential sends first (0: skip)"
    )
    parser.add_argument("--stand-in", choices=("gunicorn", "threaded"), default="gunicorn", help="how it is served")
    parser.add_argument("--stand-in-workers", type=int, default=4, help="gunicorn processes of the stand-in")
    parser.add_argument("--stand-in-threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument(
        "--stand-in-latency-ms", type=int, default=0, help="latency added to each answer (a receiver across a network)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.naive_rows, args.workers, args.sequential_rows = 600, 150, 2, 0
        args.stand_in_workers = 2
    if args.rows < PER_DOSSIER or args.naive_rows < PER_DOSSIER or args.workers < 1:
        parser.error("--rows and --naive-rows must be at least 3, --workers at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
