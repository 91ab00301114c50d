"""The whole portal under load: citizens and officers (locust) against gunicorn, PostgreSQL, Redis, Celery.

    python bench/load.py [--users 100] [--duration 120] [--spawn-rate 10] [--workers 3]
        [--citizens 3000] [--officers 10] [--backlog 200] [--think 1 3]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_load]
        [--redis-url $REDIS_URL or redis://127.0.0.1:6379/13] [--drop] [--quick]

What it does, in one run:

1. Its own database (the name must contain "bench": it is wiped) and Redis database (flushed
   before the run, after seeding and at the end), migrated; `seed_demo` (the Ninh Bình catalogue, workflows, the birth
   registration e-form, the demo accounts); `--citizens` citizen accounts with full profiles (one
   password hash, copied); `--officers` reception officers of UBND phường Hoa Lư; `--backlog`
   new dossiers submitted through `dossier_submit` so the officers' queue has work from the
   first second. Then VACUUM ANALYZE.
2. Starts, as real processes on free loopback ports: gunicorn (`--workers` sync workers,
   settings bench/load_settings.py) and one Celery worker (`-Q sync,documents,default -c 1`,
   the receipt PDFs and notifications every submission asks for).
3. Runs locust headless in its own process (bench/load_locustfile.py) with `--users` simulated
   people for `--duration` seconds, started at `--spawn-rate` per second:
   - citizens (weight 4): "browse" (two catalogue searches, with and without diacritics, and a
     procedure page) twice as often as "file": search, procedure page, sign in as the next of
     the seeded accounts, start a draft, fill the two steps of the e-form and confirm, upload a
     one-page PDF, submit, see the confirmation, track the dossier, list my dossiers;
   - officers (weight 1): signed in once, then: open the "chờ tiếp nhận" queue, open one of its
     dossiers, receive it.
   Between steps each person thinks `--think` seconds (uniform).
4. Prints requests/s, p50/p95/p99 per journey and per endpoint, the error count, what the
   database holds afterwards (dossiers submitted and received, receipts made by the worker),
   the settings that differ from production (rate limits raised for the one load address,
   officers' second factor off: bench/load_settings.py), then as the last line
   `RESULT load_error_rate <failed requests / requests>`.

Stops everything it started, whatever happens. Compare figures only between runs on the same
machine (bench/README.md).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchkit import (  # bench/ is on sys.path: the scripts run as `python bench/<name>.py`
    BASE_DIR,
    check_database_url,
    create_database_if_missing,
    database_name,
    drop_database,
    reset_schema,
)
from submit import free_port, one_page_pdf, start_server, stop_server

BENCH_DIR = BASE_DIR / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_load"
DEFAULT_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
SETTINGS_MODULE = "load_settings"
PASSWORD = "Mat-khau-tai-2026"  # noqa: S105 - the simulated people's own, in a throwaway database
PROCEDURE = "1.001193"  # Đăng ký khai sinh: the demo e-form
AGENCY = "000.00.41.H42"  # UBND phường Hoa Lư (dvctt.demo.HOA_LU_UBND)
BROWSE_CODES = ["1.001193", "1.000894", "1.000656", "2.000635", "2.000908", "1.012756"]
CELERY_WORKER = (
    "-A dvctt worker -Q sync,documents,default -c 1 --prefetch-multiplier 1 -l warning "
    "--without-heartbeat --without-mingle --without-gossip"
)


# --- set-up (not timed) ---------------------------------------------------------------------


def environment(database_url: str, redis_url: str, media_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": media_root,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        # The repository before bench/: bench/eforms.py would otherwise shadow the eforms app.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    if str(BENCH_DIR) not in sys.path:
        sys.path.append(str(BENCH_DIR))
    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


@dataclass
class Seeded:
    citizens: list[str]
    officers: list[str]
    agency_pk: int
    components: list[int]
    backlog: int
    dossiers_before: int
    received_before: int
    documents_before: int
    notifications_before: int


def seed(*, citizens: int, officers: int, backlog: int) -> Seeded:
    from django.contrib.auth.hashers import make_password

    from accounts.constants import Role
    from accounts.models import User
    from accounts.services import user_ensure
    from dossiers.constants import Channel, EventKind
    from dossiers.models import Dossier, DossierDocument, DossierEvent, Notification
    from dossiers.services import dossier_submit
    from dvctt.demo import HOA_LU_WARD, demo_load
    from procedures.models import Agency, Procedure

    demo_load()
    agency = Agency.objects.get(code=AGENCY)
    procedure = Procedure.objects.get(code=PROCEDURE)
    # Citizen ids as the e-form checks them: province 037 (Ninh Bình), born in 1995 (the demo
    # citizen, 037090001234, was born in 1990: no clash).
    names = [f"037095{index:06d}" for index in range(1, citizens + 1)]
    hashed = make_password(PASSWORD)  # once: the real hasher is slow on purpose
    User.objects.bulk_create(
        User(
            username=name,
            password=hashed,
            role=Role.CITIZEN,
            full_name=f"Nguyễn Văn Tải {name[-4:]}",
            email=f"cd{name[-6:]}@tai.example.vn",
            phone=f"09{name[-8:]}",
            citizen_id=name,
            date_of_birth=dt.date(1995, 1, 1) + dt.timedelta(days=int(name[-6:]) % 365),
            province_code=37,
            ward_code=HOA_LU_WARD,
            address="Số 1, đường Trần Hưng Đạo",
        )
        for name in names
    )
    officer_names = [f"tiepnhan.tai{index:02d}" for index in range(1, officers + 1)]
    for name in officer_names:
        user_ensure(
            username=name,
            password=PASSWORD,
            role=Role.RECEPTION_OFFICER,
            full_name=f"Cán bộ một cửa {name[-2:]}",
            agency_codes=(AGENCY,),
            position="Công chức một cửa",
        )
    applicant = User.objects.get(username=names[0])
    for index in range(backlog):
        dossier_submit(
            procedure=procedure,
            agency=agency,
            channel=Channel.ONLINE,
            applicant=applicant,
            applicant_name=applicant.full_name,
            applicant_id_number=applicant.citizen_id,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            summary="Hồ sơ tồn đọng trước khi đo tải",
            idempotency_key=f"load-backlog-{index}",
        )
    # What a citizen must upload: the required documents that the e-form does not fill (those
    # with a template are the application form itself, see dossiers.attachments.selectors.component_filled_by_eform).
    components = list(
        procedure.components.filter(required=True, template_name="")
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    return Seeded(
        citizens=names,
        officers=officer_names,
        agency_pk=agency.pk,
        components=components,
        backlog=backlog,
        dossiers_before=Dossier.objects.count(),
        received_before=DossierEvent.objects.filter(action=EventKind.RECEIVE).count(),
        documents_before=DossierDocument.objects.count(),
        notifications_before=Notification.objects.count(),
    )


def write_plan(seeded: Seeded, args: argparse.Namespace, folder: Path) -> Path:
    from django.utils import timezone
    from django.utils.translation import gettext, override

    from workflows.constants import Action

    pdf = folder / "giay-chung-sinh.pdf"
    pdf.write_bytes(one_page_pdf())
    born = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    with override("vi"):
        received_message = gettext("Đã thực hiện: %(action)s.") % {"action": Action.RECEIVE.label}
    plan = {
        "password": PASSWORD,
        "citizens": seeded.citizens,
        "officers": seeded.officers,
        "procedure": PROCEDURE,
        "agency_pk": seeded.agency_pk,
        "components": seeded.components,
        "browse_codes": BROWSE_CODES,
        "pdf_path": str(pdf),
        "think_min_s": args.think[0],
        "think_max_s": args.think[1],
        "citizen_weight": 4,
        "officer_weight": 1,
        # A citizen browses twice as often as they file; the smoke test files more, to see it through.
        "browse_weight": 1 if args.quick else 2,
        "file_weight": 3 if args.quick else 1,
        "received_message": received_message,
        "journeys_path": str(folder / "journeys.json"),
        # The demo e-form (eforms/demo/1.001193.json), step by step. None: the value the page shows,
        # prefilled from the citizen's profile, which a browser posts back as it is.
        "eform_steps": [
            [
                "nguoi_yeu_cau",
                {"ho_ten": None, "so_dinh_danh": None, "dien_thoai": None, "email": None, "quan_he": "me"},
            ],
            [
                "nguoi_duoc_khai_sinh",
                {
                    "ho_ten_tre": "Nguyễn Thị Bình An",
                    "ngay_sinh_tre": born,
                    "gioi_tinh_tre": "nu",
                    "noi_sinh": "Bệnh viện Sản Nhi Ninh Bình",
                    "ban_sao": "1",
                },
            ],
        ],
        "eform_confirm_step": "kiem-tra",
    }
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return path


# --- processes ------------------------------------------------------------------------------


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "celery", *CELERY_WORKER.split()],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(3)  # connected to the broker before the first message
    if worker.poll() is not None:
        raise SystemExit(f"the Celery worker exited with {worker.returncode}; see {log}")
    return worker


def stop_process(process: subprocess.Popen[Any], *, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_locust(args: argparse.Namespace, port: int, plan: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "locust", "-f", str(BENCH_DIR / "load_locustfile.py"),
        "--headless", "--host", f"http://127.0.0.1:{port}",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
        "--stop-timeout", "30", "--csv", str(folder / "locust"), "--only-summary", "--exit-code-on-error", "0",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "LOAD_PLAN": str(plan)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # locust's process imports nothing of the portal
    return subprocess.run(  # noqa: S603 - our own command line
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=args.duration + 180, check=False
    )


# --- report ---------------------------------------------------------------------------------


@dataclass
class Row:
    kind: str
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float

    def line(self, width: int) -> str:
        return (
            f"{self.name:<{width}} n={self.requests:<6} failed={self.failures:<4} p50={self.p50:7.0f}  "
            f"p95={self.p95:7.0f}  p99={self.p99:7.0f} ms  {self.rps:6.2f}/s"
        )


def read_stats(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as file:
        for record in csv.DictReader(file):
            rows.append(
                Row(
                    kind=record["Type"],
                    name=record["Name"],
                    requests=int(record["Request Count"]),
                    failures=int(record["Failure Count"]),
                    p50=float(record["50%"] or 0),
                    p95=float(record["95%"] or 0),
                    p99=float(record["99%"] or 0),
                    rps=float(record["Requests/s"] or 0),
                )
            )
    return rows


def read_journeys(path: Path, duration: float) -> list[Row]:
    """Per journey name: count, failures, percentiles of its own time (locust does not group requests)."""
    from benchkit import Timings

    by_name: dict[str, list[tuple[float, str]]] = {}
    for name, ms, error in json.loads(path.read_text(encoding="utf-8")) if path.exists() else []:
        by_name.setdefault(name, []).append((ms, error))
    rows = []
    for name, items in sorted(by_name.items()):
        timings = Timings([ms for ms, _error in items])
        rows.append(
            Row(
                kind="journey",
                name=name,
                requests=len(items),
                failures=sum(1 for _ms, error in items if error),
                p50=timings.percentile(50),
                p95=timings.percentile(95),
                p99=timings.percentile(99),
                rps=len(items) / duration,
            )
        )
    return rows


def read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as file:
        return [
            f"{record['Occurrences']:>5} × {record['Method']} {record['Name']}: {record['Error'][:160]}"
            for record in csv.DictReader(file)
        ]


def database_after(seeded: Seeded) -> dict[str, int]:
    from django.db import connections

    from dossiers.constants import EventKind, Status
    from dossiers.models import Dossier, DossierDocument, DossierDraft, DossierEvent, Notification

    connections.close_all()  # the seeding connection sat idle through the run
    submitted = Dossier.objects.count() - seeded.dossiers_before
    return {
        "dossiers submitted during the run": submitted,
        "received by officers": DossierEvent.objects.filter(action=EventKind.RECEIVE).count() - seeded.received_before,
        "still new": Dossier.objects.filter(status=Status.NEW).count(),
        "drafts left unsubmitted": DossierDraft.objects.filter(dossier__isnull=True).count(),
        "receipts and forms made by the worker": DossierDocument.objects.count() - seeded.documents_before,
        "notifications sent by the worker": Notification.objects.count() - seeded.notifications_before,
    }


def broker_backlog(redis_url: str) -> str:
    import redis

    client = redis.Redis.from_url(redis_url)
    queued = {
        key.decode(): client.llen(key)
        for key in client.scan_iter()
        if client.type(key) == b"list" and not key.startswith(b"_kombu")
    }
    return ", ".join(f"{name} {n}" for name, n in sorted(queued.items())) or "none"


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children."""
    import psutil  # installed with locust

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def machine_cpu_s() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far, all cores."""
    import psutil

    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle, idle


ACCESS_LINE = re.compile(r"dvctt\.access \[\w+\] (\w+) (\S+) \d+ ([\d.]+)ms")
VARIABLE_PART = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d{3}\.\d\d\.\d\d\.H\d\d-\d+-\d+|\d\.\d{6}")


def server_time(log: Path) -> list[tuple[str, int, float, float]]:
    """From gunicorn's access log (dvctt.request_log): per route, (route, requests, median ms, total s),
    the most expensive first. Time inside the worker, without the wait for a free worker."""
    import statistics

    by_route: dict[str, list[float]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = ACCESS_LINE.search(line)
        if found:
            route = f"{found.group(1)} {VARIABLE_PART.sub('…', found.group(2).split('?')[0])}"
            by_route.setdefault(route, []).append(float(found.group(3)))
    rows = [(route, len(ms), statistics.median(ms), sum(ms) / 1000) for route, ms in by_route.items()]
    return sorted(rows, key=lambda row: -row[3])


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model or platform.processor() or 'unknown'}), Python {platform.python_version()}"


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100, help="simulated people (default 100)")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="people started per second (default 10)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3)")
    parser.add_argument("--citizens", type=int, default=3000, help="citizen accounts seeded (default 3000)")
    parser.add_argument("--officers", type=int, default=10, help="reception officers seeded (default 10)")
    parser.add_argument("--backlog", type=int, default=200, help="new dossiers waiting at the start (default 200)")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="broker and cache (flushed before and after)")
    parser.add_argument("--log-dir", default="", help="keep gunicorn, worker and locust files here")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--quick", action="store_true", help="smoke test: 4 users, 10 s, small seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration, args.spawn_rate = 4, 10, 4
        args.citizens, args.officers, args.backlog, args.workers = 40, 2, 10, 2
        args.think = (0.2, 0.5)
    check_database_url(args.database_url, needs="the portal runs on it", default=DEFAULT_DATABASE_URL)
    folder = Path(args.log_dir or tempfile.mkdtemp(prefix="dvctt-bench-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    media_root = tempfile.mkdtemp(prefix="dvctt-bench-load-media-")
    env = environment(args.database_url, args.redis_url, media_root)

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # nothing of an earlier run counts in this one
    created = create_database_if_missing(args.database_url)
    reset_schema(args.database_url)
    setup_django(env)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeded = seed(citizens=args.citizens, officers=args.officers, backlog=args.backlog)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connections.close_all()
    print(
        f"database: {database_name(args.database_url)} (PostgreSQL {pg_version}, {'created' if created else 'reset'}); "
        f"migrated and seeded in {time.perf_counter() - started:.1f} s: seed_demo, {args.citizens} citizens, "
        f"{args.officers} reception officers, {args.backlog} dossiers waiting"
    )
    plan = write_plan(seeded, args, folder)
    # The backlog's submissions asked for receipts and notifications; they are not part of the
    # people's load: the worker starts with an empty broker.
    redis.Redis.from_url(args.redis_url).flushdb()

    port = free_port()
    server_log = (folder / "gunicorn.log").open("w")
    worker = server = None
    try:
        worker = start_worker(env, folder / "celery.log")
        os.environ.update(env)  # start_server passes this process's environment on
        server = start_server(port=port, workers=args.workers, log=server_log)
        print(
            f"server: gunicorn {args.workers} sync workers on 127.0.0.1:{port}, settings bench/load_settings.py; "
            f"Celery: 1 worker process (-c 1, queues sync, documents, default), broker {args.redis_url}"
        )
        print(f"load: locust, {args.users} users for {args.duration} s (spawn {args.spawn_rate}/s), "
              f"think {args.think[0]:g}–{args.think[1]:g} s between steps")  # fmt: skip
        load_started = time.perf_counter()
        cpu_before = tree_cpu_s(server.pid), tree_cpu_s(worker.pid), machine_cpu_s()
        children_before = os.times().children_user + os.times().children_system
        locust = run_locust(args, port, plan, folder)
        load_s = time.perf_counter() - load_started
        locust_cpu = os.times().children_user + os.times().children_system - children_before
        busy, idle = (after - before for after, before in zip(machine_cpu_s(), cpu_before[2], strict=True))
        cpu = {
            f"gunicorn ({args.workers} workers)": tree_cpu_s(server.pid) - cpu_before[0],
            "Celery worker": tree_cpu_s(worker.pid) - cpu_before[1],
            "locust": locust_cpu,
        }
        cpu["everything else (PostgreSQL, Redis, other users of the machine)"] = busy - sum(cpu.values())
        cpu["idle"] = idle
    finally:
        if server is not None:
            stop_server(server)
        server_log.close()
        if worker is not None:
            backlog_text = broker_backlog(args.redis_url)
            stop_process(worker)
    stats_path = folder / "locust_stats.csv"
    if locust.returncode != 0 or not stats_path.exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:], sep="\n")
        raise SystemExit(f"locust failed (exit {locust.returncode}); files in {folder}")

    rows = read_stats(stats_path)
    everything = next(r for r in rows if r.name == "Aggregated")
    endpoints = [r for r in rows if r.name != "Aggregated"]
    journeys = read_journeys(folder / "journeys.json", args.duration)
    width = max(len(r.name) for r in [*endpoints, *journeys]) + 1
    counts = database_after(seeded)

    print()
    print("journeys (each person's requests from first to last, think time excluded):")
    for row in journeys:
        print("  " + row.line(width))
    print("endpoints:")
    for row in sorted(endpoints, key=lambda r: r.name):
        print("  " + row.line(width))
    print("  " + everything.line(width))
    print()
    print(
        f"requests: {everything.requests} in {args.duration} s = {everything.rps:.1f} requests/s; "
        f"p50 / p95 / p99 {everything.p50:.0f} / {everything.p95:.0f} / {everything.p99:.0f} ms; "
        f"failed: {everything.failures}; journeys failed: {sum(r.failures for r in journeys)}"
    )
    print(
        f"CPU during the load, core-seconds of {os.cpu_count()} cores × {load_s:.0f} s: "
        + ", ".join(f"{name} {seconds:.0f}" for name, seconds in cpu.items())
    )
    routes = server_time(folder / "gunicorn.log")
    total = sum(row[3] for row in routes) or 1.0
    print(
        f"time inside gunicorn workers (access log, no queueing): {total:.0f} s for "
        f"{sum(row[1] for row in routes)} requests; the most expensive routes:"
    )
    for route, count, median, seconds in routes[:8]:
        print(f"  {route:<52} n={count:<5} median={median:6.0f} ms  total={seconds:6.1f} s ({seconds / total:4.0%})")
    for line in read_failures(folder / "locust_failures.csv"):
        print(f"  failure {line}")
    print("database after the run: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    print(f"broker after the run: {backlog_text} (queued, not yet run by the one worker)")
    overrides = getattr(settings, "LOAD_OVERRIDES", [])
    print(
        "not production (bench/load_settings.py): the load comes from one address, so "
        + (
            ", ".join(f"{name} {before!r} → {after!r}" for name, before, after in overrides)
            if overrides
            else "no per-address rate or OFFICER_2FA_REQUIRED setting exists in this version (nothing raised)"
        )
        + "; officers sign in without a second factor; national sync rows written, not delivered"
    )
    print(f"machine: {machine()}, PostgreSQL {pg_version}; locust ran {load_s:.0f} s wall; files in {folder}")

    shutil.rmtree(media_root, ignore_errors=True)
    import redis as redis_client

    redis_client.Redis.from_url(args.redis_url).flushdb()
    connections.close_all()
    if args.drop:
        drop_database(args.database_url)
        print(f"database {database_name(args.database_url)} dropped")
    if not args.log_dir:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"RESULT load_error_rate {everything.failures / max(everything.requests, 1):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
