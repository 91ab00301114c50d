"""The sync throughput benchmark still runs end to end (--quick: tiny; the numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "sync_throughput.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}

pytestmark = pytest.mark.skipif(
    not (ON_POSTGRES and REDIS_URL), reason="the benchmark needs PostgreSQL (COPY, SKIP LOCKED) and Redis"
)


def bench_url(name: str) -> str:
    """Same server as the tests, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{name}", query=""))


def test_sync_benchmark_drains_its_backlog_and_reports_rows_per_second(tmp_path):
    # given a tiny backlog and a tiny naive sample
    command = [
        sys.executable,
        str(SCRIPT),
        "--quick",
        "--database-url",
        bench_url("dvctt_bench_sync_smoke"),
        "--portal-database-url",
        bench_url("dvctt_bench_sync_smoke_portal"),
        "--redis-url",
        REDIS_URL,
        "--log-dir",
        str(tmp_path),
        "--timeout",
        "50",
        "--drop",
    ]

    # when
    completed = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)

    # then it delivered everything once (its own checks) and reported the ratio, then the result
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert lines[0].startswith("database: PostgreSQL dvctt_bench_sync_smoke")
    assert "stand-in: 810 records held, offered 810 times" in lines
    ratio, value = lines[-2].split(" ")
    name, metric, rate = lines[-1].split(" ")
    assert (ratio, name, metric) == ("ratio_to_naive", "RESULT", "sync_rows_per_s")
    assert float(value) > 0
    assert float(rate) > 0
