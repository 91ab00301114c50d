"""What every benchmark here shares: its own PostgreSQL database, Django set-up, timings.

A benchmark wipes its database, so the database name must contain "bench"; the scripts
refuse anything else, and SQLite, which is not what production runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
T = TypeVar("T")


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def check_database_url(database_url: str, *, needs: str, default: str) -> None:
    """Exit with a message unless the URL is PostgreSQL and names a database with "bench" in it."""
    parts = urlsplit(database_url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise SystemExit(
            f"This benchmark needs PostgreSQL ({needs}); got {parts.scheme or database_url!r}. "
            f"Pass --database-url {default}"
        )
    name = database_name(database_url)
    if "bench" not in name:
        raise SystemExit(f"Refusing to wipe database {name!r}: the benchmark database name must contain 'bench'.")


def create_database_if_missing(database_url: str) -> bool:
    import psycopg
    from psycopg import sql

    name = database_name(database_url)
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return not exists


def reset_schema(database_url: str) -> None:
    """Drop every table (and the extensions living in `public`) so migrate starts from nothing."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        # WITH (FORCE): with DATABASE_POOL=true the benchmark's own pool still holds connections
        # (close_all() hands them back to the pool), and a plain DROP failed "being accessed".
        name = sql.Identifier(database_name(database_url))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def setup_django(database_url: str) -> None:
    # Before django.setup(): settings read DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "dvctt.settings.test"
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


@dataclass
class Timings:
    samples: list[float] = field(default_factory=list)

    def percentile(self, p: int) -> float:
        if len(self.samples) == 1:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=100, method="inclusive")[p - 1]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)

    def line(self, label: str, width: int = 22) -> str:
        return (
            f"{label:<{width}} n={len(self.samples):<5} p50={self.percentile(50):7.2f}  p95={self.percentile(95):7.2f}  "
            f"p99={self.percentile(99):7.2f}  mean={self.mean:7.2f}  (ms)"
        )


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def finish(*, database_url: str, drop: bool, failures: list[str], result: str, value: float) -> int:
    """Close connections, drop or keep the database, then print failures or the RESULT line."""
    from django.db import connections

    connections.close_all()
    name = database_name(database_url)
    if drop:
        drop_database(database_url)
        print(f"\ndatabase {name} dropped")
    else:
        print(f"\ndatabase {name} left in place (re-running resets it; --drop removes it)")
    if failures:
        for failure in dict.fromkeys(failures):
            print(f"FAIL: {failure}")
        return 1
    print(f"RESULT {result} {value:.2f}")
    return 0
