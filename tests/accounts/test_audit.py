"""The audit trail: logins, failures, logouts and two-factor steps in the login log
(accounts.AuthEvent); changes made in the Django admin and in the portal's own pages together
in one change log (LogEntry), both read in the Django admin."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from accounts.constants import AuthEventKind, Role
from accounts.models import AuthEvent
from accounts.services import province_admin_group_ensure
from common.audit import audit_log
from procedures.models import Sector
from tests.factories import UserFactory

PASSWORD = "Mat-khau-2026"


def test_login_failure_and_logout_are_logged_with_address_and_browser(client, db):
    # given
    citizen = UserFactory(username="037090001234")
    url = reverse("accounts:login")
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (Android 14)", "REMOTE_ADDR": "203.0.113.7"}

    # when: a wrong password, an unknown user name, the right password, logout
    client.post(url, {"username": citizen.username, "password": "sai"}, **browser)
    client.post(url, {"username": "khong-ton-tai", "password": "sai"}, **browser)
    client.post(url, {"username": citizen.username, "password": PASSWORD}, **browser)
    client.post(reverse("accounts:logout"), **browser)

    # then
    rows = list(AuthEvent.objects.order_by("pk").values_list("kind", "user", "username", "ip_address", "user_agent"))
    agent = "Mozilla/5.0 (Android 14)"
    assert rows == [
        (AuthEventKind.LOGIN_FAILED, citizen.pk, citizen.username, "203.0.113.7", agent),
        (AuthEventKind.LOGIN_FAILED, None, "khong-ton-tai", "203.0.113.7", agent),
        (AuthEventKind.LOGIN, citizen.pk, citizen.username, "203.0.113.7", agent),
        (AuthEventKind.LOGOUT, citizen.pk, citizen.username, "203.0.113.7", agent),
    ]


def test_a_change_in_the_django_admin_and_one_in_the_portal_are_read_together(client, db):
    # given: a superuser adds a sector in the Django admin; an officer's action elsewhere is audited
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True, role=Role.PROVINCE_ADMIN)
    officer = UserFactory(username="tiepnhan", role=Role.RECEPTION_OFFICER)
    client.force_login(admin_user)
    response = client.post(reverse("admin:procedures_sector_add"), {"code": "HOTICH", "name": "Hộ tịch"})
    assert response.status_code == 302
    sector = Sector.objects.get(code="HOTICH")
    audit_log(actor=officer, obj=sector, action_flag=CHANGE, message="Tiếp nhận hồ sơ 000.00.12.H42-260302-0001")

    # when
    page = client.get(reverse("admin:admin_logentry_changelist"))

    # then: both in the one change log, newest first
    entries = list(LogEntry.objects.order_by("-action_time", "-pk").values_list("user__username", "action_flag"))
    assert entries == [("tiepnhan", CHANGE), ("admin", ADDITION)]
    body = page.content.decode()
    assert page.status_code == 200
    assert "Tiếp nhận hồ sơ 000.00.12.H42-260302-0001" in body
    assert "Hộ tịch" in body


def test_the_logs_are_read_only_in_the_admin(client, db):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True, role=Role.PROVINCE_ADMIN)
    client.force_login(admin_user)
    event = AuthEvent.objects.filter(kind=AuthEventKind.LOGIN).get()

    assert client.get(reverse("admin:accounts_authevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_authevent_add")).status_code == 403
    assert client.post(reverse("admin:accounts_authevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuthEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("perm", ["admin.view_logentry", "accounts.view_authevent"])
def test_province_admins_may_read_both_logs(db, perm):
    # given
    quantri = UserFactory(username="quantri", province_admin=True)

    # when
    quantri.groups.add(province_admin_group_ensure())

    # then
    assert quantri.has_perm(perm)
    assert not quantri.has_perm(perm.replace("view_", "delete_"))
