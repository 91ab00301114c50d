import pytest

from accounts.constants import Role
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory


@pytest.fixture
def office(db):
    """A department with its officers, a procedure it implements and its published workflow."""
    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT)
    procedure = ProcedureFactory(code="1.000001", name="Thủ tục thử nghiệm", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    people = {
        role: UserFactory(username=role, role=role, full_name=f"Cán bộ {role}", agencies=[agency])
        for role in (Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK)
    }
    people[Role.CITIZEN] = UserFactory(username="037090001234", role=Role.CITIZEN, full_name="Nguyễn Văn An")
    return {"agency": agency, "procedure": procedure, "people": people}
