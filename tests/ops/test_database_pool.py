"""PostgreSQL connections (docs/deployment.md, "PostgreSQL connections"): DATABASE_POOL gives each
process a psycopg pool (Django's "pool" option) that requests borrow from; without it a process
keeps one connection for CONN_MAX_AGE. Real processes on the test database: settings are read
once at start-up, so each case is its own Python process."""

import json
import os
import subprocess
import sys

import pytest

from tests.emc_sync.drill_helpers import ON_POSTGRES, ROOT, run_database_url

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="connection pooling is PostgreSQL's (DATABASE_URL)")

# Ten "requests": each opens the connection, asks the server which backend serves it, and ends
# the way a request ends (Django's request_finished closes or returns the connection).
REQUESTS = """
import json, time, django
django.setup()
from django.conf import settings
from django.db import close_old_connections, connection
pids = []
started = time.perf_counter()
for _ in range(10):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])
    close_old_connections()
    if not connection.settings_dict["CONN_MAX_AGE"]:
        connection.close()
elapsed = time.perf_counter() - started
stats = connection.pool.get_stats() if connection.pool else {}
print(json.dumps({
    "pids": pids, "seconds": elapsed, "connections_made": stats.get("connections_num"),
    "database": {k: settings.DATABASES["default"][k] for k in ("CONN_MAX_AGE", "OPTIONS")},
}))
"""


def run(settings_module: str, **environment: str) -> dict:
    done = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", REQUESTS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "REDIS_URL": "", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_with_the_pool_requests_reuse_the_pools_connections():
    # when ten requests run in a process with a pool of two to three connections
    result = run(
        "dvctt.settings.test",
        DATABASE_URL=run_database_url(),
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="2",
        DATABASE_POOL_MAX_SIZE="3",
        CONN_MAX_AGE="60",  # ignored with a pool (Django refuses both)
    )

    # then they were served by the pool's connections: none opened per request
    assert result["database"] == {
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 3, "timeout": 10.0, "max_idle": 300.0, "max_lifetime": 1800.0}},
    }
    assert len(set(result["pids"])) <= 3
    assert result["connections_made"] <= 3
    print(  # noqa: T201 - the figure, for the report
        f"pool: 10 requests in {result['seconds'] * 1000:.1f} ms, {len(set(result['pids']))} server connections"
    )


@pytest.mark.django_db
def test_without_the_pool_and_conn_max_age_0_every_request_opens_a_connection():
    result = run("dvctt.settings.test", DATABASE_URL=run_database_url(), DATABASE_POOL="false", CONN_MAX_AGE="0")

    assert result["database"] == {"CONN_MAX_AGE": 0, "OPTIONS": {}}
    assert len(set(result["pids"])) == 10
    print(  # noqa: T201 - the figure, for the report
        f"no pool, CONN_MAX_AGE=0: 10 requests in {result['seconds'] * 1000:.1f} ms, 10 server connections"
    )


@pytest.mark.django_db
def test_production_like_settings_keep_one_connection_for_60_seconds_by_default():
    # dvctt.settings.dev reads the database the way production does (test settings close at once)
    result = run("dvctt.settings.dev", DATABASE_URL=run_database_url())

    assert result["database"]["CONN_MAX_AGE"] == 60
    assert len(set(result["pids"])) == 1


def test_sqlite_gets_no_pool_whatever_the_environment_says(tmp_path):
    result_env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DATABASE_POOL": "true"}
    done = subprocess.run(  # noqa: S603 - our own command line
        [
            sys.executable, "-c",
            "import django, json; django.setup(); from django.conf import settings; "
            "d = settings.DATABASES['default']; print(json.dumps([d['CONN_MAX_AGE'], d.get('OPTIONS', {})]))",
        ],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "dvctt.settings.dev", **result_env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, {}]
