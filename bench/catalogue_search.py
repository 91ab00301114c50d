"""Catalogue search latency against a primary-key lookup, on PostgreSQL.

    python bench/catalogue_search.py [--procedures 5000] [--queries 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/dvctt_bench] [--drop] [--explain]

What it does, in one run:

1. Creates its own database if missing (its name must contain "bench": the script wipes it),
   drops its `public` schema and runs every migration, so the tables, the pg_trgm / unaccent
   extensions and the GiST trigram index are exactly what the migrations make.
2. Loads N procedures with realistic Vietnamese names (verb × object × qualifiers, per
   sector), unique national codes and the real "1.001193 Đăng ký khai sinh", with COPY;
   `search_text` is computed by `normalize_search_text` exactly as `Procedure.save()` does.
   Then VACUUM ANALYZE, i.e. the steady state autovacuum leaves behind (planner statistics,
   and a tidy index).
3. Warms up, then times M mixed queries through `procedures.selectors.procedure_search`,
   interleaved with M `Procedure.objects.get(pk=...)` lookups as the baseline, so both see
   the same machine noise.
4. Checks correctness while measuring: "dang ky khai sinh" must rank 1.001193 first and a
   national code typed as the query must rank that procedure first; otherwise exit 1.
5. Prints p50/p95/p99/mean, the search/baseline ratios, and as the last line
   `RESULT catalogue_search_p95_ms <ms>`.

The queries come from a fixed seed, so two runs time the same workload. Compare figures
only within one run or between runs on the same machine (see docs in bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dvctt_bench"
SEED = 20_250_101
BIRTH_REGISTRATION = "1.001193"
CORRECTNESS_QUERY = "dang ky khai sinh"

# --- the catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class SectorSpec:
    code: str
    name: str
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    qualifiers: tuple[str, ...]


COMMON_QUALIFIERS = (
    "có yếu tố nước ngoài",
    "cấp xã",
    "cấp huyện",
    "cấp tỉnh",
    "lần đầu",
    "cho tổ chức",
    "cho cá nhân",
    "trường hợp bị mất, hỏng",
    "do thay đổi thông tin",
    "thực hiện trực tuyến",
)

SECTORS = (
    SectorSpec(
        "HOTICH",
        "Hộ tịch",
        ("Đăng ký", "Đăng ký lại", "Cấp bản sao trích lục", "Xác nhận", "Ghi vào sổ hộ tịch việc"),
        (
            "khai sinh",
            "kết hôn",
            "khai tử",
            "nhận cha, mẹ, con",
            "giám hộ",
            "chấm dứt giám hộ",
            "thay đổi, cải chính, bổ sung thông tin hộ tịch",
            "xác định lại dân tộc",
            "nuôi con nuôi",
            "tình trạng hôn nhân",
        ),
        (
            "lưu động",
            "kết hợp nhận cha, mẹ, con",
            "cho trẻ em bị bỏ rơi",
            "tại cơ quan đại diện",
            "cho người đã có hồ sơ, giấy tờ cá nhân",
        ),
    ),
    SectorSpec(
        "DATDAI",
        "Đất đai",
        ("Cấp", "Cấp đổi", "Cấp lại", "Đính chính", "Thu hồi", "Đăng ký", "Gia hạn", "Điều chỉnh", "Xác nhận"),
        (
            "giấy chứng nhận quyền sử dụng đất",
            "giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
            "giấy chứng nhận quyền sở hữu nhà ở",
            "biến động đất đai",
            "quyết định giao đất",
            "hợp đồng cho thuê đất",
            "chuyển mục đích sử dụng đất",
            "tách thửa, hợp thửa đất",
        ),
        (
            "đối với hộ gia đình, cá nhân",
            "đối với dự án đầu tư",
            "đất nông nghiệp",
            "đất ở tại đô thị",
            "do đo đạc lại",
        ),
    ),
    SectorSpec(
        "XAYDUNG",
        "Hoạt động xây dựng",
        ("Cấp", "Cấp lại", "Gia hạn", "Điều chỉnh", "Thu hồi"),
        (
            "giấy phép xây dựng",
            "giấy phép xây dựng nhà ở riêng lẻ",
            "giấy phép di dời công trình",
            "giấy phép sửa chữa, cải tạo công trình",
            "chứng chỉ hành nghề hoạt động xây dựng",
            "chứng chỉ năng lực hoạt động xây dựng",
        ),
        (
            "công trình cấp III, cấp IV",
            "có thời hạn",
            "theo giai đoạn",
            "trong khu công nghiệp",
            "công trình tín ngưỡng",
        ),
    ),
    SectorSpec(
        "KINHDOANH",
        "Thành lập và hoạt động của hộ kinh doanh, hợp tác xã",
        (
            "Đăng ký thành lập",
            "Đăng ký thay đổi nội dung đăng ký",
            "Thông báo tạm ngừng kinh doanh của",
            "Chấm dứt hoạt động",
            "Cấp lại giấy chứng nhận đăng ký",
        ),
        (
            "hộ kinh doanh",
            "hợp tác xã",
            "liên hiệp hợp tác xã",
            "chi nhánh, văn phòng đại diện hợp tác xã",
            "địa điểm kinh doanh",
        ),
        ("trên cơ sở chia, tách", "do chuyển đổi", "theo quyết định của tòa án", "ngành nghề kinh doanh có điều kiện"),
    ),
    SectorSpec(
        "DUONGBO",
        "Đường bộ",
        ("Cấp", "Cấp đổi", "Cấp lại", "Gia hạn", "Thu hồi", "Điều chỉnh"),
        (
            "giấy phép lái xe",
            "giấy chứng nhận đăng ký xe",
            "biển số xe",
            "giấy phép kinh doanh vận tải bằng xe ô tô",
            "phù hiệu xe",
            "giấy phép lưu hành xe quá tải trọng",
        ),
        (
            "hạng A1",
            "hạng B2",
            "do ngành giao thông vận tải cấp",
            "quốc tế",
            "xe máy chuyên dùng",
            "cho người nước ngoài",
        ),
    ),
    SectorSpec(
        "CHUNGTHUC",
        "Chứng thực",
        ("Chứng thực", "Cấp bản sao có chứng thực", "Sửa lỗi sai sót trong", "Xác nhận"),
        (
            "bản sao từ bản chính giấy tờ, văn bản",
            "chữ ký trong các giấy tờ, văn bản",
            "chữ ký người dịch",
            "hợp đồng, giao dịch liên quan đến tài sản là động sản",
            "di chúc",
            "văn bản thỏa thuận phân chia di sản",
            "văn bản từ chối nhận di sản",
        ),
        (
            "do cơ quan có thẩm quyền của nước ngoài cấp",
            "tại bộ phận một cửa",
            "không phải là cộng tác viên dịch thuật",
        ),
    ),
)

# A few real entries of the national database, so the correctness check has something to find.
REAL_PROCEDURES = (
    ("1.001193", "Đăng ký khai sinh", "HOTICH", 900),
    ("1.004884", "Đăng ký lại khai sinh", "HOTICH", 100),
    ("1.001695", "Đăng ký khai sinh có yếu tố nước ngoài", "HOTICH", 50),
    ("1.000689", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", "HOTICH", 40),
    ("1.000894", "Đăng ký kết hôn", "HOTICH", 700),
    ("1.000656", "Đăng ký khai tử", "HOTICH", 400),
    ("1.012783", "Cấp đổi giấy chứng nhận quyền sử dụng đất", "DATDAI", 200),
)


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    sector: str
    popularity: int
    is_published: bool
    online_level: str


def generate_catalogue(count: int, rng: random.Random) -> list[ProcedureRow]:
    """`count` procedures with unique codes and unique names, the real ones included."""
    if count < len(REAL_PROCEDURES):
        raise SystemExit(f"--procedures must be at least {len(REAL_PROCEDURES)}")
    rows = [
        ProcedureRow(code, name, sector, popularity, True, "full") for code, name, sector, popularity in REAL_PROCEDURES
    ]
    names = {row.name for row in rows}
    codes = {row.code for row in rows}
    misses = 0
    while len(rows) < count:
        spec = rng.choice(SECTORS)
        name = f"{rng.choice(spec.verbs)} {rng.choice(spec.objects)}"
        qualifiers = rng.sample(spec.qualifiers + COMMON_QUALIFIERS, k=rng.choices((0, 1, 2), weights=(15, 50, 35))[0])
        name = " ".join([name, *qualifiers])
        if name in names:
            misses += 1
            if misses < 10_000:
                continue
            # Combinations exhausted (only for very large --procedures): number the variants.
            name = f"{name} (phương án {len(rows)})"
        misses = 0
        code = f"1.{rng.randrange(1_000_000):06d}"
        while code in codes:
            code = f"1.{rng.randrange(1_000_000):06d}"
        # Usage is heavy-tailed: a few procedures take most of the dossiers.
        popularity = min(int(rng.paretovariate(1.2) * 3), 5_000)
        online_level = rng.choices(("full", "partial", "information"), weights=(60, 30, 10))[0]
        rows.append(ProcedureRow(code, name, spec.code, popularity, rng.random() > 0.03, online_level))
        names.add(name)
        codes.add(code)
    return rows


# --- the queries ---------------------------------------------------------------------------

QUERY_KINDS = {
    # kind: weight in the mix
    "accented": 20,
    "unaccented": 18,
    "capitals": 10,
    "typo": 15,
    "i_y": 10,
    "code": 10,
    "short": 10,
    "long": 7,
}
LONG_PREFIXES = ("tôi cần làm thủ tục", "hướng dẫn", "hồ sơ", "thủ tục", "xin hỏi cách")
LONG_SUFFIXES = ("tại phường Hoa Lư", "ở đâu", "mất bao lâu", "hết bao nhiêu tiền", "nộp trực tuyến được không")


def _fragment(name: str, rng: random.Random) -> str:
    """What people type: the first few words of the name, sometimes all of it."""
    words = name.replace(",", "").split()
    if len(words) <= 3 or rng.random() < 0.3:
        return " ".join(words)
    return " ".join(words[: rng.randint(2, len(words))])


def _typo(text: str, rng: random.Random) -> str:
    """One letter dropped, doubled, swapped with its neighbour or replaced (never the first)."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    if not positions:
        return text
    i = rng.choice(positions)
    operation = rng.choice(("drop", "double", "swap", "replace"))
    if operation == "drop":
        return text[:i] + text[i + 1 :]
    if operation == "double":
        return text[:i] + text[i] + text[i:]
    if operation == "swap" and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("abcdeghiklmnopqrstuvx") + text[i + 1 :]


_Y_FINAL = re.compile(r"(qu|[bcdghklmnprstvx]*)y")
_I_FINAL = re.compile(r"(qu|[bcdghklmnprstvx]+)i")
_TO_I = str.maketrans("yýỳỷỹỵYÝỲỶỸỴ", "iíìỉĩịIÍÌỈĨỊ")
_TO_Y = str.maketrans("iíìỉĩịIÍÌỈĨỊ", "yýỳỷỹỵYÝỲỶỸỴ")


def _i_y(text: str) -> str | None:
    """ "Đăng ký" typed "Đăng kí" (and "kí" typed "ký"): syllables ending in i/y only.

    None when no word of the text has the other spelling in use.
    """
    from procedures.text import strip_diacritics

    words = text.split()
    for index, word in enumerate(words):
        folded = strip_diacritics(word)
        if _Y_FINAL.fullmatch(folded):
            words[index] = word[:-1] + word[-1].translate(_TO_I)
            return " ".join(words)
        if _I_FINAL.fullmatch(folded):
            words[index] = word[:-1] + word[-1].translate(_TO_Y)
            return " ".join(words)
    return None


def generate_queries(rows: list[ProcedureRow], count: int, rng: random.Random) -> list[tuple[str, str]]:
    from procedures.text import strip_diacritics

    kinds = rng.choices(list(QUERY_KINDS), weights=list(QUERY_KINDS.values()), k=count)
    queries: list[tuple[str, str]] = []
    for kind in kinds:
        row = rng.choice(rows)
        fragment = _fragment(row.name, rng)
        if kind == "accented":
            text = fragment
        elif kind == "unaccented":
            text = strip_diacritics(fragment)
        elif kind == "capitals":
            text = fragment.upper() if rng.random() < 0.5 else strip_diacritics(fragment).upper()
        elif kind == "typo":
            text = _typo(strip_diacritics(fragment) if rng.random() < 0.7 else fragment, rng)
        elif kind == "i_y":
            candidates = (_i_y(_fragment(rng.choice(rows).name, rng)) for _ in range(50))
            swapped = next((c for c in candidates if c), "Đăng kí khai sinh")
            text = swapped if rng.random() < 0.5 else strip_diacritics(swapped)
        elif kind == "code":
            text = row.code if rng.random() < 0.7 else f"{rng.choice(('thủ tục', 'mã', 'TTHC'))} {row.code}"
        elif kind == "short":
            text = rng.choice([w for w in row.name.replace(",", "").split() if len(w) > 1] or [row.name])
        else:  # long
            text = f"{rng.choice(LONG_PREFIXES)} {row.name.lower()} {rng.choice(LONG_SUFFIXES)}"[:200]
        queries.append((kind, text))
    return queries


# --- database lifecycle ----------------------------------------------------------------------


# --- seeding ---------------------------------------------------------------------------------

COPY_COLUMNS = (
    "code",
    "name",
    "sector_id",
    "online_level",
    "partial_reason",
    "channels",
    "time_limit_value",
    "time_limit_unit",
    "online_time_limit_value",
    "same_day_rule",
    "time_limit_note",
    "applicant_types",
    "result_document",
    "legal_basis",
    "conditions",
    "steps",
    "online_payment",
    "result_delivery",
    "is_published",
    "popularity",
    "search_text",
    "updated_at",
)


def seed(rows: list[ProcedureRow], rng: random.Random) -> None:
    from django.db import connection

    from procedures.models import Sector
    from procedures.text import normalize_search_text

    sector_ids = {spec.code: Sector.objects.create(code=spec.code, name=spec.name).pk for spec in SECTORS}
    now = datetime.now(tz=UTC)
    channels = json.dumps(["online", "direct", "post"])
    applicants = json.dumps(["citizen"])
    delivery = json.dumps(["online"])
    statement = f"COPY procedures_procedure ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                (
                    row.code,
                    row.name,
                    sector_ids[row.sector],
                    row.online_level,
                    "Phải có mặt để đối chiếu giấy tờ gốc." if row.online_level == "partial" else "",
                    channels,
                    Decimal(rng.choice((1, 3, 5, 10, 15, 20, 30))),
                    "day",
                    None,
                    False,
                    "",
                    applicants,
                    "Giấy chứng nhận, trích lục hoặc văn bản trả lời",
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
                    "",
                    "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
                    True,
                    delivery,
                    row.is_published,
                    row.popularity,
                    # Exactly what Procedure.save() stores.
                    normalize_search_text(f"{row.code} {row.name}"),
                    now,
                )
            )
    with connection.cursor() as cursor:
        # Steady state, as autovacuum leaves it: statistics for the planner (and, were the
        # index ever GIN again, its pending list filled by COPY merged into the index).
        cursor.execute("VACUUM ANALYZE procedures_procedure")
        cursor.execute("ANALYZE")


# --- measuring -------------------------------------------------------------------------------


def explain(query: str) -> Iterator[str]:
    """The plan PostgreSQL chose for this search, with real row counts and timings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procedures.selectors import procedure_search

    with CaptureQueriesContext(connection) as captured:
        procedure_search(query=query)
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        for (line,) in cursor.fetchall():
            yield line


def run(args: argparse.Namespace) -> int:
    check_database_url(
        args.database_url, needs="pg_trgm, COPY; SQLite ranks search in Python", default=DEFAULT_DATABASE_URL
    )
    name = database_name(args.database_url)
    created = create_database_if_missing(args.database_url)
    print(f"database {name}: {'created' if created else 'exists, schema reset'}")
    reset_schema(args.database_url)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from procedures.models import Procedure
    from procedures.selectors import procedure_search

    if connection.vendor != "postgresql":
        raise SystemExit(f"This benchmark needs PostgreSQL; Django connected to {connection.vendor}.")

    elapsed, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {elapsed / 1000:.2f} s")

    rng = random.Random(args.seed)
    rows = generate_catalogue(args.procedures, rng)
    elapsed, _ = timed(lambda: seed(rows, rng))
    print(f"seeded {len(rows)} procedures with COPY + VACUUM ANALYZE in {elapsed / 1000:.2f} s")

    published = [row for row in rows if row.is_published]
    pks = list(Procedure.objects.values_list("pk", flat=True))
    published_codes = {row.code for row in published}

    # Warm-up: connection, plan caches, the table and index in shared buffers, Python imports.
    warm_rng = random.Random(args.seed + 1)
    for _kind, text in generate_queries(published, min(100, args.queries), warm_rng):
        procedure_search(query=text)
        Procedure.objects.get(pk=warm_rng.choice(pks))

    # Correctness, checked on the same warmed-up database that is measured.
    first = procedure_search(query=CORRECTNESS_QUERY)
    first_code = first[0].code if first else None
    print(f"check: procedure_search(query={CORRECTNESS_QUERY!r})[0].code = {first_code}")
    failures: list[str] = []
    if first_code != BIRTH_REGISTRATION:
        failures.append(f"{CORRECTNESS_QUERY!r} ranked {first_code} first, expected {BIRTH_REGISTRATION}")

    queries = generate_queries(published, args.queries, rng)
    lookups = [rng.choice(pks) for _ in queries]
    search_ms: list[float] = []
    baseline_ms: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    found: dict[str, int] = defaultdict(int)
    slowest: dict[str, tuple[float, str]] = {}
    code_misses: list[str] = []
    # Interleaved, so a burst of noise on the shared machine hits both series alike.
    for (kind, text), pk in zip(queries, lookups, strict=True):
        elapsed, results = timed(lambda text=text: procedure_search(query=text))
        search_ms.append(elapsed)
        by_kind[kind].append(elapsed)
        found[kind] += bool(results)
        if elapsed > slowest.get(kind, (-1.0, ""))[0]:
            slowest[kind] = (elapsed, text)
        if kind == "code":
            code = text.split()[-1]
            if code in published_codes and (not results or results[0].code != code):
                code_misses.append(text)
        elapsed, _ = timed(lambda pk=pk: Procedure.objects.get(pk=pk))
        baseline_ms.append(elapsed)
    if code_misses:
        failures.append(f"{len(code_misses)} code queries did not rank their procedure first, e.g. {code_misses[:3]}")

    search, baseline = Timings(search_ms), Timings(baseline_ms)
    print()
    print(f"{len(rows)} procedures ({len(published)} published), {len(queries)} queries, seed {args.seed}")
    print("by query kind (found = share of queries with at least one result):")
    for kind in QUERY_KINDS:
        if by_kind[kind]:
            share = found[kind] / len(by_kind[kind])
            print(f"  {Timings(by_kind[kind]).line(kind)}  found={share:4.0%}")
    print(search.line("procedure_search"))
    print(baseline.line("pk lookup (baseline)"))
    print(
        f"ratio search/baseline: p50 {search.percentile(50) / baseline.percentile(50):.1f}x, "
        f"p95 {search.percentile(95) / baseline.percentile(95):.1f}x"
    )

    if args.explain:
        for kind, (elapsed, text) in sorted(slowest.items(), key=lambda item: -item[1][0])[:3]:
            print(f"\nEXPLAIN ANALYZE, slowest {kind} query ({elapsed:.1f} ms): {text!r}")
            for line in explain(text):
                print(f"  {line}")

    return finish(
        database_url=args.database_url,
        drop=args.drop,
        failures=failures,
        result="catalogue_search_p95_ms",
        value=search.percentile(95),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--procedures", type=int, default=5_000, help="catalogue size (default 5000)")
    parser.add_argument("--queries", type=int, default=1_000, help="timed searches and pk lookups (default 1000)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--seed", type=int, default=SEED, help="catalogue and query mix (default fixed)")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest queries")
    args = parser.parse_args(argv)
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
