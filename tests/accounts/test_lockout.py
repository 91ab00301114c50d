"""Login throttling with django-axes: lock after LOGIN_FAILURE_LIMIT failures per user name and address."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.constants import AuthEventKind
from accounts.models import AuthEvent
from tests.factories import UserFactory

PASSWORD = "Mat-khau-2026"
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần, vui lòng thử lại sau"
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def citizen(db):
    return UserFactory(username="037090001234", full_name="Nguyễn Văn An")


def attempt(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def logged_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_and_even_the_right_one_is_refused(client, citizen, settings):
    # given
    assert (settings.AXES_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES) == (5, 30)

    with time_machine.travel(START, tick=False):
        # when: four wrong passwords: the ordinary error, no lock yet
        for _ in range(4):
            response = attempt(client, citizen.username, "sai-mat-khau")
            assert response.status_code == 200
            assert LOCKED not in response.content.decode()

        # the fifth locks: the login page again, with the Vietnamese message, not a bare 403
        fifth = attempt(client, citizen.username, "sai-mat-khau")
        # then the right password is refused too
        right = attempt(client, citizen.username, PASSWORD)

    # then
    for response in (fifth, right):
        assert response.status_code == 429
        assert response.templates[0].name == "accounts/login.html"
        assert f"{LOCKED} 30 phút." in response.content.decode()
    assert not logged_in(client)


def test_the_message_counts_down_and_the_lock_ends_after_the_cool_off(client, citizen):
    # given: locked at 08:00
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, citizen.username, "sai-mat-khau")

    # when: 10 minutes later the lock still holds (and says 20 minutes); 31 minutes later it is gone
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        during = attempt(client, citizen.username, PASSWORD)
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        after = attempt(client, citizen.username, PASSWORD)
        signed_in = logged_in(client)

    # then: trying during the lock did not move its end
    assert during.status_code == 429
    assert f"{LOCKED} 20 phút." in during.content.decode()
    assert (after.status_code, after["Location"], signed_in) == (302, "/", True)
    # a successful login clears the failures
    assert AccessAttempt.objects.filter(username=citizen.username).count() == 0


def test_the_lock_is_per_user_name_and_address(client, citizen, db):
    # given: the citizen's name is locked from 203.0.113.7
    other = UserFactory(username="tiepnhan")
    for _ in range(5):
        attempt(client, citizen.username, "sai-mat-khau", REMOTE_ADDR="203.0.113.7")

    # when
    same_pair = attempt(client, citizen.username, PASSWORD, REMOTE_ADDR="203.0.113.7")
    other_user_same_address = attempt(client, other.username, PASSWORD, REMOTE_ADDR="203.0.113.7")
    client.logout()
    same_user_other_address = attempt(client, citizen.username, PASSWORD, REMOTE_ADDR="198.51.100.20")

    # then
    assert same_pair.status_code == 429
    assert other_user_same_address.status_code == 302
    assert same_user_other_address.status_code == 302


def test_behind_the_proxy_the_address_is_the_one_nginx_added(client, citizen):
    # given: every request comes from nginx on 127.0.0.1; the client forges a first X-Forwarded-For entry
    for n in range(5):
        attempt(
            client, citizen.username, "sai", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.7"
        )

    # when
    locked = attempt(client, citizen.username, PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    elsewhere = attempt(
        client, citizen.username, PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.20"
    )

    # then: the forged entries changed nothing; another real client is not locked
    assert locked.status_code == 429
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_a_successful_login_starts_the_count_again(client, citizen):
    # given: four failures, then the right password
    for _ in range(4):
        attempt(client, citizen.username, "sai")
    assert attempt(client, citizen.username, PASSWORD).status_code == 302
    client.logout()

    # when: four more failures
    for _ in range(4):
        response = attempt(client, citizen.username, "sai")

    # then: not locked
    assert response.status_code == 200
    assert attempt(client, citizen.username, PASSWORD).status_code == 302


def test_the_lockout_is_in_the_login_log(client, citizen):
    # when
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            attempt(client, citizen.username, "sai", HTTP_USER_AGENT="Thử nghiệm/1.0")

    # then: six failures; the fifth locked the account (axes tells first), the sixth met the lock
    failed, locked = AuthEventKind.LOGIN_FAILED, AuthEventKind.LOCKED_OUT
    kinds = list(AuthEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [failed] * 4 + [locked, failed, locked, failed]
    event = AuthEvent.objects.filter(kind=AuthEventKind.LOCKED_OUT).first()
    assert (event.user, event.username, event.ip_address, event.user_agent, event.at) == (
        citizen,
        citizen.username,
        "127.0.0.1",
        "Thử nghiệm/1.0",
        START,
    )


def test_the_django_admin_login_is_throttled_too(client, db):
    # given
    admin = UserFactory(username="quantri", province_admin=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": admin.username, "password": "sai"})

    # when
    response = client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert f"{LOCKED} 30 phút." in response.content.decode()
