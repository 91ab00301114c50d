"""Processes of a deployment for the ops drills: gunicorn web processes, Celery workers and beats,
each its own process group in a folder (and MEDIA_ROOT) of its own, and people using the portal
over HTTP through one web process or another (their sessions are in PostgreSQL)."""

import html
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from tests.emc_sync.drill_helpers import REDIS_URL
from tests.files import PDF
from tests.s3 import free_port

PASSWORD = "Mat-khau-2026"  # tests.factories.UserFactory's
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(expected_sequence|idempotency_key)" value="([^"]*)"')


def redis_at(port: int) -> str:
    real = urlsplit(REDIS_URL)
    return urlunsplit(real._replace(netloc=f"127.0.0.1:{port}"))


class Node:
    """One process of the deployment, as its own process group in a folder of its own."""

    def __init__(self, name: str, command: list[str], environment: dict[str, str], base: Path) -> None:
        self.name = name
        self.folder = base / name
        (self.folder / "media").mkdir(parents=True)
        self.log_path = self.folder / "log.txt"
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=self.folder,
            env={**environment, "MEDIA_ROOT": str(self.folder / "media")},
            stdout=self.log_path.open("w", encoding="utf-8"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def local_files(self) -> list[Path]:
        return [p for p in (self.folder / "media").rglob("*") if p.is_file()]


class Web(Node):
    def __init__(self, name: str, environment: dict[str, str], base: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "dvctt.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", "1", "--threads", "4", "--timeout", "60"]  # fmt: skip
        super().__init__(name, command, environment, base)

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False


class Worker(Node):
    def __init__(self, name: str, environment: dict[str, str], base: Path) -> None:
        command = [sys.executable, "-m", "celery", "-A", "dvctt", "worker", "-Q", "default,sync,documents", "-c", "1",
                   "--prefetch-multiplier", "1", "-l", "info", "-n", f"{name}@drill", "--without-heartbeat",
                   "--without-mingle", "--without-gossip"]  # fmt: skip
        super().__init__(name, command, environment, base)

    def ready(self) -> bool:
        return "ready." in self.log()

    def received(self) -> list[str]:
        return re.findall(r"Task dossiers\.documents\.tasks\.document_issue_task\[([0-9a-f-]+)\] received", self.log())

    def succeeded(self) -> list[str]:
        return re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] succeeded", self.log())

    def busy(self) -> bool:
        """Holds a document task it has not finished (received, no success logged)."""
        return bool(set(self.received()) - set(self.succeeded()))


class Beat(Node):
    def __init__(self, name: str, environment: dict[str, str], base: Path) -> None:
        command = [sys.executable, "-m", "celery", "-A", "dvctt", "beat", "-l", "info", "--pidfile="]
        super().__init__(name, command, environment, base)

    def holds_lock(self) -> bool:
        return "beat: Acquired lock" in self.log()

    def sent(self) -> list[str]:
        return re.findall(r"Scheduler: Sending due task \S+ \((\S+)\)", self.log())


def wait_for(condition, seconds: float, what: str, every: float = 0.2, node: Node | None = None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(every)
    tail = f"\n{node.name}'s log ends:\n{node.log()[-3000:]}" if node is not None else ""
    raise AssertionError(f"{what}: not within {seconds} s{tail}")


def token(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, page[:500]
    return html.unescape(found.group(1))


class Person:
    """A browser: a requests session at one web process or another (the session is in PostgreSQL)."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.http = requests.Session()
        self.statuses: Counter[int] = Counter()

    def get(self, web: Web, path: str, **kwargs) -> requests.Response:
        response = self.http.get(web.url + path, allow_redirects=False, timeout=30, **kwargs)
        self.statuses[response.status_code] += 1
        return response

    def post(self, web: Web, path: str, data: dict, **kwargs) -> requests.Response:
        response = self.http.post(web.url + path, data=data, allow_redirects=False, timeout=30, **kwargs)
        self.statuses[response.status_code] += 1
        return response

    def sign_in(self, web: Web) -> requests.Response:
        self.http.cookies.clear()
        page = self.get(web, "/tai-khoan/dang-nhap/")
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token(page.text)}
        return self.post(web, "/tai-khoan/dang-nhap/", data)


def file_a_dossier(person: Person, web: Web, procedure_code: str, agency_pk: int, component_pk: int) -> str:
    """Start, upload one PDF, submit: the code of the new dossier."""
    page = person.get(web, f"/thu-tuc/{procedure_code}/nop-ho-so/")
    assert page.status_code == 200, page.status_code
    started = person.post(
        web, f"/thu-tuc/{procedure_code}/nop-ho-so/", {"agency": agency_pk, "csrfmiddlewaretoken": token(page.text)}
    )
    assert started.status_code == 302, started.text[:500]
    draft_token = started.headers["Location"].rstrip("/").split("/")[-2]
    files_url = f"/ho-so-cua-toi/dang-soan/{draft_token}/giay-to/"
    page = person.get(web, files_url)
    assert page.status_code == 200, page.status_code
    upload = person.http.post(
        f"{web.url}/tep-dinh-kem/ho-so-nhap/{draft_token}/tai-len/",
        data={"component": component_pk, "next": files_url, "csrfmiddlewaretoken": token(page.text)},
        files={"file": ("giay-chung-sinh.pdf", PDF + uuid.uuid4().hex.encode(), "application/pdf")},
        headers={"Accept": "application/json"},
        allow_redirects=False,
        timeout=30,
    )
    person.statuses[upload.status_code] += 1
    assert upload.status_code == 201, upload.text[:500]
    review = f"/ho-so-cua-toi/dang-soan/{draft_token}/kiem-tra/"
    page = person.get(web, review)
    done = person.post(web, review, {"declaration": "on", "csrfmiddlewaretoken": token(page.text)})
    assert done.status_code == 302, done.text[:1000]
    return done.headers["Location"].rstrip("/").split("/")[-2]


def fetch(person: Person, web: Web, path: str) -> bytes:
    """A download through `web`: a signed address of the bucket (302), then the bytes from it."""
    answer = person.get(web, path)
    assert answer.status_code == 302, (path, answer.status_code, answer.text[:300])
    assert "X-Amz-Signature=" in answer.headers["Location"]  # signed by the web, served by the bucket
    body = requests.get(answer.headers["Location"], timeout=30)
    assert body.status_code == 200, body.text[:300]
    return body.content
