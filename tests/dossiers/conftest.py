import pytest

from accounts.constants import Role
from eforms.services import form_draft_save, form_version_publish
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory


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


FORM = {
    "title": "Tờ khai thử nghiệm",
    "steps": [
        {
            "key": "nguoi_yeu_cau",
            "title": "Người yêu cầu",
            "fields": [
                {"key": "ho_ten", "type": "text", "label": "Họ và tên", "required": True},
                {"key": "dien_thoai", "type": "phone", "label": "Số điện thoại", "required": True},
            ],
        },
        {
            "key": "noi_dung",
            "title": "Nội dung yêu cầu",
            "fields": [{"key": "ly_do", "type": "textarea", "label": "Lý do", "required": True}],
        },
    ],
}


@pytest.fixture
def service(office):
    """The office's procedure offered online with an e-form and one required document."""
    procedure = office["procedure"]
    component = ComponentFactory(procedure=procedure, name="Giấy chứng sinh", required=True)
    version = form_draft_save(procedure=procedure, schema=FORM, name="Tờ khai")
    form_version_publish(version=version)
    return {**office, "component": component, "citizen": office["people"][Role.CITIZEN]}
