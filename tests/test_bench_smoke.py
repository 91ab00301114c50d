"""The catalogue search benchmark still runs end to end (tiny sizes; the numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "catalogue_search.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def smoke_database_url() -> str:
    """Same server and credentials as the test database, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/dvctt_bench_smoke", query=""))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_catalogue_search_benchmark_runs_and_reports_p95():
    # given a small catalogue and query mix in a throwaway database
    command = [
        sys.executable,
        str(SCRIPT),
        "--procedures", "300",
        "--queries", "50",
        "--database-url", smoke_database_url(),
        "--drop",
    ]  # fmt: skip

    # when
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    # then
    assert completed.returncode == 0, completed.stdout + completed.stderr
    name, metric, value = completed.stdout.strip().splitlines()[-1].split(" ")
    assert (name, metric) == ("RESULT", "catalogue_search_p95_ms")
    assert float(value) > 0
