import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
from django.core.cache import cache

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.services import dossier_act, dossier_submit
from dvctt.celery import app as celery_app
from emc_sync.delivery import outbox_drain
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, UserFactory, WorkflowVersionFactory
from tests.signing_support import returning
from tests.stores import clear_caches

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PORTAL = "http://portal.test"
ADD, UPDATE, PROGRESS = f"{PORTAL}/dvcqg/hoso/them", f"{PORTAL}/dvcqg/hoso/capnhat", f"{PORTAL}/dvcqg/hoso/tiendo"
EMC = f"{PORTAL}/emc/sukien"
OK = {"error_code": "0", "message": "Thành công"}


@pytest.fixture
def office(db):
    """A department, its officers, a citizen, and a procedure with its published workflow."""
    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    sector = SectorFactory(code="HOTICH", name="Hộ tịch")
    procedure = ProcedureFactory(code="1.000001", name="Thủ tục thử nghiệm", sector=sector, agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    people = {
        role: UserFactory(username=role, role=role, full_name=f"Cán bộ {role}", agencies=[agency])
        for role in (Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK)
    }
    people[Role.CITIZEN] = UserFactory(username="037090001234", role=Role.CITIZEN, full_name="Nguyễn Văn An")
    return {"agency": agency, "procedure": procedure, "people": people}


@pytest.fixture
def sync(settings):
    """Delivery on, pointed at a fake portal host (answered by `responses`), no jitter surprises."""
    settings.SYNC_DELIVERY_ENABLED = True
    settings.NATIONAL_PORTAL_URL = PORTAL
    settings.NATIONAL_PORTAL_TOKEN_URL = f"{PORTAL}/oauth/token"
    settings.EMC_URL = f"{PORTAL}/emc"
    settings.EMC_SITE_ID = "site-37"
    settings.SYNC_BACKOFF_BASE_SECONDS = 2.0
    settings.SYNC_BACKOFF_CAP_SECONDS = 600.0
    settings.SYNC_RECORD_BATCH = 20
    settings.SYNC_DRAIN_BATCH = 100
    clear_caches()
    # Tasks run in-process even when REDIS_URL is set (PostgreSQL runs): no worker in these tests.
    eager = celery_app.conf.CELERY_TASK_ALWAYS_EAGER  # the namespaced key, as Celery reads it from Django
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield settings
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    clear_caches()


@pytest.fixture
def portal(sync):
    """The outside world: a token endpoint, and whatever each test adds."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{PORTAL}/oauth/token", json={"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})
        yield mock


def calls_to(mock, url):
    return [call for call in mock.calls if call.request.url == url]


def body(call):
    return json.loads(call.request.body)


def submit(office, *, channel=Channel.ONLINE, **extra):
    fields = {
        "procedure": office["procedure"],
        "agency": office["agency"],
        "channel": channel,
        "applicant": office["people"][Role.CITIZEN],
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "037090001234",
        "applicant_phone": "0912345678",
        "applicant_email": "an@example.vn",
        "summary": "Xin cấp giấy",
    }
    if channel == Channel.DIRECT:
        fields["actor"] = office["people"][Role.RECEPTION_OFFICER]
    fields.update(extra)
    return dossier_submit(**fields)


def act(office, dossier, role, action, **extra):
    extra.setdefault("data", returning(action))  # a paper result: the officer confirms it is ready
    return dossier_act(dossier_id=dossier.pk, actor=office["people"][role], action=action, **extra)


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=VN)


ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stand_in(tmp_path_factory):
    """One for the whole run (each test resets it through `live`): `manage.py run_mock_portal` on a free port, with its own throwaway SQLite database."""
    database = tmp_path_factory.mktemp("stand-in") / "stand_in.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=180)
    port = _free_port()
    process = subprocess.Popen(
        [*manage, "run_mock_portal", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/control/faults", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def live(stand_in, settings):
    settings.SYNC_DELIVERY_ENABLED = False  # this test drains by hand
    settings.NATIONAL_PORTAL_URL = stand_in
    settings.NATIONAL_PORTAL_TOKEN_URL = f"{stand_in}/oauth/token"
    settings.EMC_URL = f"{stand_in}/emc"
    requests.post(f"{stand_in}/control/reset", timeout=5)
    requests.post(f"{stand_in}/control/faults", json={"error_rate": 0}, timeout=5)
    cache.clear()
    yield stand_in
    cache.clear()


def drain_all():
    for _ in range(50):
        if outbox_drain().claimed == 0:
            return
