"""The officer queue benchmark still runs end to end (tiny sizes; the numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "officer_queue.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def smoke_database_url() -> str:
    """Same server and credentials as the test database, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/dvctt_bench_queue_smoke", query=""))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_officer_queue_benchmark_runs_and_reports_p95():
    # given a small province (3 agencies, 3,000 dossiers) in a throwaway database
    command = [
        sys.executable,
        str(SCRIPT),
        "--dossiers", "3000",
        "--agencies", "3",
        "--requests", "5",
        "--database-url", smoke_database_url(),
        "--drop",
    ]  # fmt: skip

    # when
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False
    )  # a bound on a stuck run; a busy CI machine takes longer

    # then the run passed its own checks (cursor pages, query count per page size) and reported
    assert completed.returncode == 0, completed.stdout + completed.stderr
    name, metric, value = completed.stdout.strip().splitlines()[-1].split(" ")
    assert (name, metric) == ("RESULT", "officer_queue_p95_ms")
    assert float(value) > 0
