"""Officer queue latency and query count through the full Django stack, on PostgreSQL.

    python bench/officer_queue.py [--dossiers 1000000] [--agencies 30] [--requests 200]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench_queue] [--drop] [--explain]

What it does, in one run:

1. Creates its own database if missing (its name must contain "bench": the script wipes it),
   drops its `public` schema and runs every migration, so the tables and the queue indexes
   (`dossier_queue_idx`, `dossier_step_queue_idx`) are exactly what the migrations make.
2. Seeds a province: N agencies with QCVN 102 codes (`000.00.NN.H42`), ~50 procedures each
   with one published workflow version (the department definition), a reception officer
   and a specialist per agency, and the dossiers, loaded with COPY, in submission order:
   mostly returned (10), some new / received / processing / supplement / processed
   (1/2/4/5/9), a few refused / withdrawn / stopped (3/7/8), the step and its role
   consistent with the status, submitted over the last two years, due 1-20 days later,
   some running dossiers overdue, channels mixed, codes `<agency>-<YYMMDD>-<NNNN>`.
   Then VACUUM ANALYZE, i.e. the steady state autovacuum leaves behind.
3. Logs in (Django's test client, `force_login`) as the reception officer of the agency
   holding the share of dossiers closest to 1/N, warms up, then times M rounds of the
   officer queue at /can-bo/ho-so/: "tất cả" first page, "tất cả" page 50 (cursor followed
   once, then the same page requested), "quá hạn", "bước của tôi", a filtered request
   (status 4, online) and a search by dossier code, interleaved with GET /healthz as the
   baseline, so every series sees the same machine noise. Query counts are taken on one
   extra, untimed request of each kind.
4. Checks that the query count does not grow with the page size: `dossier_queue(size=20)`
   and `size=100` (rows walked as the template walks them), for every tab; exit 1 if not.
5. Prints p50/p95 and the ratio to the baseline, and as the last line
   `RESULT officer_queue_p95_ms <ms>`: the worst p95 among the queue requests.

The data and the requests come from a fixed seed, so two runs time the same workload.
Compare figures only within one run or between runs on the same machine (bench/README.md).
"""

from __future__ import annotations

import argparse
import html
import inspect
import random
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlencode

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

if TYPE_CHECKING:
    from django.test import Client

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench_queue"
SEED = 20_250_101
QUEUE_URL = "/can-bo/ho-so/"
BASELINE_URL = "/healthz"
PAGE_DEPTH = 50
EXPLAIN_ABOVE_MS = 100.0
DAY = 86_400
HISTORY_DAYS = 730

# --- the province --------------------------------------------------------------------------

AGENCY_NAMES = (
    "Sở Tư pháp",
    "Sở Tài nguyên và Môi trường",
    "Sở Xây dựng",
    "Sở Kế hoạch và Đầu tư",
    "Sở Giao thông vận tải",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Văn hóa và Thể thao",
    "Sở Du lịch",
    "Sở Thông tin và Truyền thông",
    "Sở Khoa học và Công nghệ",
    "Sở Ngoại vụ",
    "Thanh tra tỉnh",
    "Ban Dân tộc tỉnh",
    "Ban Quản lý các khu công nghiệp tỉnh",
    "Công an tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Cục Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Văn phòng Đăng ký đất đai tỉnh",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh",
    "Chi cục Kiểm lâm tỉnh",
    "Chi cục Thủy sản tỉnh",
    "Quỹ Phát triển đất tỉnh",
)
PROCEDURE_VERBS = ("Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Đăng ký", "Xác nhận", "Thẩm định")
PROCEDURE_OBJECTS = (
    "giấy phép xây dựng",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép kinh doanh vận tải bằng xe ô tô",
    "giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "chứng chỉ hành nghề khám bệnh, chữa bệnh",
    "giấy phép lao động cho người nước ngoài",
    "giấy chứng nhận đăng ký đầu tư",
    "phiếu lý lịch tư pháp",
    "giấy phép hoạt động giáo dục nghề nghiệp",
    "giấy phép khai thác nước dưới đất",
)
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Phan", "Đặng", "Bùi", "Đỗ", "Ngô", "Đinh", "Dương")
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Quang", "Hữu", "Thanh", "Xuân", "Hoài", "Gia")
GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Huyền", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến",
)  # fmt: skip
BUSINESS_KINDS = ("Công ty TNHH", "Công ty cổ phần", "Hợp tác xã", "Doanh nghiệp tư nhân")
BUSINESS_NAMES = (
    "Hoa Lư",
    "Tràng An",
    "Tam Cốc",
    "Vân Long",
    "Bái Đính",
    "Kim Sơn",
    "Gia Viễn",
    "Yên Mô",
    "Cúc Phương",
)

# Status mix of a province's dossier store (share in ‰): mostly returned, a running tail.
STATUS_WEIGHTS = {10: 855, 4: 45, 9: 18, 2: 13, 1: 12, 5: 12, 3: 15, 7: 10, 8: 10}
RUNNING_SEEDED = frozenset({1, 2, 4, 5, 9})
# Where a dossier in each status stands: (step key, role, weight).
STEPS_BY_STATUS: dict[int, tuple[tuple[str, str, int], ...]] = {
    1: (("tiep_nhan", "reception_officer", 1),),
    2: (("tiep_nhan", "reception_officer", 1),),
    3: (("tiep_nhan", "reception_officer", 1),),
    4: (("tham_dinh", "specialist", 75), ("phe_duyet", "leader", 17), ("van_thu", "clerk", 8)),
    5: (("tham_dinh", "specialist", 70), ("tiep_nhan", "reception_officer", 30)),
    7: (("tiep_nhan", "reception_officer", 60), ("tham_dinh", "specialist", 40)),
    8: (("tham_dinh", "specialist", 1),),
    9: (("tra_ket_qua", "reception_officer", 1),),
    10: (("tra_ket_qua", "reception_officer", 1),),
}
CHANNEL_WEIGHTS = {"online": 50, "direct": 30, "national_portal": 15, "post": 5}
OVERDUE_SHARE = 0.15  # of the running dossiers


@dataclass(frozen=True)
class Seeded:
    agency_codes: list[str]
    agency_ids: list[int]
    dossiers_per_agency: list[int]
    officer_ids: list[int]  # the reception officer of each agency
    specialist_ids: list[int]


def _weights(mapping: dict[Any, int]) -> tuple[list[Any], list[int]]:
    return list(mapping), list(mapping.values())


def agency_code(index: int) -> str:
    """QCVN 102:2016 identifier of the index-th agency (0-based)."""
    return f"000.00.{index + 1:02d}.H42"


def seed_reference(
    agencies: int, rng: random.Random, now: datetime
) -> tuple[list[int], list[int], list[int], list[list[tuple[int, int, str]]]]:
    """Agencies, procedures with one published workflow version, and two officers per agency.

    Returns agency ids, reception officer ids, specialist ids and, per agency, the
    procedures it implements as (procedure id, workflow version id, name).
    """
    from accounts.constants import Role
    from accounts.models import AgencyMembership, User
    from common.constants import VersionState
    from procedures.constants import AgencyLevel
    from procedures.models import Agency, Procedure, Sector
    from workflows.defaults import department_definition
    from workflows.models import Workflow, WorkflowVersion

    agency_rows = [
        Agency(
            code=agency_code(index),
            name=AGENCY_NAMES[index % len(AGENCY_NAMES)] + ("" if index < len(AGENCY_NAMES) else f" ({index + 1})"),
            level=AgencyLevel.DEPARTMENT,
        )
        for index in range(agencies)
    ]
    agency_objects = Agency.objects.bulk_create(agency_rows)
    sector = Sector.objects.create(code="TONGHOP", name="Tổng hợp")
    procedure_count = max(50, agencies)
    names = [f"{verb} {obj}" for obj in PROCEDURE_OBJECTS for verb in PROCEDURE_VERBS]
    rng.shuffle(names)
    procedures = Procedure.objects.bulk_create(
        Procedure(
            code=f"1.{10_000 + index * 37:06d}",
            name=names[index % len(names)] + ("" if index < len(names) else f" ({index})"),
            sector=sector,
            time_limit_value=Decimal(rng.choice((1, 3, 5, 10, 15, 20))),
            channels=["online", "direct", "post"],
            applicant_types=["citizen", "business"],
            is_published=True,
            popularity=rng.randint(1, 1000),
            search_text="",
        )
        for index in range(procedure_count)
    )
    workflows = Workflow.objects.bulk_create(Workflow(procedure=p, name=f"Quy trình {p.code}") for p in procedures)
    definition = department_definition()
    versions = WorkflowVersion.objects.bulk_create(
        WorkflowVersion(
            workflow=w,
            number=1,
            state=VersionState.PUBLISHED,
            definition=definition,
            published_at=now - timedelta(days=900),
        )
        for w in workflows
    )
    # Each procedure is implemented by one to three agencies; every agency gets at least one.
    implemented: list[list[tuple[int, int, str]]] = [[] for _ in agency_objects]
    through = Procedure.implementing_agencies.through
    links = []
    for index, (procedure, version) in enumerate(zip(procedures, versions, strict=True)):
        owners = {index % agencies, *rng.sample(range(agencies), k=rng.choice((0, 1, 2)))}
        for owner in owners:
            implemented[owner].append((procedure.pk, version.pk, procedure.name))
            links.append(through(procedure_id=procedure.pk, agency_id=agency_objects[owner].pk))
    through.objects.bulk_create(links)

    officers, specialists = [], []
    for index, agency in enumerate(agency_objects):
        for role, prefix, bucket in (
            (Role.RECEPTION_OFFICER, "tiepnhan", officers),
            (Role.SPECIALIST, "chuyenvien", specialists),
        ):
            user = User(username=f"{prefix}{index + 1:02d}", role=role, full_name=f"{prefix.title()} {agency.code}")
            user.set_unusable_password()
            user.save()
            AgencyMembership.objects.create(user=user, agency=agency, position=str(role.label))
            bucket.append(user.pk)
    return [a.pk for a in agency_objects], officers, specialists, implemented


class Plan(NamedTuple):
    """The life of one dossier, in epoch seconds (None: not happened)."""

    submitted: int
    received: int | None
    due: int
    finished: int | None
    returned: int | None
    closed: int | None
    agency: int
    status: int
    step: int  # index into STEPS_BY_STATUS[status]
    channel: str
    supplements: int


def plan_dossiers(count: int, agency_weights: list[float], rng: random.Random, now: int) -> list[Plan]:
    """What each dossier went through, sorted by submission (ids grow with time, as in production)."""
    statuses, status_weights = _weights(STATUS_WEIGHTS)
    channels, channel_weights = _weights(CHANNEL_WEIGHTS)
    agencies = rng.choices(range(len(agency_weights)), weights=agency_weights, k=count)
    plans: list[Plan] = []
    for agency, status, channel in zip(
        agencies,
        rng.choices(statuses, weights=status_weights, k=count),
        rng.choices(channels, weights=channel_weights, k=count),
        strict=True,
    ):
        if status == 1 and channel == "direct":
            channel = "online"  # taken in at the desk means received on submission
        steps = STEPS_BY_STATUS[status]
        step = 0 if len(steps) == 1 else rng.choices(range(len(steps)), weights=[w for *_, w in steps])[0]
        span = rng.randint(1, 20) * DAY
        if status in RUNNING_SEEDED:
            if rng.random() < OVERDUE_SHARE and status != 9:
                due = now - rng.randint(600, 45 * DAY)  # late by up to six weeks
                submitted = due - span
            else:
                # On track: submitted recently enough that the due date is still ahead.
                submitted = now - rng.randint(60, min(span - 60, 2 * DAY if status == 1 else span))
                due = submitted + span
        else:
            submitted = now - rng.randint(30 * DAY, HISTORY_DAYS * DAY)
            due = submitted + span
        received = None if status in (1, 3) else submitted + (0 if channel == "direct" else rng.randint(300, 4 * 3600))
        if received is not None:
            received = min(received, now)
        finished = returned = closed = None
        if status in (9, 10):
            finished = min(submitted + int(span * rng.uniform(0.3, 1.05)), now)
            if status == 10:
                returned = finished + rng.randint(600, 3 * DAY)
                closed = returned
        elif status == 3:
            closed = submitted + rng.randint(600, DAY)
        elif status in (7, 8):
            closed = submitted + rng.randint(DAY, span + DAY)
        supplements = 1 if status == 5 or (status in (4, 9, 10) and rng.random() < 0.08) else 0
        plans.append(
            Plan(submitted, received, due, finished, returned, closed, agency, status, step, channel, supplements)
        )
    plans.sort(key=lambda plan: plan.submitted)
    return plans


class TimestampText:
    """Epoch seconds to COPY text, fast: the date part of each day formatted once."""

    def __init__(self, start: int, days: int) -> None:
        self.start = start - start % DAY
        first = datetime.fromtimestamp(self.start, tz=UTC)
        self.days = [(first + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days)]

    def __call__(self, seconds: int | None) -> str:
        if seconds is None:
            return r"\N"
        day, rest = divmod(seconds - self.start, DAY)
        return f"{self.days[day]} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}+00"


DOSSIER_COLUMNS = (
    "code",
    "procedure_id",
    "agency_id",
    "channel",
    "applicant_id",
    "applicant_type",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "summary",
    "form_data",
    "workflow_version_id",
    "step_key",
    "step_role",
    "status",
    "handler_id",
    "supplement_count",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "closed_at",
    "updated_at",
)
LOCAL_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, no daylight saving: dossier codes use the local date


def dossier_lines(
    plans: list[Plan],
    seeded: Seeded,
    implemented: list[list[tuple[int, int, str]]],
    rng: random.Random,
    now: int,
) -> Iterator[str]:
    """COPY text rows (tab-separated, \\N for NULL); every string here is free of tabs and backslashes."""
    stamp = TimestampText(min(p.submitted for p in plans) - DAY, HISTORY_DAYS + 120)
    local_day = TimestampText(min(p.submitted for p in plans) - DAY + LOCAL_OFFSET, HISTORY_DAYS + 120)
    counters: dict[tuple[int, int], int] = {}
    # A few procedures take most of an agency's dossiers.
    popularity = [list(accumulate(rng.paretovariate(1.3) for _ in procs)) for procs in implemented]
    for plan in plans:
        agency = plan.agency
        picked = rng.choices(implemented[agency], cum_weights=popularity[agency])[0]
        procedure_id, version_id, procedure_name = picked
        day = (plan.submitted + LOCAL_OFFSET - local_day.start) // DAY
        number = counters[agency, day] = counters.get((agency, day), 0) + 1
        code = f"{seeded.agency_codes[agency]}-{local_day.days[day][2:].replace('-', '')}-{number:04d}"
        if rng.random() < 0.12:
            applicant_type = 2
            name = f"{rng.choice(BUSINESS_KINDS)} {rng.choice(BUSINESS_NAMES)} {rng.randint(1, 999)}"
            id_number = f"27{rng.randrange(10**8):08d}"
        else:
            applicant_type = 1
            name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
            id_number = f"037{rng.randrange(10**9):09d}"
        step_key, step_role, _weight = STEPS_BY_STATUS[plan.status][plan.step]
        if plan.status == 1:
            handler = r"\N"
        elif step_role == "reception_officer" or plan.status == 3:
            handler = str(seeded.officer_ids[agency])
        else:
            handler = str(seeded.specialist_ids[agency])
        updated = max(t for t in (plan.submitted, plan.received, plan.closed, plan.finished) if t is not None)
        yield "\t".join(
            (
                code,
                str(procedure_id),
                str(seeded.agency_ids[agency]),
                plan.channel,
                r"\N",
                str(applicant_type),
                name,
                id_number,
                f"09{rng.randrange(10**8):08d}",
                "",
                procedure_name,
                "{}",
                str(version_id),
                step_key,
                step_role,
                str(plan.status),
                handler,
                str(plan.supplements),
                stamp(plan.submitted),
                stamp(plan.received),
                stamp(plan.due),
                stamp(plan.finished),
                stamp(plan.returned),
                stamp(plan.closed),
                stamp(min(updated, now)),
            )
        )


def seed(args: argparse.Namespace, rng: random.Random) -> Seeded:
    from django.db import connection

    now_dt = datetime.now(tz=UTC)
    now = int(now_dt.timestamp())
    agency_ids, officer_ids, specialist_ids, implemented = seed_reference(args.agencies, rng, now_dt)
    codes = [agency_code(index) for index in range(args.agencies)]
    # Busy and quiet agencies (land registration takes far more than the foreign affairs office).
    agency_weights = [rng.lognormvariate(0, 0.5) for _ in range(args.agencies)]

    start = time.perf_counter()
    plans = plan_dossiers(args.dossiers, agency_weights, rng, now)
    per_agency = [0] * args.agencies
    for plan in plans:
        per_agency[plan.agency] += 1
    seeded = Seeded(codes, agency_ids, per_agency, officer_ids, specialist_ids)
    planned = time.perf_counter() - start

    statement = f"COPY dossiers_dossier ({', '.join(DOSSIER_COLUMNS)}) FROM STDIN"
    batch: list[str] = []
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for line in dossier_lines(plans, seeded, implemented, rng, now):
            batch.append(line)
            if len(batch) == 10_000:
                copy.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            copy.write("\n".join(batch) + "\n")
    loaded = time.perf_counter() - start
    print(
        f"seeded {args.dossiers:,} dossiers with COPY in {loaded:.1f} s "
        f"({args.dossiers / loaded:,.0f} rows/s; planning {planned:.1f} s, formatting + COPY {loaded - planned:.1f} s)"
    )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - start:.1f} s")
    return seeded


# --- database lifecycle ----------------------------------------------------------------------


# --- measuring -------------------------------------------------------------------------------


# The "Trang sau" link; the language switch also carries the current `sau`, but in a form
# field's value, not in an href.
_NEXT_CURSOR = re.compile(r'href="\?[^"]*?&amp;sau=([^"&]+)"')
_ROW = re.compile(r'<tr class="band-([a-z-]+)">')
_ROW_CODE = re.compile(r'<a href="/can-bo/ho-so/([^/"]+)/">')


def only_overdue(_rows: list[str], bands: list[str]) -> str | None:
    if not bands:
        return "no rows, but the seed always makes overdue dossiers"
    late = [band for band in bands if band != "overdue"]
    return f"{len(late)} of {len(bands)} rows are not overdue ({sorted(set(late))})" if late else None


def queue_url(**params: str) -> str:
    return f"{QUEUE_URL}?{urlencode(params)}"


def next_cursor(body: str) -> str | None:
    """The `sau` cursor of the "Trang sau" link, as the browser would send it back."""
    match = _NEXT_CURSOR.search(body)
    return unquote(html.unescape(match.group(1))) if match else None


def follow_cursor(client: Client, depth: int) -> tuple[int, str | None]:
    """Walk the "tất cả" tab page by page; the cursor that opens page `depth` (or the last page)."""
    cursor: str | None = None
    page = 1
    while page < depth:
        params = {"hang": "tat-ca"} if cursor is None else {"hang": "tat-ca", "sau": cursor}
        found = next_cursor(client.get(queue_url(**params)).content.decode())
        if found is None:
            break
        if found == cursor:
            raise SystemExit(f"FAIL: the cursor of page {page} links back to page {page}: {found!r}")
        cursor, page = found, page + 1
    return page, cursor


@dataclass
class RequestKind:
    label: str
    urls: list[str]  # requested in turn
    is_queue: bool = True
    # Checked on the first URL's page (row codes, row colour bands): None, or what is wrong.
    check: Callable[[list[str], list[str]], str | None] | None = None
    timings: Timings = field(default_factory=Timings)
    queries: int = 0
    sql: list[str] = field(default_factory=list)

    def url(self, index: int) -> str:
        return self.urls[index % len(self.urls)]


def capture(client: Client, url: str) -> tuple[Any, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


def queue_query(sql: list[str]) -> str | None:
    """The statement that reads the page of dossiers (the others are session, user, scope, calendar)."""
    return next((q for q in sql if 'FROM "dossiers_dossier"' in q), None)


def _abridged(sql: str) -> str:
    """The statement without its long column list (every column of four tables)."""
    select, found, rest = sql.partition(" FROM ")
    return f"SELECT ... FROM {rest}" if found and select.startswith("SELECT") else sql


def explain(sql: str) -> Iterator[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        for (line,) in cursor.fetchall():
            yield line


def page_size_query_counts(user: Any) -> list[tuple[str, int, int]]:
    """Queries of `dossier_queue` plus walking its rows as the queue template does, at 20 and 100 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dossiers.selectors import QueueTab, dossier_queue, dossier_remaining
    from workflows.selectors import working_calendar

    working_calendar()  # built once per process; the check is about rows, not the first build
    counts = []
    for tab in QueueTab:
        per_size = []
        for size in (20, 100):
            # A fresh user object each time, as each request loads one: the agency scope is
            # memoised on it (dossiers.access), so a reused object would skip its queries.
            asking = type(user).objects.get(pk=user.pk)
            with CaptureQueriesContext(connection) as captured:
                page = dossier_queue(user=asking, tab=tab, size=size)
                calendar = working_calendar()
                for dossier in page.items:
                    # What templates/dossiers/queue.html reads of each row.
                    _ = (dossier.code, dossier.procedure.name, dossier.applicant_name, dossier.handler)
                    dossier_remaining(dossier=dossier, calendar=calendar)
            per_size.append((len(page.items), len(captured.captured_queries)))
        counts.append((f"{tab.value} ({per_size[0][0]}/{per_size[1][0]} rows)", per_size[0][1], per_size[1][1]))
    return counts


def run(args: argparse.Namespace) -> int:
    check_database_url(args.database_url, needs="COPY, the production planner", default=DEFAULT_DATABASE_URL)
    name = database_name(args.database_url)
    created = create_database_if_missing(args.database_url)
    print(f"database {name}: {'created' if created else 'exists, schema reset'}")
    reset_schema(args.database_url)
    setup_django(args.database_url)
    # WhiteNoise looks for STATIC_ROOT, which only collectstatic fills; irrelevant here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from dossiers.models import Dossier
    from dossiers.selectors import dossier_queue

    if connection.vendor != "postgresql":
        raise SystemExit(f"This benchmark needs PostgreSQL; Django connected to {connection.vendor}.")

    elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {elapsed / 1000:.2f} s")

    rng = random.Random(args.seed)
    seeded = seed(args, rng)

    # The officer of the agency holding the share closest to 1/N: a typical queue.
    target = args.dossiers / args.agencies
    agency = min(range(args.agencies), key=lambda i: abs(seeded.dossiers_per_agency[i] - target))
    officer = User.objects.get(pk=seeded.officer_ids[agency])
    client = Client()
    client.force_login(officer)
    mine = Dossier.objects.filter(agency_id=seeded.agency_ids[agency])
    print(
        f"logged in as {officer.username} ({officer.role}), agency {seeded.agency_codes[agency]}: "
        f"{seeded.dossiers_per_agency[agency]:,} of {args.dossiers:,} dossiers "
        f"({seeded.dossiers_per_agency[agency] / args.dossiers:.1%}; busiest agency "
        f"{max(seeded.dossiers_per_agency):,}, quietest {min(seeded.dossiers_per_agency):,})"
    )

    reached, cursor = follow_cursor(client, PAGE_DEPTH)
    if reached < PAGE_DEPTH:
        print(f"note: the 'tat-ca' queue ends at page {reached}; timing that page instead of page {PAGE_DEPTH}")
    code_rng = random.Random(args.seed + 1)
    all_codes = list(mine.values_list("code", flat=True))
    codes = code_rng.sample(all_codes, k=min(50, len(all_codes)))
    deep = {"hang": "tat-ca"} if cursor is None else {"hang": "tat-ca", "sau": cursor}
    kinds = [
        RequestKind("healthz (baseline)", [BASELINE_URL], is_queue=False),
        RequestKind("tat-ca page 1", [queue_url(hang="tat-ca")]),
        RequestKind(f"tat-ca page {reached}", [queue_url(**deep)]),
        RequestKind("qua-han", [queue_url(hang="qua-han")], check=only_overdue),
        RequestKind("buoc-cua-toi", [queue_url(hang="buoc-cua-toi")]),
        RequestKind("status 4 + online", [queue_url(hang="tat-ca", trang_thai="4", kenh="online")]),
        RequestKind(
            "code search",
            [queue_url(hang="tat-ca", q=code) for code in codes],
            check=lambda rows, _bands: None if rows == codes[:1] else f"search for {codes[0]} listed {rows[:3]}",
        ),
    ]

    # Warm-up: connection, template loaders, translations, the calendar, shared buffers.
    for index in range(max(10, min(50, args.requests // 4))):
        for kind in kinds:
            client.get(kind.url(index))

    failures: list[str] = []
    # The page reached by cursors must hold the same rows as OFFSET would give (checked once, untimed).
    deep_codes = _ROW_CODE.findall(client.get(kinds[2].url(0)).content.decode())
    size = inspect.signature(dossier_queue).parameters["size"].default  # the page size the view uses
    expected = list(mine.order_by("due_at", "pk").values_list("code", flat=True)[(reached - 1) * size : reached * size])
    if deep_codes != expected:
        failures.append(f"page {reached} by cursor shows {deep_codes[:3]}..., OFFSET gives {expected[:3]}...")
    for kind in kinds:
        response, sql = capture(client, kind.url(0))
        kind.queries, kind.sql = len(sql), sql
        if response.status_code != 200:
            failures.append(f"{kind.label}: HTTP {response.status_code}")
            continue
        body = response.content.decode()
        problem = kind.check(_ROW_CODE.findall(body), _ROW.findall(body)) if kind.check else None
        if problem:
            failures.append(f"{kind.label}: {problem}")

    # Interleaved rounds, so a burst of noise on the shared machine hits every series alike.
    for index in range(args.requests):
        for kind in kinds:
            elapsed, response = timed(lambda kind=kind, index=index: client.get(kind.url(index)))
            kind.timings.samples.append(elapsed)
            if response.status_code != 200:
                failures.append(f"{kind.label}: HTTP {response.status_code}")

    baseline, queues = kinds[0], kinds[1:]
    print()
    print(
        f"{args.requests} timed requests of each kind, seed {args.seed}, Django test client (full middleware + template)"
    )
    for kind in kinds:
        print(f"  {kind.timings.line(kind.label)}  queries={kind.queries}")
    tables = [re.search(r' FROM "(\w+)"', q) for q in kinds[1].sql]
    print(f"  the queries of one queue page: {', '.join(m.group(1) if m else '?' for m in tables)}")
    base50, base95 = baseline.timings.percentile(50), baseline.timings.percentile(95)
    print("ratio to the healthz baseline (p50 / p95):")
    for kind in queues:
        print(
            f"  {kind.label:<20} {kind.timings.percentile(50) / base50:6.1f}x / {kind.timings.percentile(95) / base95:6.1f}x"
        )

    print()
    print("queries of dossier_queue() + its rows walked as the template does, page size 20 vs 100:")
    for label, small, large in page_size_query_counts(officer):
        verdict = "ok" if small == large else "GROWS WITH PAGE SIZE"
        print(f"  {label:<36} size=20: {small}  size=100: {large}  {verdict}")
        if small != large:
            failures.append(f"dossier_queue query count grows with page size on {label}: {small} -> {large}")

    slowest = max(queues, key=lambda kind: kind.timings.percentile(95))
    to_explain = [k for k in queues if args.explain or k.timings.percentile(95) > EXPLAIN_ABOVE_MS]
    for kind in sorted(to_explain, key=lambda k: -k.timings.percentile(95)):
        statement = queue_query(kind.sql)
        if statement is None:
            continue
        print(f"\nEXPLAIN (ANALYZE, BUFFERS), {kind.label} (p95 {kind.timings.percentile(95):.1f} ms):")
        print(f"  {_abridged(statement)}")
        for line in explain(statement):
            print(f"  {line}")

    return finish(
        database_url=args.database_url,
        drop=args.drop,
        failures=failures,
        result="officer_queue_p95_ms",
        value=slowest.timings.percentile(95),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="dossiers to seed (default 1000000)")
    parser.add_argument("--agencies", type=int, default=30, help="agencies sharing them (default 30)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--seed", type=int, default=SEED, help="data and request mix (default fixed)")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    parser.add_argument(
        "--explain",
        action="store_true",
        help=f"EXPLAIN ANALYZE every queue query (always above {EXPLAIN_ABOVE_MS:.0f} ms p95)",
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.agencies < 1 or args.agencies > 99:
        parser.error("--agencies must be between 1 and 99 (two digits of the QCVN 102 code)")
    if args.dossiers < args.agencies:
        parser.error("--dossiers must be at least --agencies")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
