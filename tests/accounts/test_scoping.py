import pytest
from django.urls import reverse

from accounts.constants import Role
from accounts.selectors import procedure_list_for_officer, user_agency_scope
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory


@pytest.fixture
def agencies(db):
    province = AgencyFactory(code="000.00.00.H42", name="UBND tỉnh", level=AgencyLevel.PROVINCE)
    environment = AgencyFactory(code="000.00.06.H42", name="Sở Nông nghiệp và Môi trường", parent=province)
    land_office = AgencyFactory(code="000.01.06.H42", name="Văn phòng Đăng ký đất đai", parent=environment)
    ward = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD, parent=province)
    return {"province": province, "environment": environment, "land": land_office, "ward": ward}


@pytest.fixture
def procedures(agencies):
    return {
        "land": ProcedureFactory(code="1.012756", name="Đăng ký đất đai", agencies=[agencies["land"]]),
        "birth": ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", agencies=[agencies["ward"]]),
        "draft": ProcedureFactory(code="1.999999", name="Nháp của phường", agencies=[agencies["ward"]], draft=True),
    }


def codes(qs):
    return sorted(p.code for p in qs)


def test_officer_sees_own_agency_and_its_sub_agencies(agencies, procedures):
    department_officer = UserFactory(role=Role.SPECIALIST, agencies=[agencies["environment"]])
    ward_officer = UserFactory(role=Role.RECEPTION_OFFICER, agencies=[agencies["ward"]])

    assert user_agency_scope(user=department_officer) == {agencies["environment"].pk, agencies["land"].pk}
    assert codes(procedure_list_for_officer(user=department_officer)) == ["1.012756"]
    assert codes(procedure_list_for_officer(user=ward_officer)) == ["1.001193", "1.999999"]


def test_officer_in_two_agencies_sees_both_without_duplicates(agencies, procedures):
    officer = UserFactory(role=Role.LEADER, agencies=[agencies["land"], agencies["ward"]])

    assert codes(procedure_list_for_officer(user=officer)) == ["1.001193", "1.012756", "1.999999"]


def test_province_admin_sees_everything_and_citizen_nothing(agencies, procedures):
    admin = UserFactory(province_admin=True)
    citizen = UserFactory(role=Role.CITIZEN)

    assert user_agency_scope(user=admin) is None
    assert codes(procedure_list_for_officer(user=admin)) == ["1.001193", "1.012756", "1.999999"]
    assert user_agency_scope(user=citizen) == set()


def test_officer_without_agency_sees_nothing(agencies, procedures):
    assert codes(procedure_list_for_officer(user=UserFactory(role=Role.CLERK))) == []


def test_officer_page_is_scoped_and_closed_to_citizens(client, agencies, procedures):
    officer = UserFactory(role=Role.RECEPTION_OFFICER, agencies=[agencies["land"]])
    citizen = UserFactory(role=Role.CITIZEN)
    url = reverse("accounts:officer_procedures")

    client.force_login(officer)
    html = client.get(url).content.decode()
    assert "1.012756" in html
    assert "1.001193" not in html

    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
