"""TOTP two-factor authentication for officers, province admins and staff (django-otp)."""

import datetime as dt
import re
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection, transaction
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import AuthEventKind, Role
from accounts.models import AuthEvent
from accounts.two_factor import (
    DEMO_TOTP_SECRET_BASE32,
    backup_code_verify,
    backup_codes_issue,
    backup_codes_left,
    current_code,
    demo_device_ensure,
)
from tests.factories import AgencyFactory, UserFactory

PASSWORD = "Mat-khau-2026"
NOW = dt.datetime(2026, 3, 2, 8, 0, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.OFFICER_2FA_REQUIRED = True


@pytest.fixture
def officer(db):
    return UserFactory(username="tiepnhan", role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory()])


@pytest.fixture
def device(officer):
    return TOTPDevice.objects.create(user=officer, name="Ứng dụng xác thực", confirmed=True)


def login(client, username):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, "next": "/can-bo/ho-so/"}
    )


def verify(client, token, next_url="/can-bo/ho-so/"):
    return client.post(reverse("accounts:otp_verify"), {"token": token, "next": next_url})


def test_after_the_password_an_officer_is_asked_for_the_code_and_then_reaches_the_queue(client, officer, device):
    with time_machine.travel(NOW, tick=False):
        # when: the password is right
        response = login(client, officer.username)
        # then: not yet in; the code page, which will lead back to the queue
        assert (response.status_code, response["Location"]) == (
            302,
            "/tai-khoan/xac-thuc-hai-lop/?next=%2Fcan-bo%2Fho-so%2F",
        )
        assert client.get("/can-bo/ho-so/")["Location"] == "/tai-khoan/xac-thuc-hai-lop/?next=%2Fcan-bo%2Fho-so%2F"

        # when: the code from the app
        done = verify(client, current_code(device))

        # then
        assert (done.status_code, done["Location"]) == (302, "/can-bo/ho-so/")
        assert client.get("/can-bo/ho-so/").status_code == 200
    assert list(AuthEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        AuthEventKind.LOGIN,
        AuthEventKind.OTP_VERIFIED,
    ]


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("officer", "/can-bo/ho-so/"),
        ("officer", "/can-bo/lay-y-kien/"),
        ("officer", "/tai-khoan/can-bo/thu-tuc/"),
        ("leader", "/chi-so/"),
        ("admin", "/quan-tri/quy-trinh/"),
        ("admin", "/quan-tri/bieu-mau/"),
        ("admin", "/admin/"),
        ("admin", "/admin/procedures/procedure/"),
        # the whole site, not a list of prefixes: a page added later is covered too
        ("officer", "/"),
        ("admin", "/thu-tuc/"),
    ],
)
def test_every_page_needs_the_second_factor(client, db, who, path):
    # given: logged in with the password only
    users = {
        "officer": UserFactory(role=Role.SPECIALIST),
        "leader": UserFactory(role=Role.LEADER),
        "admin": UserFactory(province_admin=True),
    }
    user = users[who]
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)

    # when
    response = client.get(path)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/?next=")


def test_an_unverified_officer_calling_the_api_gets_403_not_a_redirect(client, officer, device):
    client.force_login(officer)

    response = client.get("/api/v1/dossiers/")

    assert response.status_code == 403
    assert response.json() == {"error": "Cần xác thực hai lớp."}


def test_a_wrong_code_is_refused_and_logged(client, officer, device):
    # given
    client.force_login(officer)
    with time_machine.travel(NOW, tick=False):
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

        # when
        response = verify(client, wrong)

        # then: the page again with the message; still no entry
        assert response.status_code == 400
        assert "Mã xác thực không đúng hoặc đã hết hạn." in response.content.decode()
        assert client.get("/can-bo/ho-so/").status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEventKind.OTP_FAILED, user=officer).count() == 1


def test_a_code_works_only_once(client, officer, device):
    with time_machine.travel(NOW, tick=False):
        code = current_code(device)
        client.force_login(officer)
        assert verify(client, code).status_code == 302
        client.logout()

        # when: the same code again (someone who saw it over the officer's shoulder)
        client.force_login(officer)
        response = verify(client, code)

    # then
    assert response.status_code == 400


def test_citizens_are_never_asked(client, db):
    # given
    citizen = UserFactory(username="037090001234", role=Role.CITIZEN)

    # when
    response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})

    # then
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get(reverse("dossiers:my_dossiers")).status_code == 200
    assert client.get(reverse("accounts:otp_verify")).status_code == 403


def test_with_the_setting_off_officers_go_straight_in(client, officer, device, settings):
    settings.OFFICER_2FA_REQUIRED = False

    response = login(client, officer.username)

    assert (response.status_code, response["Location"]) == (302, "/can-bo/ho-so/")
    assert client.get("/can-bo/ho-so/").status_code == 200


def test_an_officer_without_an_app_sets_one_up_with_a_qr_code(client, officer):
    # when: first login
    response = login(client, officer.username)
    assert response["Location"] == "/tai-khoan/xac-thuc-hai-lop/cai-dat/?next=%2Fcan-bo%2Fho-so%2F"
    page = client.get(response["Location"])

    # then: a QR code as a data: image (no script; CSP allows data: images) and the key to type
    body = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in body
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed is False
    assert page.context["secret"].replace(" ", "") in device.config_url

    # when: a wrong code, then (after django-otp's one-second wait that follows a failure) the right one
    with time_machine.travel(NOW, tick=False):
        wrong = client.post(response["Location"], {"token": "000000" if current_code(device) != "000000" else "111111"})
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):
        right = client.post(response["Location"], {"token": current_code(device), "next": "/can-bo/ho-so/"})
        queue = client.get("/can-bo/ho-so/")

    # then
    assert wrong.status_code == 400
    assert (right.status_code, right["Location"], queue.status_code) == (
        302,
        "/tai-khoan/xac-thuc-hai-lop/ma-du-phong/?next=%2Fcan-bo%2Fho-so%2F",
        200,
    )
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuthEvent.objects.filter(kind=AuthEventKind.OTP_ENROLLED, user=officer).count() == 1


def test_a_password_alone_cannot_replace_the_device(client, officer, device):
    # given: logged in with the password only
    client.force_login(officer)

    # when
    response = client.get(reverse("accounts:otp_setup"))

    # then: sent to give the code of the existing device; no new device
    assert response["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/?next=")
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]


def test_demo_command_prints_the_code_of_a_demo_account_only(officer, db):
    # given
    device = demo_device_ensure(user=officer)
    other = UserFactory(role=Role.LEADER)
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    out = StringIO()

    # when
    with time_machine.travel(NOW, tick=False):
        call_command("demo_totp", officer.username, stdout=out)
        expected = current_code(device)

    # then
    assert out.getvalue().strip() == expected
    assert device.config_url.startswith("otpauth://totp/DVCTT%3Atiepnhan?secret=" + DEMO_TOTP_SECRET_BASE32)
    with pytest.raises(CommandError, match="chỉ dành cho tài khoản mẫu"):
        call_command("demo_totp", other.username, stdout=StringIO())


def test_the_readme_publishes_the_demo_key_and_command():
    readme = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text()

    assert f"demo key `{DEMO_TOTP_SECRET_BASE32}`" in readme
    assert "manage.py demo_totp tiepnhan" in readme


# --- backup codes --------------------------------------------------------------------------------

BACKUP_URL = "/tai-khoan/xac-thuc-hai-lop/ma-du-phong/"


def shown_codes(page) -> list[str]:
    return [code.replace(" ", "") for code in re.findall(r"<li><code>([0-9 ]+)</code></li>", page.content.decode())]


def test_setting_up_the_app_shows_ten_backup_codes_once(client, officer):
    # given: the app set up on first login
    start = login(client, officer.username)["Location"]
    client.get(start)
    device = TOTPDevice.objects.get(user=officer)
    with time_machine.travel(NOW, tick=False):
        done = client.post(start, {"token": current_code(device), "next": "/can-bo/ho-so/"})

        # when: the page it leads to, then the same page again
        first = client.get(done["Location"])
        again = client.get(BACKUP_URL)

    # then: ten codes of ten digits, all different, shown once and never cached; afterwards only the count
    codes = shown_codes(first)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 10 and code.isdigit() for code in codes)
    assert "no-store" in first["Cache-Control"]
    assert 'href="/can-bo/ho-so/"' in first.content.decode()
    assert shown_codes(again) == []
    assert "Bạn còn 10 mã dự phòng chưa dùng." in again.content.decode()
    assert AuthEvent.objects.filter(user=officer, kind=AuthEventKind.BACKUP_CODES_ISSUED).count() == 1


def test_a_backup_code_lets_the_officer_in_once(client, officer, device):
    codes = backup_codes_issue(user=officer)

    # when: the phone is not at hand; a backup code (typed in two groups, as shown)
    login(client, officer.username)
    done = verify(client, f"{codes[3][:5]} {codes[3][5:]}")

    # then: in, warned how many are left, and logged
    assert (done.status_code, done["Location"]) == (302, "/can-bo/ho-so/")
    queue = client.get("/can-bo/ho-so/")
    assert queue.status_code == 200
    assert "còn 9 mã" in queue.content.decode()
    assert AuthEvent.objects.filter(user=officer, kind=AuthEventKind.BACKUP_CODE_USED).count() == 1

    # when: the same code on the next login (after django-otp's wait that follows any use)
    client.logout()
    login(client, officer.username)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5)):
        reused = verify(client, codes[3])

    # then
    assert reused.status_code == 400
    assert "Mã dự phòng không đúng hoặc đã được dùng." in reused.content.decode()
    assert backup_codes_left(user=officer) == 9


def test_a_new_set_of_backup_codes_ends_the_old_set(client, officer, device):
    old = backup_codes_issue(user=officer)
    client.force_login(officer)
    with time_machine.travel(NOW, tick=False):
        verify(client, current_code(device))

        # when
        page = client.post(BACKUP_URL, {"next": "/can-bo/ho-so/"})

    # then: ten new codes shown; none of the old ones works
    new = shown_codes(page)
    assert len(new) == 10
    assert not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(new)
    assert backup_code_verify(user=officer, token=old[0]) is None


def test_a_password_alone_can_neither_read_nor_replace_the_backup_codes(client, officer, device):
    codes = backup_codes_issue(user=officer)
    client.force_login(officer)  # password only: no second factor yet

    read = client.get(BACKUP_URL)
    replace = client.post(BACKUP_URL)

    assert read["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/?next=")
    assert replace["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/?next=")
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(codes)


@pytest.mark.parametrize("token", ["1234567", "123456789", "12345678901"])
def test_a_code_of_another_length_gets_a_clear_message(client, officer, device, token):
    login(client, officer.username)

    response = verify(client, token)

    assert response.status_code == 400
    assert "Nhập mã 6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng 10 chữ số." in response.content.decode()
    assert AuthEvent.objects.filter(kind=AuthEventKind.OTP_FAILED).count() == 0  # a typing slip, not a wrong code


@pytest.mark.django_db(transaction=True)
def test_one_backup_code_sent_twice_at_once_lets_in_only_one(officer):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock that makes the second DELETE wait needs PostgreSQL")
    (code, *_rest) = backup_codes_issue(user=officer)
    first_deleted = threading.Event()
    outcomes: dict[str, bool] = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = backup_code_verify(user=officer, token=code) is not None
                first_deleted.set()
                time.sleep(0.5)  # the second request reaches the same code before this commits
        finally:
            first_deleted.set()
            close_old_connections()

    def second():
        try:
            first_deleted.wait(timeout=10)
            outcomes["second"] = backup_code_verify(user=officer, token=code) is not None
        finally:
            close_old_connections()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {"first": True, "second": False}
    assert backup_codes_left(user=officer) == 9


def test_the_admin_shows_no_secret_qr_code_or_backup_code_of_a_device(client, officer, device, settings):
    # given an officer's app and backup codes, and a superuser in the admin (the gate is tested above)
    settings.OFFICER_2FA_REQUIRED = False
    codes = backup_codes_issue(user=officer)
    superuser = UserFactory(username="kythuat", role=Role.PROVINCE_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    static = StaticToken.objects.filter(device__user=officer).first().device

    # when
    totp_page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    qr_page = client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    static_page = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))

    # then: the pages open (an admin can still delete a lost device), the secrets are not on them
    assert (totp_page.status_code, static_page.status_code) == (200, 200)
    assert device.key not in totp_page.content.decode()
    assert qr_page.status_code in (403, 404)
    assert not [code for code in codes if code in static_page.content.decode()]
