"""The e-form benchmark still runs end to end (few rounds; the numbers are not checked)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "eforms.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def smoke_database_url() -> str:
    """On PostgreSQL: same server, a database of the benchmark's own; else "" (a throwaway SQLite file)."""
    if not ON_POSTGRES:
        return ""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/dvctt_bench_eforms_smoke", query=""))


def test_eforms_benchmark_runs_and_reports_the_save_time():
    # given the full-size definitions (150 and 200 fields), timed only a few times
    command = [sys.executable, str(SCRIPT), "--repeat", "3", "--database-url", smoke_database_url(), "--drop"]

    # when
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    # then it passed its own checks (valid definition, valid submission, hidden values dropped) and reported
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert lines[0].startswith("database: PostgreSQL" if ON_POSTGRES else "database: SQLite")
    name, metric, value = lines[-1].split(" ")
    assert (name, metric) == ("RESULT", "eform_save_150_fields_ms")
    assert float(value) > 0
