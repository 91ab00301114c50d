"""Run the stand-in as its own process on a free loopback port, for tests that talk over a socket.

    with running_stand_in(tmp_path / "stand-in.sqlite3") as base_url:
        urllib.request.urlopen(f"{base_url}/control/received")

It gets its own SQLite file (only the stand-in's tables are migrated: about 1.5 s), so it never
shares rows with the test database, exactly like the real outside systems.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', 'mock_portal', verbosity=0); call_command('migrate', 'mock_citizen', verbosity=0)"
)


def stand_in_environment(database: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
    }
    environment.pop("REDIS_URL", None)
    return {**environment, **(extra or {})}


def stand_in_migrate(database: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", MIGRATE], cwd=ROOT, env=stand_in_environment(database), check=True, timeout=60
    )


@contextmanager
def running_stand_in(database: Path, *, environment: dict[str, str] | None = None) -> Iterator[str]:
    """Migrate the stand-in's tables into `database` (if new), serve them, stop the server at the end."""
    if not database.exists():
        stand_in_migrate(database)
    log = database.with_suffix(".log").open("a", encoding="utf-8")  # request log, for a failing test
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_mock_portal", "--port", "0", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=stand_in_environment(database, environment),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # printed once the socket listens
        if "http://" not in banner:
            raise RuntimeError(f"run_mock_portal did not start: {banner!r}")
        yield banner[banner.index("http://") :].strip().rstrip("/")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
