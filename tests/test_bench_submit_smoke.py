"""The submit benchmark still runs end to end through gunicorn (tiny sizes; the timings are not checked)."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "submit.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def smoke_database_url() -> str:
    """Same server and credentials as the test database, a database of the benchmark's own."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/dvctt_bench_submit_smoke", query=""))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_submit_benchmark_submits_every_draft_once_and_reports_the_ratio():
    # given 2 clients with 10 drafts each, 4 drafts to resend, 2 for the query count, and an
    # in-memory broker (the test run's Redis is left alone)
    command = [
        sys.executable, str(SCRIPT), "--quick", "--redis-url", "none",
        "--database-url", smoke_database_url(), "--drop",
    ]  # fmt: skip

    # when
    completed = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)

    # then every request succeeded and the database holds one dossier per draft, resent ones included
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert "failures: 0" in lines
    assert "resend: 4 drafts × 2 concurrent POSTs → 4 dossiers, 8 × 302" in lines
    database = next(line for line in lines if line.startswith("database: drafts"))
    assert database == (
        "database: drafts 26, drafts submitted 26, dossiers 26, distinct codes 26, dossiers of the drafts 26, "
        "submit events 26, attachments moved 26, resent dossiers 4, baseline rows 27"
    )
    assert re.fullmatch(r"RESULT submit_ratio_to_insert_baseline \d+\.\d\d", lines[-1])
    assert float(lines[-1].split(" ")[-1]) > 0
