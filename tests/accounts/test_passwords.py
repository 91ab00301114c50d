"""Password rules: Django's validators with our settings, messages in Vietnamese."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_views import registration


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ng-2026x", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("4815162342", "Mật khẩu này hoàn toàn là số."),
        ("037190004321a", "Mật khẩu quá giống với số định danh cá nhân."),
        ("nguyenthilan", "Mật khẩu quá giống với họ và tên."),
    ],
)
def test_weak_passwords_are_refused_with_a_vietnamese_reason(client, db, password, message):
    # when
    response = client.post(reverse("accounts:register"), registration(password1=password, password2=password))

    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_a_long_uncommon_password_is_accepted(client, db):
    response = client.post(
        reverse("accounts:register"), registration(password1="Hoa-sen-no-2026", password2="Hoa-sen-no-2026")
    )

    assert response.status_code == 302
    assert User.objects.get().check_password("Hoa-sen-no-2026")


def test_the_minimum_length_is_a_setting(settings):
    # the validators are read from the settings once per call: a deployment may ask for more
    from django.contrib.auth.password_validation import get_default_password_validators

    lengths = [v.min_length for v in get_default_password_validators() if hasattr(v, "min_length")]
    assert lengths == [settings.PASSWORD_MIN_LENGTH] == [10]
