from decimal import Decimal

from django.urls import reverse

from accounts.constants import Role
from accounts.services import user_ensure
from procedures.selectors import procedure_completeness
from tests.factories import ComponentFactory, ProcedureFactory, UserFactory


def test_completeness_names_each_missing_part(db):
    procedure = ProcedureFactory(
        steps="", channels=[], applicant_types=[], result_document="", time_limit_value=Decimal(0)
    )

    items = procedure_completeness(procedure)

    assert [item.label for item in items if not item.present] == [
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Thành phần, số lượng hồ sơ",
        "Thời hạn giải quyết",
        "Đối tượng thực hiện",
        "Cơ quan thực hiện",
        "Kết quả thực hiện",
    ]


def test_same_day_procedures_have_a_time_limit(db):
    procedure = ProcedureFactory(time_limit_value=Decimal(0), same_day_rule=True)

    assert next(i for i in procedure_completeness(procedure) if i.label == "Thời hạn giải quyết").present


def test_province_admin_manages_the_catalogue_in_vietnamese(client, civil_status_catalogue):
    ComponentFactory(procedure=civil_status_catalogue["1.001193"])
    admin, _created = user_ensure(username="quantri", password="x", role=Role.PROVINCE_ADMIN, full_name="Quản trị")
    client.force_login(admin)

    changelist = client.get(reverse("admin:procedures_procedure_changelist"), {"q": "dang ky khai sinh"})
    incomplete = client.get(reverse("admin:procedures_procedure_changelist"), {"complete": "no"})
    change = client.get(reverse("admin:procedures_procedure_change", args=[civil_status_catalogue["1.001193"].pk]))

    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Đăng ký kết hôn" not in html
    assert "Đủ thông tin công bố" in html
    assert "1.001193" not in incomplete.content.decode()  # has a component now: 7/7
    assert "1.000894" in incomplete.content.decode()
    assert "Nghị định 63/2010" in change.content.decode()


def test_officers_cannot_enter_the_admin(client, db):
    client.force_login(UserFactory(role="reception_officer"))

    response = client.get(reverse("admin:procedures_procedure_changelist"))

    assert response.status_code == 302
