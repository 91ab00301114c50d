"""Online submission throughput through gunicorn on PostgreSQL, against a one-row INSERT baseline.

    python bench/submit.py [--clients 16] [--dossiers 2000] [--resend 20] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_submit]
        [--redis-url redis://127.0.0.1:6379/7 | --redis-url none] [--drop] [--quick]

What it does, in one run:

1. Creates its own database if missing (its name must contain "bench": the script wipes it),
   drops its `public` schema and runs every migration.
2. Seeds, with the services (not timed): one agency, one procedure offered online with a
   published workflow (workflows.services), a published two-step e-form (eforms.services)
   and one required document; one citizen per client, each with dossiers/clients drafts
   ready to submit (dossiers.drafts.draft_start, draft_answers_save with complete answers,
   dossiers.attachments.attachment_add with a one-page PDF made by pypdf), plus a citizen
   with `--resend` drafts and two drafts for the query count. Then VACUUM ANALYZE.
3. Starts gunicorn (`--workers` sync workers, settings bench/submit_settings.py: DEBUG off,
   the real password hasher, Celery tasks published to Redis with no worker, or to an
   in-memory broker with `--redis-url none`; URLconf bench/submit_urls.py: dvctt.urls plus
   the baseline view).
4. Each client (a thread with its own http.client connection) logs in by posting the login
   form, GETs its first draft's check-and-submit page for the CSRF token, then, timed:
   - baseline, first half: POST /bench/chen-mot-dong/ (one INSERT in a transaction, same
     middleware, same login check, answered with a redirect);
   - submit: POST /ho-so-cua-toi/dang-soan/<token>/kiem-tra/ with declaration=on for each
     of its drafts (dossiers.citizen_views.draft_review → dossiers.drafts.draft_submit);
   - baseline, second half (the sandwich evens out drift on a shared machine).
   Then the resend phase: each of `--resend` drafts POSTed twice at the same moment.
5. Checks in the database: exactly one dossier per draft, unique codes, one submit event
   and one moved attachment each, the resent drafts gave one dossier each, one baseline row
   per baseline request. Counts the SQL queries of one submit and one baseline request
   (Django's test client in this process, CaptureQueriesContext), empties the broker.
6. Prints dossiers/s, p50/p95 for submit and baseline and, as the last line,
   `RESULT submit_ratio_to_insert_baseline <submit p95 / baseline p95>`: how many one-row
   INSERT requests one submission costs in latency at the same concurrency. Any failed
   request or wrong count: exit 1, no RESULT line.
"""

from __future__ import annotations

import argparse
import html
import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from benchkit import (  # bench/ is on sys.path: the scripts run as `python bench/<name>.py`
    BASE_DIR,
    Timings,
    check_database_url,
    create_database_if_missing,
    database_name,
    finish,
    reset_schema,
)

BENCH_DIR = BASE_DIR / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_submit"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
SETTINGS_MODULE = "submit_settings"
PASSWORD = "Mat-khau-bench-2026"  # noqa: S105 - the bench citizens' own, in a throwaway database
LOGIN_PATH = "/tai-khoan/dang-nhap/"
PROBE_DRAFTS = 2
FORM = {
    "title": "Tờ khai đăng ký",
    "steps": [
        {
            "key": "nguoi_yeu_cau",
            "title": "Người yêu cầu",
            "fields": [
                {"key": "ho_ten", "type": "text", "label": "Họ và tên", "required": True},
                {"key": "so_dinh_danh", "type": "text", "label": "Số định danh cá nhân", "required": True},
                {"key": "dien_thoai", "type": "phone", "label": "Số điện thoại", "required": True},
            ],
        },
        {
            "key": "noi_dung",
            "title": "Nội dung yêu cầu",
            "fields": [{"key": "ly_do", "type": "textarea", "label": "Lý do", "required": True}],
        },
    ],
}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- set-up (not timed) ---------------------------------------------------------------------


def setup_django(database_url: str, redis_url: str, media_root: str) -> None:
    """Like benchkit.setup_django, with the server's settings so both processes agree."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=media_root,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
    )
    # The repository first: bench/eforms.py would otherwise shadow the eforms app.
    sys.path.insert(0, str(BASE_DIR))
    if str(BENCH_DIR) not in sys.path:
        sys.path.append(str(BENCH_DIR))
    import django

    # WhiteNoise warns that STATIC_ROOT was never collected: static files are not benchmarked.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


def one_page_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class Seeded:
    usernames: list[str]  # one citizen per client
    drafts: list[list[str]]  # each client's draft tokens
    resend_username: str
    resend_drafts: list[str]
    probe_username: str
    probe_drafts: list[str]
    first_review: dict[str, str] = field(default_factory=dict)


def seed(*, clients: int, per_client: int, resend: int) -> Seeded:
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from submit_urls import CREATE_BASELINE_TABLE

    from accounts.constants import Role
    from accounts.models import User
    from dossiers.attachments import attachment_add
    from dossiers.drafts.services import draft_answers_save, draft_start
    from eforms.services import form_draft_save, form_version_publish
    from procedures.constants import AgencyLevel, OnlineLevel, TimeLimitUnit
    from procedures.models import Agency, DossierComponent, Procedure, Sector
    from workflows.defaults import department_definition
    from workflows.services import workflow_draft_save, workflow_version_publish

    with connection.cursor() as cursor:
        cursor.execute(CREATE_BASELINE_TABLE)
    agency = Agency.objects.create(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    sector = Sector.objects.create(code="HOTICH", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="2.000001",
        name="Đăng ký thử nghiệm hiệu năng",
        sector=sector,
        online_level=OnlineLevel.FULL,
        channels=["online", "direct"],
        time_limit_value=Decimal(5),
        time_limit_unit=TimeLimitUnit.DAY,
        applicant_types=["citizen"],
        result_document="Giấy xác nhận",
        is_published=True,
    )
    procedure.implementing_agencies.set([agency])
    workflow_version_publish(version=workflow_draft_save(procedure=procedure, definition=department_definition()))
    component = DossierComponent.objects.create(procedure=procedure, name="Giấy chứng sinh", required=True, order=1)
    form_version_publish(version=form_draft_save(procedure=procedure, schema=FORM, name="Tờ khai"))

    hashed = make_password(PASSWORD)  # once: the real hasher is slow on purpose
    names = [f"0370{index:08d}" for index in range(clients + 2)]
    users = User.objects.bulk_create(
        User(username=name, password=hashed, role=Role.CITIZEN, full_name=f"Công dân {name[-4:]}") for name in names
    )
    pdf = one_page_pdf()

    def drafts_for(user: User, count: int) -> list[str]:
        tokens = []
        for _ in range(count):
            draft = draft_start(owner=user, procedure=procedure)
            answers = {
                "ho_ten": user.full_name,
                "so_dinh_danh": user.username,
                "dien_thoai": "0912345678",
                "ly_do": "Đăng ký lần đầu",
            }
            draft = draft_answers_save(draft=draft, answers=answers)
            upload = SimpleUploadedFile("giay-chung-sinh.pdf", pdf, content_type="application/pdf")
            attachment_add(owner_user=user, draft=draft, component=component, upload=upload)
            tokens.append(str(draft.token))
        return tokens

    return Seeded(
        usernames=names[:clients],
        drafts=[drafts_for(user, per_client) for user in users[:clients]],
        resend_username=names[clients],
        resend_drafts=drafts_for(users[clients], resend),
        probe_username=names[clients + 1],
        probe_drafts=drafts_for(users[clients + 1], PROBE_DRAFTS),
    )


def review_path(token: str) -> str:
    return f"/ho-so-cua-toi/dang-soan/{token}/kiem-tra/"


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(*, port: int, workers: int, log: Any) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "dvctt.wsgi:application",
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(BASE_DIR),
        # The repository before bench/: bench/eforms.py would otherwise shadow the eforms app.
        "--pythonpath", f"{BASE_DIR},{BENCH_DIR}",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=dict(os.environ), stdout=log, stderr=log)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            status, _headers, _body = request(port, "GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 30 s; see {log.name}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the clients ----------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close every connection anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Browser:
    """A citizen's cookies and CSRF token: logged in once, through the login form."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def call(self, method: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = request(self.port, method, path, body=body, headers=headers)
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, response_headers.get("Location", ""), content

    def token_from(self, content: bytes) -> str:
        found = CSRF_FIELD.search(content.decode())
        if found is None:
            raise SystemExit("no CSRF token in the page")
        return html.unescape(found.group(1))

    def login(self, username: str, first_draft: str) -> None:
        _status, _location, page = self.call("GET", LOGIN_PATH)
        status, location, _ = self.call(
            "POST",
            LOGIN_PATH,
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token_from(page)},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed: {status} {location}")
        status, _location, page = self.call("GET", review_path(first_draft))
        if status != 200:
            raise SystemExit(f"review page of {first_draft} answered {status}")
        self.csrf = self.token_from(page)  # the token rotated at login: take it from the page

    def prepared(self, path: str, data: dict[str, str]) -> tuple[str, str, dict[str, str]]:
        """What the timed loop sends: everything encoded beforehand, so the loop only does I/O."""
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return path, urlencode({**data, "csrfmiddlewaretoken": self.csrf}), headers


@dataclass
class Outcome:
    status: int
    location: str
    ms: float


@dataclass
class Phase:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0  # the generator's own CPU time (all its threads)

    @property
    def timings(self) -> Timings:
        return Timings([o.ms for o in self.outcomes])

    @property
    def per_second(self) -> float:
        return len(self.outcomes) / self.wall_s

    def failures(self, ok: re.Pattern[str]) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != 302 or not ok.match(o.location)]


def run_phase(name: str, port: int, work: list[list[tuple[str, str, dict[str, str]]]]) -> Phase:
    """Every list in `work` is one client's requests, sent one after the other; clients start together."""
    phase = Phase(name)
    results: list[list[Outcome]] = [[] for _ in work]
    cpu: list[float] = [0.0 for _ in work]
    start_gate = threading.Barrier(len(work) + 1)

    def client(index: int) -> None:
        out = results[index]
        start_gate.wait()
        cpu_start = time.thread_time()
        for path, body, headers in work[index]:
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status, location = response.status, response.headers.get("Location", "")
            except OSError as exc:
                status, location = 0, repr(exc)
            finally:
                connection.close()
            out.append(Outcome(status, location, (time.perf_counter() - began) * 1000))
        cpu[index] = time.thread_time() - cpu_start

    threads = [threading.Thread(target=client, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.wall_s = time.perf_counter() - began
    phase.outcomes = [outcome for out in results for outcome in out]
    phase.cpu_s = sum(cpu)
    return phase


def resend_phase(port: int, browser: Browser, tokens: list[str]) -> Phase:
    """Each draft POSTed twice at the same moment (a double click, a resent form)."""
    work = []
    for token in tokens:
        prepared = browser.prepared(review_path(token), {"declaration": "on"})
        work += [[prepared], [prepared]]
    return run_phase("resend", port, work)


# --- checks ---------------------------------------------------------------------------------


def verify(*, seeded: Seeded, baseline_requests: int) -> tuple[list[str], dict[str, int]]:
    """What must hold in the database after the run; returns (failures, counts)."""
    from django.db import connection
    from django.db.models import Count
    from submit_urls import BASELINE_TABLE

    from dossiers.constants import EventKind
    from dossiers.models import Attachment, Dossier, DossierDraft, DossierEvent

    failures = []
    tokens = [t for tokens in seeded.drafts for t in tokens] + seeded.resend_drafts + seeded.probe_drafts
    drafts = DossierDraft.objects.filter(token__in=tokens)
    counts = {
        "drafts": drafts.count(),
        "drafts submitted": drafts.filter(dossier__isnull=False).count(),
        "dossiers": Dossier.objects.count(),
        "distinct codes": Dossier.objects.values("code").distinct().count(),
        "dossiers of the drafts": drafts.values("dossier").distinct().count(),
        "submit events": DossierEvent.objects.filter(action=EventKind.SUBMIT).count(),
        "attachments moved": Attachment.objects.filter(dossier__isnull=False).count(),
        "resent dossiers": Dossier.objects.filter(draft__token__in=seeded.resend_drafts).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE}")  # noqa: S608
        counts["baseline rows"] = cursor.fetchone()[0]
    expected = len(tokens)
    for key in ("drafts", "drafts submitted", "dossiers", "distinct codes", "dossiers of the drafts"):
        if counts[key] != expected:
            failures.append(f"{key}: {counts[key]}, expected {expected}")
    for key in ("submit events", "attachments moved"):
        if counts[key] != expected:
            failures.append(f"{key}: {counts[key]}, expected one per dossier ({expected})")
    if counts["resent dossiers"] != len(seeded.resend_drafts):
        failures.append(f"resent drafts gave {counts['resent dossiers']} dossiers for {len(seeded.resend_drafts)}")
    doubled = DossierEvent.objects.values("dossier").annotate(n=Count("pk")).filter(n__gt=1).count()
    if doubled:
        failures.append(f"{doubled} dossiers have more than one event")
    if counts["baseline rows"] != baseline_requests:
        failures.append(f"baseline rows: {counts['baseline rows']}, expected {baseline_requests}")
    return failures, counts


def count_queries(seeded: Seeded) -> list[str]:
    """Queries of one submit and one baseline request (one more baseline row), in this process
    (Django's test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=seeded.probe_username))
    client.get(review_path(seeded.probe_drafts[0]))  # warm: the first request loads what every request reuses
    client.post(review_path(seeded.probe_drafts[0]), {"declaration": "on"})
    lines = []
    for label, path, data in (
        ("submit", review_path(seeded.probe_drafts[1]), {"declaration": "on"}),
        ("baseline", "/bench/chen-mot-dong/", {}),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, data)
        kinds = Counter(_query_kind(q["sql"]) for q in captured.captured_queries)
        total_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        lines.append(
            f"queries per {label:<8} {len(captured):>3} ({total_ms:.1f} ms in the database; status {response.status_code}): "
            + ", ".join(f"{kind} ×{n}" for kind, n in kinds.most_common())
        )
    return lines


def _query_kind(sql: str) -> str:
    words = sql.split()
    verb = words[0].upper() if words else "?"
    table = ""
    for keyword in ("FROM", "INTO", "UPDATE"):
        if keyword in words:
            after = words[words.index(keyword) + 1]
            table = after.strip('"').split('"')[0]
            break
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "savepoint"
    if "FOR UPDATE" in sql:
        verb += " FOR UPDATE"
    return f"{verb} {table}".strip()


def purge_broker(redis_url: str) -> str:
    if not redis_url:
        return "broker: in-memory (kombu memory://), messages dropped with the workers"
    import redis

    client = redis.Redis.from_url(redis_url)
    queued = {
        key.decode(): client.llen(key)
        for key in client.scan_iter()
        if client.type(key) == b"list" and not key.startswith(b"_kombu")
    }
    client.flushdb()
    waiting = ", ".join(f"{name} {n}" for name, n in sorted(queued.items())) or "none"
    return f"broker: Redis {redis_url}, no worker; tasks left queued ({waiting}), then FLUSHDB"


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--dossiers", type=int, default=2000, help="submissions timed (rounded down per client)")
    parser.add_argument("--resend", type=int, default=20, help="drafts POSTed twice concurrently")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS_URL, help="broker (emptied after the run); 'none': in-memory broker"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--quick", action="store_true", help="tiny run for the smoke test (2 clients, 20 dossiers)")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.dossiers, args.resend = 2, 20, 4
    redis_url = "" if args.redis_url.lower() == "none" else args.redis_url
    check_database_url(args.database_url, needs="the portal runs on it", default=DEFAULT_DATABASE_URL)
    per_client = max(1, args.dossiers // args.clients)
    media_root = tempfile.mkdtemp(prefix="dvctt-bench-submit-")

    if redis_url:
        purge_broker(redis_url)  # nothing left over from an earlier run counts in this one
    created = create_database_if_missing(args.database_url)
    reset_schema(args.database_url)
    setup_django(args.database_url, redis_url, media_root)
    from django.core.management import call_command
    from django.db import connection, connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    seeded = seed(clients=args.clients, per_client=per_client, resend=args.resend)
    seed_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connections.close_all()
    print(
        f"database: {database_name(args.database_url)} (PostgreSQL {pg_version}, {'created' if created else 'reset'}), "
        f"migrated in {migrate_s:.1f} s"
    )
    print(
        f"seeded with the services in {seed_s:.1f} s: 1 procedure (workflow, e-form, 1 required document), "
        f"{args.clients} citizens × {per_client} drafts + {args.resend} to resend + {PROBE_DRAFTS} for the query count"
    )

    port = free_port()
    log = open(os.path.join(media_root, "gunicorn.log"), "w")  # noqa: SIM115 - closed in finally
    server = start_server(port=port, workers=args.workers, log=log)
    try:
        browsers = []
        for username, tokens in zip(seeded.usernames, seeded.drafts, strict=True):
            browser = Browser(port)
            browser.login(username, tokens[0])
            browsers.append(browser)
        resender = Browser(port)
        resender.login(seeded.resend_username, seeded.resend_drafts[0])
        baseline_work = [[b.prepared("/bench/chen-mot-dong/", {})] * per_client for b in browsers]
        first, second = [w[: per_client // 2] for w in baseline_work], [w[per_client // 2 :] for w in baseline_work]
        warm = run_phase("warm-up", port, [w[:3] for w in baseline_work])  # both workers past their first requests
        submit_work = [
            [b.prepared(review_path(t), {"declaration": "on"}) for t in tokens]
            for b, tokens in zip(browsers, seeded.drafts, strict=True)
        ]
        base_a = run_phase("baseline", port, first)
        submit = run_phase("submit", port, submit_work)
        base_b = run_phase("baseline", port, second)
        resend = resend_phase(port, resender, seeded.resend_drafts)
    finally:
        stop_server(server)
        log.close()

    baseline = Phase("baseline", base_a.outcomes + base_b.outcomes, base_a.wall_s + base_b.wall_s)
    baseline.cpu_s = base_a.cpu_s + base_b.cpu_s
    submitted_ok = re.compile(r"^/ho-so-cua-toi/[^/]+/(da-nop/)?$")
    failures = [
        f"{phase.name}: {len(bad)} requests failed, e.g. {bad[0].status} {bad[0].location[:120]}"
        for phase, ok in (
            (baseline, re.compile(r"^/$")),
            (submit, submitted_ok),
            (resend, submitted_ok),
        )
        if (bad := phase.failures(ok))
    ]
    codes = [o.location for o in submit.outcomes]
    if len(set(codes)) != len(codes):
        failures.append(f"submit: {len(codes) - len(set(codes))} redirects to a dossier already redirected to")
    resent_codes = {o.location.split("/")[2] for o in resend.outcomes if o.location.count("/") >= 3}
    if len(resent_codes) != args.resend:
        failures.append(f"resend: {len(resent_codes)} distinct dossiers answered for {args.resend} drafts")

    query_lines = count_queries(seeded)
    db_failures, counts = verify(seeded=seeded, baseline_requests=len(baseline.outcomes) + len(warm.outcomes) + 1)
    failures += db_failures
    broker = purge_broker(redis_url)
    shutil.rmtree(media_root, ignore_errors=True)  # the uploaded PDFs and gunicorn's log

    ratio = submit.timings.percentile(95) / baseline.timings.percentile(95)
    print(
        f"server: gunicorn {args.workers} sync workers, settings bench/submit_settings.py; "
        f"load: {args.clients} client threads (http.client, one connection per request)"
    )
    print()
    print(baseline.timings.line("baseline (1 INSERT)") + f"  {baseline.per_second:7.1f} req/s")
    print(
        f"  halves before / after submit: p95 {base_a.timings.percentile(95):.2f} / {base_b.timings.percentile(95):.2f} ms"
    )
    print(submit.timings.line("submit (kiem-tra)") + f"  {submit.per_second:7.1f} dossiers/s")
    print(resend.timings.line("resend (2 × same)"))
    print()
    print(f"dossiers/s: {submit.per_second:.1f}  ({len(submit.outcomes)} in {submit.wall_s:.1f} s)")
    print(f"submit p50 / p95: {submit.timings.percentile(50):.1f} / {submit.timings.percentile(95):.1f} ms")
    print(f"baseline p50 / p95: {baseline.timings.percentile(50):.1f} / {baseline.timings.percentile(95):.1f} ms")
    print(f"ratio submit p95 / baseline p95: {ratio:.2f}   (throughput baseline/submit: "
          f"{baseline.per_second / submit.per_second:.2f})")  # fmt: skip
    requests_sent = len(submit.outcomes) + len(baseline.outcomes)
    cpu_ms = (submit.cpu_s + baseline.cpu_s) * 1000 / requests_sent
    print(
        f"load generator CPU: {cpu_ms:.2f} ms per request "
        f"({(submit.cpu_s + baseline.cpu_s) / (submit.wall_s + baseline.wall_s) * 100:.0f} % of one core)"
    )
    for line in query_lines:
        print(line)
    print(
        f"resend: {args.resend} drafts × 2 concurrent POSTs → {counts['resent dossiers']} dossiers, "
        f"{sum(o.status == 302 for o in resend.outcomes)} × 302"
    )
    print("database: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    print(broker)
    print(f"failures: {len(failures)}")
    return finish(
        database_url=args.database_url,
        drop=args.drop,
        failures=failures,
        result="submit_ratio_to_insert_baseline",
        value=ratio,
    )


if __name__ == "__main__":
    sys.exit(main())
