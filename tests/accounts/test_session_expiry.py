"""Idle sessions end; the page knows when, and the keep-alive starts the idle time again."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import Role
from tests.factories import UserFactory

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def citizen(db):
    return UserFactory(username="037090001234", role=Role.CITIZEN)


def test_a_logged_in_page_tells_the_script_when_the_session_ends(client, citizen, settings):
    # given
    assert (settings.SESSION_IDLE_MINUTES, settings.SESSION_COOKIE_AGE, settings.SESSION_WARNING_SECONDS) == (
        30,
        1800,
        120,
    )
    # when
    with time_machine.travel(START, tick=False):
        client.force_login(citizen)
        client.get(reverse("home"))
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        page = client.get(reverse("home")).content.decode()

    # then: 30 minutes from the last activity that moved the clock (at most once a minute)
    assert 'data-session-seconds-left="1770"' in page
    assert 'data-session-warning-seconds="120"' in page
    assert 'data-session-keepalive-url="/tai-khoan/phien/gia-han/"' in page
    assert 'role="alertdialog"' in page
    assert "Tiếp tục phiên làm việc" in page
    assert '<script src="/static/js/session-timeout.js" defer></script>' in page


def test_an_anonymous_page_has_no_session_script(client, db):
    page = client.get(reverse("home")).content.decode()

    assert "data-session-seconds-left" not in page
    assert "session-timeout.js" not in page


def test_keep_alive_starts_the_idle_time_again_and_status_does_not(client, citizen):
    with time_machine.travel(START, tick=False):
        client.force_login(citizen)
        client.get(reverse("home"))

    # when: 29 minutes later the page asks, then the citizen presses "Tiếp tục phiên làm việc"
    with time_machine.travel(START + dt.timedelta(minutes=29), tick=False):
        status = client.get(reverse("accounts:session_status")).json()
        again = client.get(reverse("accounts:session_status")).json()
        kept = client.post(reverse("accounts:session_keepalive"))
    with time_machine.travel(START + dt.timedelta(minutes=50), tick=False):
        later = client.get(reverse("accounts:profile"))

    # then
    assert status == again == {"seconds_left": 60}
    assert (kept.status_code, kept.json()) == (200, {"seconds_left": 1800})
    assert later.status_code == 200  # 21 minutes after the keep-alive


def test_an_idle_session_ends(client, citizen):
    with time_machine.travel(START, tick=False):
        client.force_login(citizen)
        client.get(reverse("home"))

    # when: 31 minutes without a request
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        response = client.get(reverse("accounts:profile"))
        status = client.get(reverse("accounts:session_status")).json()

    # then: logged out, sent to the login page
    assert (response.status_code, response["Location"]) == (302, "/tai-khoan/dang-nhap/?next=/tai-khoan/tai-khoan/")
    assert status == {"seconds_left": 0}


def test_keep_alive_without_a_session_says_so(client, db):
    response = client.post(reverse("accounts:session_keepalive"))

    assert (response.status_code, response.json()) == (401, {"seconds_left": 0})


def test_the_login_page_says_when_the_session_ended(client, db):
    page = client.get(reverse("accounts:login") + "?het-phien=1").content.decode()

    assert "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại." in page
