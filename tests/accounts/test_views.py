import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.constants import Role
from accounts.models import User
from tests.factories import UserFactory

HOA_LU_WARD = 14329  # Phường Hoa Lư, Ninh Bình
OTHER_PROVINCE_WARD = 7090  # Phường An Sinh, Quảng Ninh


def registration(**overrides):
    data = {
        "full_name": "  Nguyễn   Thị  Lan ",
        "citizen_id": "037190004321",
        "date_of_birth": "1990-06-01",
        "phone": "0912345678",
        "email": "lan@example.vn",
        "province_code": "37",
        "ward_code": str(HOA_LU_WARD),
        "address": "Số 5, phố Lê Lợi",
        "password1": "Khong-de-doan-2026",
        "password2": "Khong-de-doan-2026",
    }
    data.update(overrides)
    return data


def test_registration_creates_a_citizen_who_logs_in_with_the_id_number(client, db):
    response = client.post(reverse("accounts:register"), registration())

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.username, user.citizen_id, user.role, user.full_name) == (
        "037190004321",
        "037190004321",
        Role.CITIZEN,
        "Nguyễn Thị Lan",
    )
    assert user.ward_code == HOA_LU_WARD
    client.logout()
    assert client.login(username="037190004321", password="Khong-de-doan-2026")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("citizen_id", "12345", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("citizen_id", "037191004321", "không khớp với năm sinh 1990"),
        # Only the chosen province's wards are offered, so a foreign ward is not a valid choice.
        ("ward_code", str(OTHER_PROVINCE_WARD), "7090 không phải là một trong các lựa chọn"),
        ("phone", "12345", "Số điện thoại di động không hợp lệ"),
        ("password2", "khac", "Hai trường mật khẩu không giống nhau."),
    ],
)
def test_registration_errors_are_vietnamese_and_nothing_is_saved(client, db, field, value, message):
    response = client.post(reverse("accounts:register"), registration(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert User.objects.count() == 0


def test_registration_twice_with_the_same_id_is_refused(client, db):
    UserFactory(username="037190004321", citizen_id="037190004321")

    response = client.post(reverse("accounts:register"), registration())

    assert "Số định danh này đã có tài khoản" in response.content.decode()
    assert User.objects.count() == 1


def test_wards_endpoint_lists_wards_of_a_province_in_vietnamese_order(client):
    response = client.get(reverse("accounts:wards"), {"tinh": "37"})

    names = [w["name"] for w in response.json()["wards"]]
    assert "Phường Hoa Lư" in names
    assert len(names) > 100
    assert client.get(reverse("accounts:wards"), {"tinh": "abc"}).status_code == 400


def test_login_and_logout(client, db):
    UserFactory(username="tiepnhan", role=Role.RECEPTION_OFFICER)

    response = client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": "Mat-khau-2026"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200

    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_wrong_password_gets_a_vietnamese_message(client, db):
    UserFactory(username="tiepnhan")

    response = client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": "sai"})

    assert response.status_code == 200
    assert "Vui lòng kiểm tra lại thông tin" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, db):
    UserFactory(username="037190004321", email="lan@example.vn")

    client.post(reverse("accounts:password_reset"), {"email": "lan@example.vn"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/tai-khoan/dat-lai-mat-khau/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    response = client.post(form_url, {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"})
    assert response.status_code == 302
    assert client.login(username="037190004321", password="Mat-khau-moi-2026")
