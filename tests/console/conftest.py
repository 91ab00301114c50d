import pytest

from accounts.constants import Role
from common.constants import VersionState
from console.services import service_config_draft_start
from eforms.models import FormDefinition, FormVersion
from procedures.constants import AgencyLevel
from tests.eforms.builders import field, form, step
from tests.factories import (
    AgencyFactory,
    ComponentFactory,
    FeeFactory,
    ProcedureFactory,
    UserFactory,
    WorkflowVersionFactory,
)


def form_schema(component: object = 1) -> dict:
    return form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", "Họ và tên", required=True),
            field("to_khai", "file", "Tờ khai đã ký", component=component),
        )
    )


@pytest.fixture
def admin(db):
    return UserFactory(username="quantri", province_admin=True)


@pytest.fixture
def procedure(db):
    """A published procedure with everything a fully online service needs, but no configuration yet."""
    agency = AgencyFactory(code="000.00.08.H42", name="Sở Y tế", level=AgencyLevel.DEPARTMENT)
    procedure = ProcedureFactory(code="2.000552", name="Cấp lại giấy phép", agencies=[agency])
    UserFactory(username="motcua.syt", role=Role.RECEPTION_OFFICER, agencies=[agency])  # someone receives its dossiers
    ComponentFactory(procedure=procedure, name="Đơn đề nghị", required=True, order=0)
    ComponentFactory(procedure=procedure, name="Bản sao giấy phép cũ", required=False, order=1)
    FeeFactory(procedure=procedure, name="Phí thẩm định", amount=500_000, online_discount_percent=50)
    definition = FormDefinition.objects.create(procedure=procedure, name="Tờ khai")
    FormVersion.objects.create(
        definition=definition,
        number=1,
        state=VersionState.PUBLISHED,
        schema=form_schema(),
        published_at="2026-01-05T08:00:00+07:00",
    )
    WorkflowVersionFactory(procedure=procedure, number=1)
    return procedure


@pytest.fixture
def draft(procedure, admin):
    return service_config_draft_start(procedure=procedure, actor=admin)
