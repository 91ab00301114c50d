"""Real processes for the sync drills: a Celery worker on the test database, the stand-in's read API.

The worker is `celery -A dvctt worker` as a subprocess, in its own process group (so that a
SIGKILL takes its pool children too, as a killed container would), with the test's database
(pytest-django's `test_<name>`, hence `django_db(transaction=True)`: the rows must be committed
for another process to see them) and the test's Redis.
"""

import contextlib
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql", "pgsql", "postgis"}
WORKER = (
    "-A dvctt worker -Q sync,default -c 2 --prefetch-multiplier 1 -l warning "
    "--without-heartbeat --without-mingle --without-gossip"
)
NEEDS = "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): real worker processes share the database"


def run_database_url() -> str:
    """DATABASE_URL pointing at the database pytest-django created for this run (`test_<name>`)."""
    return urlunsplit(urlsplit(DATABASE_URL)._replace(path="/" + str(connection.settings_dict["NAME"])))


def worker_environment(portal: str, *, redis_url: str = REDIS_URL, **extra: str) -> dict[str, str]:
    """The worker's settings: our test database, Redis, the stand-in, and short drill timings."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
        "DATABASE_URL": run_database_url(),
        "REDIS_URL": redis_url,
        "NATIONAL_PORTAL_URL": portal,
        "NATIONAL_PORTAL_TOKEN_URL": f"{portal}/oauth/token",
        "EMC_URL": f"{portal}/emc",
        "SYNC_HTTP_TIMEOUT": "0.5",  # shorter than the stand-in's injected timeouts
        "SYNC_BACKOFF_BASE_SECONDS": "0.2",
        "SYNC_BACKOFF_CAP_SECONDS": "2",
        "SYNC_LEASE_SECONDS": "15",  # a killed worker's rows come back within the drill
        "SYNC_DRAIN_BATCH": "20",
        "SYNC_DRAIN_SECONDS": "5",
        **extra,
    }


class Worker:
    """`celery -A dvctt worker -Q sync,default -c 2 --prefetch-multiplier 1` as its own process group."""

    def __init__(self, environment: dict[str, str], log: Path) -> None:
        self.log = log.open("a", encoding="utf-8")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "celery", *WORKER.split()],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, no acks, rows left `sending` under lease."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()


def set_faults(portal: str, **config: Any) -> dict[str, Any]:
    response = requests.post(f"{portal}/control/faults", json=config, timeout=10)
    response.raise_for_status()
    return dict(response.json())


def received(portal: str) -> list[dict[str, Any]]:
    """Every record the stand-in accepted, in arrival order."""
    response = requests.get(f"{portal}/control/received", timeout=60)
    response.raise_for_status()
    items = response.json()["items"]
    return sorted((item for item in items if item["target"] != "pageview"), key=lambda item: item["order"])


def out_of_order(items: list[dict[str, Any]]) -> list[str]:
    """Keys that arrived after a record of the same dossier and target with a higher or equal sequence.

    Keys are `<target>:<dossier code>:<sequence>[:<suffix>]` (emc_sync.services.outbox_key)."""
    last: dict[tuple[str, str], int] = defaultdict(lambda: -1)
    wrong = []
    for item in items:
        target, code, sequence = item["key"].split(":")[:3]
        if int(sequence) <= last[(target, code)]:
            wrong.append(item["key"])
        last[(target, code)] = int(sequence)
    return wrong


def wait_until(
    condition: Callable[[], bool], *, seconds: float, every: float = 0.5, tick: Callable[[], Any] = lambda: None
) -> bool:
    """Poll `condition` (calling `tick` between polls) until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        tick()
        time.sleep(every)
    return condition()


class TcpForward:
    """A broker that can go away and come back at the same address: a TCP forwarder to the real one.

    `down()` stops listening and cuts every open connection (clients see refused connections, as
    with a stopped Redis); `up()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server: socketserver.ThreadingTCPServer | None = None
        self.sockets: list[socket.socket] = []

    def up(self) -> None:
        forward = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                upstream = socket.create_connection(forward.target)
                forward.sockets += [self.request, upstream]
                pump = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
                pump.start()
                _pump(self.request, upstream)
                pump.join()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self.sockets = []


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
