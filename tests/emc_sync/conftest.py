import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import responses

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.services import dossier_act, dossier_submit
from dvctt.celery import app as celery_app
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, UserFactory, WorkflowVersionFactory
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
    return dossier_act(dossier_id=dossier.pk, actor=office["people"][role], action=action, **extra)


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=VN)
