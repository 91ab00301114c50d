"""Login with VNeID (OpenID Connect): the portal's side, against an identity provider played by `responses`."""

import base64
import datetime as dt
import hashlib
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from accounts.constants import Gender, Role
from accounts.models import User
from tests.browser_support import axe_violations
from tests.factories import UserFactory

ISSUER = "https://vneid.test/vneid"
DISCOVERY = f"{ISSUER}/.well-known/openid-configuration"
AUTHORIZE = f"{ISSUER}/authorize"
TOKEN = f"{ISSUER}/token"
JWKS = f"{ISSUER}/jwks"
CITIZEN_ID = "037090001234"
CALLBACK = "http://testserver/tai-khoan/vneid/ket-qua/"

CANCELLED = "Bạn đã hủy đăng nhập bằng VNeID."
DOWN = "Hệ thống định danh VNeID đang không phản hồi, vui lòng thử lại sau hoặc đăng nhập bằng tài khoản của Cổng."
BAD_TOKEN = (
    "Thông tin định danh nhận được không hợp lệ (sai chữ ký số hoặc không khớp với phiên đăng nhập) "
    "nên đã bị từ chối. Vui lòng thực hiện lại."
)
BAD_STATE = (
    "Phiên đăng nhập bằng VNeID không hợp lệ hoặc đã hết hạn. Vui lòng bấm “Đăng nhập bằng VNeID” để thực hiện lại."
)
OFFICER = (
    "Số định danh này gắn với tài khoản cán bộ, công chức. Tài khoản cán bộ không đăng nhập bằng "
    "định danh công dân VNeID; vui lòng đăng nhập bằng tên đăng nhập và mật khẩu được cấp."
)


@pytest.fixture(scope="session")
def idp_key():
    return RSAKey.generate_key(2048, parameters={"kid": "vneid-1", "use": "sig"})


@pytest.fixture(scope="session")
def other_key():
    """A key of nobody we trust, with the same key id: only the signature can tell."""
    return RSAKey.generate_key(2048, parameters={"kid": "vneid-1", "use": "sig"})


def claims(nonce, **overrides):
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "aud": "dvctt",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "sub": CITIZEN_ID,
        "name": "Nguyễn Văn An",
        "birthdate": "1990-03-15",
        "gender": "male",
        "phone_number": "+84912345678",
        "email": "an.nguyen@example.vn",
        "address": "Số 12, đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình",
        "vneid_level": 2,
    }
    values.update(overrides)
    return values


class FakeVneid:
    """The identity provider as `responses` plays it: discovery, jwks and a token endpoint."""

    def __init__(self, mocked, key):
        self.mocked = mocked
        self.key = key
        self.token_requests = []
        mocked.get(
            DISCOVERY,
            json={
                "issuer": ISSUER,
                "authorization_endpoint": AUTHORIZE,
                "token_endpoint": TOKEN,
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": JWKS,
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            },
        )
        mocked.get(JWKS, json=KeySet([key]).as_dict(private=False))

    def start(self, client, next_url=""):
        """Press the button; returns the authorization request's parameters."""
        response = client.post(reverse("accounts:vneid_login"), {"next": next_url})
        assert response.status_code == 302
        url = urlsplit(response["Location"])
        assert f"{url.scheme}://{url.netloc}{url.path}" == AUTHORIZE
        return {name: values[0] for name, values in parse_qs(url.query).items()}

    def issue(self, *, signed_with=None, **claim_overrides):
        """The token endpoint answers with an id token carrying these claims."""

        def answer(request):
            form = {name: values[0] for name, values in parse_qs(request.body).items()}
            self.token_requests.append(form)
            id_token = jwt.encode(
                {"alg": "RS256", "kid": "vneid-1"},
                claims(self.nonce, **claim_overrides),
                signed_with or self.key,
            )
            body = {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}
            return 200, {"Content-Type": "application/json"}, json.dumps(body)

        self.mocked.add_callback(responses.POST, TOKEN, callback=answer)

    def login(self, client, *, next_url="", **claim_overrides):
        """The whole round trip: button, VNeID (approves), callback."""
        params = self.start(client, next_url)
        self.nonce = params["nonce"]
        self.issue(**claim_overrides)
        return params, client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]})


@pytest.fixture
def vneid(settings, idp_key):
    settings.VNEID_ISSUER = ISSUER
    settings.VNEID_CLIENT_ID = "dvctt"
    settings.VNEID_CLIENT_SECRET = "dvctt-secret"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield FakeVneid(mocked, idp_key)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def logged_in_user(client):
    return client.get(reverse("accounts:profile")).wsgi_request.user


def test_a_new_citizen_gets_a_verified_account_filled_from_the_claims(client, db, vneid):
    # given no account for 037090001234

    # when the citizen logs in with VNeID
    params, response = vneid.login(client)

    # then a verified citizen account exists, filled from the id token, and the citizen is logged in
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    user = User.objects.get()
    assert (user.username, user.citizen_id, user.role, user.full_name, user.date_of_birth, user.gender) == (
        CITIZEN_ID,
        CITIZEN_ID,
        Role.CITIZEN,
        "Nguyễn Văn An",
        dt.date(1990, 3, 15),
        Gender.MALE,
    )
    assert (user.phone, user.email, user.address) == (
        "0912345678",
        "an.nguyen@example.vn",
        "Số 12, đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình",
    )
    assert (user.is_vneid_verified, user.vneid_level, user.has_usable_password()) == (True, 2, False)
    assert messages_of(response) == ["Đã tạo tài khoản công dân theo định danh VNeID. Chào mừng Nguyễn Văn An!"]
    assert logged_in_user(client) == user
    assert LogEntry.objects.get().change_message == "Tạo tài khoản công dân qua đăng nhập VNeID"
    # state, nonce and PKCE: the code exchange carried the verifier of the challenge we sent
    (token_request,) = vneid.token_requests
    verifier = token_request["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert (params["code_challenge"], params["code_challenge_method"]) == (challenge, "S256")
    assert (params["client_id"], params["redirect_uri"], params["response_type"]) == ("dvctt", CALLBACK, "code")
    assert params["scope"] == "openid profile email phone address"
    assert (token_request["code"], token_request["redirect_uri"]) == ("code-1", CALLBACK)


def test_an_existing_citizen_is_linked_and_keeps_password_and_contact_details(client, db, vneid):
    # given a citizen who registered with a password, a name typed differently and their own e-mail
    user = UserFactory(
        username=CITIZEN_ID, citizen_id=CITIZEN_ID, full_name="Nguyen Van An", email="an@gmail.example", phone=""
    )

    # when they log in with VNeID for the first time, then again
    _, response = vneid.login(client, next_url="/ho-so/")
    _, again = vneid.login(client)

    # then the same account is linked and verified: identity from VNeID, own e-mail kept, empty phone filled
    assert (response.status_code, response["Location"]) == (302, "/ho-so/")
    assert messages_of(response) == ["Tài khoản của bạn đã được liên kết và xác thực với VNeID."]
    user.refresh_from_db()
    assert User.objects.count() == 1
    assert (user.full_name, user.date_of_birth, user.email, user.phone) == (
        "Nguyễn Văn An",
        dt.date(1990, 3, 15),
        "an@gmail.example",
        "0912345678",
    )
    assert user.is_vneid_verified
    assert user.check_password("Mat-khau-2026")
    assert (again.status_code, again["Location"]) == (302, reverse("home"))
    assert messages_of(again)[-1] == "Đăng nhập bằng VNeID thành công."
    assert list(LogEntry.objects.values_list("change_message", flat=True)) == [
        "Liên kết và xác thực tài khoản với VNeID"
    ]


@pytest.mark.parametrize("role", [Role.RECEPTION_OFFICER, Role.PROVINCE_ADMIN])
def test_an_officer_account_with_the_same_citizen_id_is_refused(client, db, vneid, role):
    # given an officer's account carrying the citizen id
    officer = UserFactory(username="tiepnhan", citizen_id=CITIZEN_ID, role=role, full_name="Trần Thị Bình")

    # when someone logs in with VNeID as that citizen
    _, response = vneid.login(client)

    # then they are sent back to the login page with the reason, and nothing changed
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert messages_of(response) == [OFFICER]
    officer.refresh_from_db()
    assert (officer.full_name, officer.vneid_verified_at, officer.email) == ("Trần Thị Bình", None, "")
    assert User.objects.count() == 1
    assert not logged_in_user(client).is_authenticated


def test_an_id_token_signed_with_another_key_is_refused(client, db, vneid, other_key):
    # given VNeID's answer was forged with another key under the same key id
    params = vneid.start(client)
    vneid.nonce = params["nonce"]
    vneid.issue(signed_with=other_key)

    # when the browser comes back
    response = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]})

    # then the login is refused and no account created
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert messages_of(response) == [BAD_TOKEN]
    assert User.objects.count() == 0
    assert not logged_in_user(client).is_authenticated


def test_an_id_token_whose_payload_was_changed_is_refused(client, db, vneid):
    # given a genuine id token whose claims were swapped for another citizen's, keeping the signature
    params = vneid.start(client)
    nonce = params["nonce"]
    header, _payload, signature = jwt.encode({"alg": "RS256", "kid": "vneid-1"}, claims(nonce), vneid.key).split(".")
    forged_payload = jwt.encode({"alg": "RS256"}, claims(nonce, sub="037090009999"), vneid.key).split(".")[1]
    forged = f"{header}.{forged_payload}.{signature}"
    vneid.mocked.post(TOKEN, json={"access_token": "at-1", "token_type": "Bearer", "id_token": forged})

    # when the browser comes back
    response = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]})

    # then it is refused, nothing created
    assert messages_of(response) == [BAD_TOKEN]
    assert User.objects.count() == 0


def test_an_id_token_with_another_nonce_is_refused(client, db, vneid):
    # given VNeID answers with an id token minted for another login (a replayed token)
    params = vneid.start(client)
    vneid.nonce = "nonce-of-another-login"
    vneid.issue()

    # when the browser comes back
    response = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]})

    # then it is refused, nothing created
    assert messages_of(response) == [BAD_TOKEN]
    assert User.objects.count() == 0
    assert not logged_in_user(client).is_authenticated


@pytest.mark.parametrize("overrides", [{"aud": "another-client"}, {"iss": "https://evil.test"}, {"exp": 1_000_000}])
def test_an_id_token_for_another_audience_issuer_or_expired_is_refused(client, db, vneid, overrides):
    # when VNeID's id token is not for us, not from VNeID, or long expired
    _, response = vneid.login(client, **overrides)

    # then it is refused, nothing created
    assert messages_of(response) == [BAD_TOKEN]
    assert User.objects.count() == 0


def test_a_callback_with_an_unknown_or_used_state_is_refused(client, db, vneid):
    # given a completed login
    params, first = vneid.login(client)
    client.logout()
    User.objects.all().delete()

    # when the same callback is replayed, and a callback with a made-up state arrives
    replay = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]}, follow=True)
    made_up = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": "made-up"}, follow=True)

    # then both are refused before any code exchange, nothing created
    assert first.status_code == 302
    for response in (replay, made_up):
        assert response.redirect_chain == [(reverse("accounts:login"), 302)]
        assert response.content.decode().count(BAD_STATE) == 1
    assert len(vneid.token_requests) == 1
    assert User.objects.count() == 0


def test_a_locked_citizen_account_is_not_logged_in(client, db, vneid):
    # given the citizen's account was locked by an admin
    user = UserFactory(username=CITIZEN_ID, citizen_id=CITIZEN_ID, full_name="Nguyen Van An", is_active=False)

    # when they log in with VNeID
    _, response = vneid.login(client)

    # then they are refused and the account is neither verified nor changed
    assert messages_of(response) == [
        "Tài khoản gắn với số định danh này đã bị khóa. Vui lòng liên hệ bộ phận hỗ trợ của Cổng."
    ]
    user.refresh_from_db()
    assert (user.full_name, user.vneid_verified_at) == ("Nguyen Van An", None)
    assert not logged_in_user(client).is_authenticated


def test_an_error_other_than_cancelling_gets_the_general_message(client, db, vneid):
    # given the citizen pressed the button
    params = vneid.start(client)

    # when VNeID answers with an error of its own
    response = client.get(reverse("accounts:vneid_callback"), {"error": "server_error", "state": params["state"]})

    # then the general refusal is shown, nothing created
    assert messages_of(response) == [
        "Không đăng nhập được bằng VNeID. Vui lòng thử lại hoặc đăng nhập bằng tài khoản của Cổng."
    ]
    assert User.objects.count() == 0


def test_cancelling_at_vneid_returns_to_login_with_a_message(client, db, vneid):
    # given the citizen pressed the button
    params = vneid.start(client)

    # when they cancel at VNeID
    response = client.get(
        reverse("accounts:vneid_callback"), {"error": "access_denied", "state": params["state"]}, follow=True
    )

    # then they are back on the login page with the message, nothing created
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assert CANCELLED in response.content.decode()
    assert User.objects.count() == 0
    assert vneid.token_requests == []


def test_vneid_not_answering_when_the_button_is_pressed(client, db, vneid):
    # given VNeID's discovery cannot be reached
    vneid.mocked.replace(responses.GET, DISCOVERY, body=requests.ConnectionError("refused"))

    # when the citizen presses the button
    response = client.post(reverse("accounts:vneid_login"))

    # then they stay on the portal's login page with the message
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert messages_of(response) == [DOWN]


def test_vneid_answering_503_at_the_code_exchange(client, db, vneid):
    # given VNeID went down between the button and the callback
    params = vneid.start(client)
    vneid.mocked.post(TOKEN, status=503, body="Service Unavailable")

    # when the browser comes back
    response = client.get(reverse("accounts:vneid_callback"), {"code": "code-1", "state": params["state"]})

    # then the message says VNeID is not answering, nothing created
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert messages_of(response) == [DOWN]
    assert User.objects.count() == 0


def test_discovery_naming_another_issuer_is_not_trusted(client, db, vneid):
    # given the discovery document names an issuer other than the one configured
    vneid.mocked.replace(
        responses.GET, DISCOVERY, json={"issuer": "https://evil.test", "authorization_endpoint": AUTHORIZE}
    )

    # when the citizen presses the button
    response = client.post(reverse("accounts:vneid_login"))

    # then the browser is not sent anywhere
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert messages_of(response) == [DOWN]


PROFILE_POST = {
    "full_name": "Tên Khác",
    "date_of_birth": "2000-01-01",
    "gender": "female",
    "phone": "0987654321",
    "email": "moi@example.vn",
    "province_code": "37",
    "ward_code": "14329",
    "address": "Số 1, phố Mới",
}


def test_a_verified_citizen_cannot_change_identity_fields_by_post(client, db):
    # given a VNeID-verified citizen
    user = UserFactory(
        username=CITIZEN_ID,
        citizen_id=CITIZEN_ID,
        full_name="Nguyễn Văn An",
        date_of_birth=dt.date(1990, 3, 15),
        gender=Gender.MALE,
        vneid_verified_at=dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC),
        vneid_level=2,
    )
    client.force_login(user)

    # when the profile page is shown and a changed identity is posted
    page = client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:profile"), PROFILE_POST)

    # then the identity fields are disabled and unchanged; contact details did change
    for name in ("full_name", "date_of_birth", "gender"):
        assert re.search(rf'<(input|select)[^>]*name="{name}"[^>]*disabled', page), name
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.date_of_birth, user.gender, user.citizen_id) == (
        "Nguyễn Văn An",
        dt.date(1990, 3, 15),
        Gender.MALE,
        CITIZEN_ID,
    )
    assert (user.phone, user.email, user.address, user.ward_code) == (
        "0987654321",
        "moi@example.vn",
        "Số 1, phố Mới",
        14329,
    )


def test_an_unverified_citizen_may_correct_identity_fields(client, db):
    # given a citizen not verified with VNeID
    user = UserFactory(username=CITIZEN_ID, citizen_id=CITIZEN_ID, full_name="Nguyễn Văn An")
    client.force_login(user)

    # when they post a corrected profile
    page = client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:profile"), PROFILE_POST)

    # then the fields were editable and changed
    assert not re.search(r'name="full_name"[^>]*disabled', page)
    user.refresh_from_db()
    assert (user.full_name, user.date_of_birth, user.gender) == ("Tên Khác", dt.date(2000, 1, 1), Gender.FEMALE)


@pytest.mark.parametrize("url_name", ["accounts:login", "accounts:register"])
def test_the_vneid_button_is_on_the_login_and_registration_pages(client, db, url_name):
    # when the page is shown
    page = client.get(reverse(url_name)).content.decode()

    # then a real button, named by its text, posts to the start of the VNeID login
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.DOTALL)
    assert form is not None
    assert form.group(1) == reverse("accounts:vneid_login")
    assert re.search(r'<button type="submit"[^>]*>Đăng nhập bằng VNeID</button>', form.group(2))


def test_a_next_address_outside_the_portal_is_not_followed(client, db, vneid):
    # when the button is pressed with a next address on another site
    _, response = vneid.login(client, next_url="https://evil.test/")

    # then the new citizen lands on their profile, not there
    assert response["Location"] == reverse("accounts:profile")


@pytest.mark.django_db(transaction=True)
def test_the_demo_citizen_links_their_account_through_the_real_stand_in(live_server, settings):
    # given the portal served over a real socket, VNeID played by the stand-in mounted under /mock/,
    # and the demo citizen's local account, not yet verified
    settings.VNEID_ISSUER = f"{live_server.url}/mock/vneid"
    user = UserFactory(username=CITIZEN_ID, citizen_id=CITIZEN_ID, full_name="Nguyen Van An", email="")
    session = requests.Session()
    login_page = session.get(f"{live_server.url}{reverse('accounts:login')}", timeout=10)

    # when the citizen presses "Đăng nhập bằng VNeID", and signs in at VNeID with the demo identity
    idp_page = session.post(
        f"{live_server.url}{reverse('accounts:vneid_login')}",
        data={"csrfmiddlewaretoken": csrf_token_in(login_page.text), "next": ""},
        timeout=10,
    )
    assert "Đăng nhập bằng tài khoản định danh điện tử VNeID" in idp_page.text
    landing = session.post(
        idp_page.url,
        data={"csrfmiddlewaretoken": csrf_token_in(idp_page.text), "citizen_id": CITIZEN_ID, "password": "Demo@2026"},
        timeout=10,
    )

    # then they are back on the portal, logged in, on their profile, the account linked and verified
    assert landing.url == f"{live_server.url}{reverse('accounts:profile')}"
    assert "Tài khoản của bạn đã được liên kết và xác thực với VNeID." in landing.text
    assert "Đã xác thực, mức 2" in landing.text
    user.refresh_from_db()
    assert (user.full_name, user.date_of_birth, user.gender, user.vneid_level) == (
        "Nguyễn Văn An",
        dt.date(1990, 3, 15),
        Gender.MALE,
        2,
    )
    assert (user.phone, user.email, user.address) == (
        "0912345678",
        "037090001234@demo.dichvucong.example.vn",
        "Số 12, đường Trần Hưng Đạo, Phường Hoa Lư, Tỉnh Ninh Bình",
    )
    assert user.is_vneid_verified
    assert User.objects.count() == 1


def csrf_token_in(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_citizen_verifies_with_vneid_in_chromium(demo_site, settings, monkeypatch, browser):
    # Playwright's sync API runs an event loop in this thread while the test also reads the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given the demo site, whose demo citizen is not verified, VNeID played by the stand-in under /mock/
    settings.VNEID_ISSUER = f"{demo_site.url}/mock/vneid"
    assert User.objects.get(username=CITIZEN_ID).is_vneid_verified is False
    # The run's one Chromium (tests/browser_support.py): a second sync Playwright would fail.
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{demo_site.url}{reverse('accounts:login')}")
    login_page_violations = axe_violations(page)

    # when the citizen presses the button and signs in at VNeID with the demo identity
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.get_by_label("Số định danh cá nhân").fill(CITIZEN_ID)
    page.get_by_label("Mật khẩu").fill("Demo@2026")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    # then they land on their profile, linked and verified, with the identity fields read-only
    page.wait_for_url(f"{demo_site.url}{reverse('accounts:profile')}")
    message = page.get_by_role("status").inner_text()
    name_disabled, phone_enabled = (
        page.get_by_label("Họ và tên").is_disabled(),
        page.get_by_label("Số điện thoại").is_enabled(),
    )
    profile_violations = axe_violations(page)
    page.close()
    assert login_page_violations == []
    assert message == "Tài khoản của bạn đã được liên kết và xác thực với VNeID."
    assert (name_disabled, phone_enabled) == (True, True)
    assert profile_violations == []
    assert User.objects.get(username=CITIZEN_ID).is_vneid_verified is True
