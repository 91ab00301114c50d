"""The load benchmark still runs end to end: gunicorn, a Celery worker and locust, tiny (--quick).

Four simulated people for 10 seconds: the figures are not checked, only that every journey step
still answers as the script expects (a changed form or URL shows up here as a failed request).
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "load.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}

pytestmark = pytest.mark.skipif(
    not (ON_POSTGRES and REDIS_URL), reason="the benchmark needs PostgreSQL and Redis (broker of its Celery worker)"
)


def bench_url(name: str) -> str:
    """Same server as the tests, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{name}", query=""))


def test_load_benchmark_files_and_receives_dossiers_without_errors(tmp_path):
    # given a tiny run on its own database, and a Redis database next to the tests' one (it flushes it)
    redis = urlsplit(REDIS_URL)
    own_redis = urlunsplit(redis._replace(path=f"/{(int(redis.path.strip('/') or 0) + 1) % 16}"))
    command = [
        sys.executable, str(SCRIPT), "--quick", "--database-url", bench_url("dvctt_bench_load_smoke"),
        "--redis-url", own_redis, "--log-dir", str(tmp_path), "--drop",
    ]  # fmt: skip

    # when
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    # then every request answered as the journeys expect, dossiers were filed and received
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert lines[-1] == "RESULT load_error_rate 0.0000", completed.stdout
    endpoints = {line.split("  ")[1].strip() for line in lines if line.startswith(("  citizen: ", "  officer: "))}
    assert {
        "citizen: search",
        "citizen: upload PDF",
        "citizen: submit",
        "officer: queue",
        "officer: receive",
    } <= endpoints
    database = next(line for line in lines if line.startswith("database after the run: "))
    submitted = int(re.search(r"dossiers submitted during the run (\d+)", database).group(1))
    received = int(re.search(r"received by officers (\d+)", database).group(1))
    assert submitted >= 1, database
    assert received >= 1, database
