import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.constants import Role
from dossiers.constants import Channel
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, SectorFactory, UserFactory
from workflows.constants import Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# "Now" in these tests: after October 2026 has ended.
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=VN)


def at(day: int, hour: int = 9, month: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=VN)


@pytest.fixture
def province(db):
    """A department with one ward below it, a procedure each, and a leader of the department."""
    sector = SectorFactory(code="HOTICH", name="Hộ tịch")
    department = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    ward = AgencyFactory(code="000.31.37.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD, parent=department)
    other = AgencyFactory(code="000.00.15.H42", name="Sở Xây dựng", level=AgencyLevel.DEPARTMENT)
    birth = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", sector=sector, agencies=[department, ward])
    building = ProcedureFactory(code="1.009999", name="Cấp giấy phép xây dựng", agencies=[other])
    leader = UserFactory(username="lanhdao", role=Role.LEADER, full_name="Lãnh đạo Sở", agencies=[department])
    return {
        "department": department,
        "ward": ward,
        "other": other,
        "birth": birth,
        "building": building,
        "leader": leader,
        "sector": sector,
    }


def make_dossier(
    procedure, agency, *, received=None, due=None, finished=None, channel=Channel.ONLINE, status=None, **extra
):
    """A received dossier; finished ones are status 10 (returned) unless said otherwise."""
    received = received or at(5)
    if status is None:
        status = Status.RETURNED if finished else Status.PROCESSING
    return DossierFactory(
        procedure=procedure,
        agency=agency,
        channel=channel,
        submitted_at=received,
        received_at=received,
        due_at=due or received + dt.timedelta(days=7),
        finished_at=finished,
        returned_at=finished,
        closed_at=finished if status == Status.RETURNED else None,
        status=status,
        **extra,
    )


@pytest.fixture
def october(province):
    """At the department: 3 on time, 2 late (one running past due); at its ward: 1 on time; elsewhere: 1 late."""
    department, ward, other = province["department"], province["ward"], province["other"]
    birth, building = province["birth"], province["building"]
    for day in (1, 2, 3):
        make_dossier(birth, department, received=at(day), due=at(day + 5), finished=at(day + 1), channel=Channel.ONLINE)
    make_dossier(birth, department, received=at(4), due=at(6), finished=at(9), channel=Channel.DIRECT)
    make_dossier(birth, department, received=at(5), due=at(12), channel=Channel.DIRECT)  # running, past due
    make_dossier(birth, ward, received=at(6), due=at(9), finished=at(7), channel=Channel.ONLINE)
    make_dossier(building, other, received=at(7), due=at(9), finished=at(20), channel=Channel.DIRECT)
    return province


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield
