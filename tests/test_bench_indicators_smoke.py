"""The indicators benchmark still runs end to end (tiny sizes; the numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "indicators.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def smoke_database_url() -> str:
    """Same server and credentials as the test database, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/dvctt_bench_indicators_smoke", query=""))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_indicators_benchmark_runs_and_reports_the_year_for_all_agencies():
    # given a small province (3 agencies, 3,000 dossiers) in a throwaway database
    command = [
        sys.executable,
        str(SCRIPT),
        "--dossiers", "3000",
        "--agencies", "3",
        "--repeats", "1",
        "--database-url", smoke_database_url(),
        "--drop",
    ]  # fmt: skip

    # when
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False
    )  # a bound on a stuck run; a busy CI machine takes longer

    # then the run passed its own check (the year holds assessed dossiers) and reported
    assert completed.returncode == 0, completed.stdout + completed.stderr
    name, metric, value = completed.stdout.strip().splitlines()[-1].split(" ")
    assert (name, metric) == ("RESULT", "indicators_year_all_agencies_ms")
    assert float(value) > 0
