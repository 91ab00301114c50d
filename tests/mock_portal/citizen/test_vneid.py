import base64
import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emc_sync.mock_portal.citizen import config, vneid
from emc_sync.mock_portal.citizen.models import AccessToken, AuthorizationCode, SigningKey

BASE = "/mock/vneid"
HOST = "127.0.0.1:8000"
ISSUER = "http://127.0.0.1:8000/mock/vneid"
CALLBACK = "http://127.0.0.1:8000/tai-khoan/vneid/callback"
AN_CLAIMS = {
    "sub": "037090001234",
    "name": "Nguyễn Văn An",
    "birthdate": "1990-03-15",
    "gender": "male",
    "phone_number": "+84912345678",
    "email": "037090001234@demo.dichvucong.example.vn",
    "address": {
        "formatted": "Số 12, đường Trần Hưng Đạo, Phường Hoa Lư, Tỉnh Ninh Bình",
        "street_address": "Số 12, đường Trần Hưng Đạo",
        "locality": "Phường Hoa Lư",
        "region": "Tỉnh Ninh Bình",
        "country": "VN",
    },
    "vneid_level": 2,
}
VN = dt.timezone(dt.timedelta(hours=7))


def authorize_query(**overrides: str) -> dict[str, str]:
    return {
        "client_id": "dvctt",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "state-1",
        "nonce": "nonce-1",
        **overrides,
    }


def log_in(client, query, citizen_id="037090001234", password="Demo@2026"):
    path = f"{BASE}/authorize?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(path, {"citizen_id": citizen_id, "password": password}, HTTP_HOST=HOST)


def code_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def exchange(client, code, redirect_uri=CALLBACK, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, **extra}
    if "HTTP_AUTHORIZATION" not in extra:
        data.setdefault("client_id", "dvctt")
        data.setdefault("client_secret", "dvctt-secret")
    headers = {"HTTP_AUTHORIZATION": data.pop("HTTP_AUTHORIZATION")} if "HTTP_AUTHORIZATION" in data else {}
    return client.post(f"{BASE}/token", data, HTTP_HOST=HOST, **headers)


def test_discovery_names_the_endpoints_under_the_host_of_the_request(client):
    # when
    response = client.get(f"{BASE}/.well-known/openid-configuration", HTTP_HOST=HOST)

    # then
    body = response.json()
    assert response.status_code == 200
    assert {
        k: body[k] for k in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    } == {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
        "jwks_uri": f"{ISSUER}/jwks",
    }
    assert body["id_token_signing_alg_values_supported"] == ["RS256"]
    assert body["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert body["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.django_db
def test_the_login_page_is_in_vietnamese_and_lists_the_demo_identities(client):
    # when
    response = client.get(f"{BASE}/authorize", authorize_query(), HTTP_HOST=HOST)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "<h1>Đăng nhập bằng tài khoản định danh điện tử VNeID</h1>" in page
    assert '<label for="citizen_id">Số định danh cá nhân</label>' in page
    assert '<label for="password">Mật khẩu</label>' in page
    for citizen_id, name in [
        ("037090001234", "Nguyễn Văn An"),
        ("037195004321", "Trần Thị Mai"),
        ("001088012345", "Lê Minh Tuấn"),
    ]:
        assert f"<tr><td>{citizen_id}</td><td>{name}</td>" in page


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, 30, tzinfo=VN), tick=False)
def test_the_whole_code_flow_gives_a_signed_id_token_and_the_userinfo(client):
    # given: the citizen logs in on the authorize page
    login = log_in(client, authorize_query())
    assert login.status_code == 302
    location = urlsplit(login["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    assert parse_qs(location.query)["state"] == ["state-1"]

    # when: the portal exchanges the code (client_secret_post)
    response = exchange(client, code_of(login))

    # then: an RS256 id token that verifies with the published key
    tokens = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert (tokens["token_type"], tokens["expires_in"], tokens["scope"]) == ("Bearer", 3600, "openid profile")
    jwks = client.get(f"{BASE}/jwks", HTTP_HOST=HOST).json()
    header = jwt.get_unverified_header(tokens["id_token"])
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(
        tokens["id_token"],
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience="dvctt",
        issuer=ISSUER,
        options={"verify_exp": False},  # the clock is frozen in the past
    )
    iat = int(dt.datetime(2026, 11, 23, 9, 0, 30, tzinfo=VN).timestamp())
    assert header["alg"] == "RS256"
    assert {k: v for k, v in claims.items() if k not in {"auth_time", "at_hash"}} == {
        **AN_CLAIMS,
        "iss": ISSUER,
        "aud": "dvctt",
        "nonce": "nonce-1",
        "iat": iat,
        "exp": iat + 600,
    }

    # and the access token opens the userinfo endpoint
    userinfo = client.get(f"{BASE}/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}", HTTP_HOST=HOST)
    assert userinfo.status_code == 200
    assert userinfo.json() == AN_CLAIMS


@pytest.mark.django_db
def test_client_secret_basic_with_pkce(client):
    # given
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    login = log_in(
        client, authorize_query(code_challenge=challenge, code_challenge_method="S256"), citizen_id="037195004321"
    )
    basic = "Basic " + base64.b64encode(b"dvctt:dvctt-secret").decode()

    # when
    response = exchange(client, code_of(login), code_verifier=verifier, HTTP_AUTHORIZATION=basic)

    # then
    assert response.status_code == 200
    claims = jwt.decode(response.json()["id_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["name"], claims["gender"]) == ("037195004321", "Trần Thị Mai", "female")


@pytest.mark.django_db
def test_a_wrong_pkce_verifier_is_refused(client):
    # given
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"the-right-verifier-" * 3).digest()).rstrip(b"=").decode()
    code = code_of(log_in(client, authorize_query(code_challenge=challenge, code_challenge_method="S256")))

    # when
    response = exchange(client, code, code_verifier="another-verifier-" * 3)

    # then
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert AuthorizationCode.objects.get(code=code).used_at is None
    assert AccessToken.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example/callback", "http://127.0.0.1.evil.example/callback", "javascript:alert(1)", ""],
)
def test_a_redirect_uri_outside_the_allowed_origins_is_refused_without_redirecting(client, redirect_uri):
    # when
    response = client.get(f"{BASE}/authorize", authorize_query(redirect_uri=redirect_uri), HTTP_HOST=HOST)

    # then
    assert response.status_code == 400
    assert "Location" not in response
    assert "Địa chỉ chuyển hướng (redirect_uri) không được phép." in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_client_is_refused_without_redirecting(client):
    # when
    response = client.get(f"{BASE}/authorize", authorize_query(client_id="someone"), HTTP_HOST=HOST)

    # then
    assert response.status_code == 400
    assert "Location" not in response


@pytest.mark.django_db
def test_a_request_without_openid_scope_goes_back_with_an_error(client):
    # when
    response = client.get(f"{BASE}/authorize", authorize_query(scope="profile"), HTTP_HOST=HOST)

    # then
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert (query["error"], query["state"]) == (["invalid_scope"], ["state-1"])


@pytest.mark.parametrize(
    ("origins", "uri", "allowed"),
    [
        ("", "http://localhost:5173/cb", True),
        ("", "http://127.0.0.1/cb", True),
        ("", "https://127.0.0.1/cb", False),
        ("https://dichvucong.ninhbinh.gov.vn", "https://dichvucong.ninhbinh.gov.vn/tai-khoan/vneid/callback", True),
        ("https://dichvucong.ninhbinh.gov.vn", "http://127.0.0.1:8000/cb", False),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8001/cb", False),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/cb", True),
    ],
)
def test_redirect_origins_come_from_the_environment(monkeypatch, origins, uri, allowed):
    # given
    if origins:
        monkeypatch.setenv("MOCK_VNEID_REDIRECT_ORIGINS", origins)
    else:
        monkeypatch.delenv("MOCK_VNEID_REDIRECT_ORIGINS", raising=False)

    # then
    assert config.redirect_uri_allowed(uri) is allowed


@pytest.mark.django_db
def test_a_code_works_once_and_its_reuse_revokes_the_tokens(client):
    # given
    code = code_of(log_in(client, authorize_query()))
    first = exchange(client, code).json()

    # when
    second = exchange(client, code)

    # then
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")
    userinfo = client.get(f"{BASE}/userinfo", HTTP_AUTHORIZATION=f"Bearer {first['access_token']}", HTTP_HOST=HOST)
    assert userinfo.status_code == 401
    assert userinfo["WWW-Authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.django_db
def test_an_expired_code_is_refused(client):
    # given
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), tick=False):
        code = code_of(log_in(client, authorize_query()))

    # when
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 1, 1, tzinfo=VN), tick=False):
        response = exchange(client, code)

    # then
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert AccessToken.objects.count() == 0


@pytest.mark.django_db
def test_the_token_request_must_repeat_the_redirect_uri(client):
    # given
    code = code_of(log_in(client, authorize_query()))

    # when
    response = exchange(client, code, redirect_uri="http://127.0.0.1:8000/other")

    # then
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert AuthorizationCode.objects.get(code=code).used_at is None


@pytest.mark.django_db
def test_a_wrong_client_secret_is_refused(client):
    # given
    code = code_of(log_in(client, authorize_query()))

    # when
    response = exchange(client, code, client_secret="wrong")

    # then
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert AuthorizationCode.objects.get(code=code).used_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(("citizen_id", "password"), [("037090001234", "sai-mat-khau"), ("999999999999", "Demo@2026")])
def test_a_wrong_password_or_unknown_citizen_shows_an_error(client, citizen_id, password):
    # when
    response = log_in(client, authorize_query(), citizen_id=citizen_id, password=password)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" role="alert" id="loi-dang-nhap">Số định danh cá nhân hoặc mật khẩu không đúng.</p>' in page
    assert f'value="{citizen_id}"' in page
    assert AuthorizationCode.objects.count() == 0


@pytest.mark.django_db
def test_userinfo_without_a_token_is_refused(client):
    # when
    response = client.get(f"{BASE}/userinfo", HTTP_HOST=HOST)

    # then
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_generated_key_is_stored_once_so_every_process_signs_with_it(monkeypatch):
    # given
    monkeypatch.delenv("MOCK_VNEID_PRIVATE_KEY", raising=False)
    first = vneid.signing_key_get()

    # when: another process (no memory of the first) asks for the key
    vneid._parse.cache_clear()
    second = vneid.signing_key_get()

    # then
    assert SigningKey.objects.count() == 1
    assert second.kid == first.kid
    assert second.jwk()["n"] == first.jwk()["n"]


@pytest.mark.django_db
def test_a_key_from_the_environment_wins(client, monkeypatch):
    # given
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setenv("MOCK_VNEID_PRIVATE_KEY", pem.replace("\n", "\\n"))

    # when
    keys = client.get(f"{BASE}/jwks", HTTP_HOST=HOST).json()["keys"]

    # then
    assert len(keys) == 1
    assert jwt.PyJWK(keys[0]).key.public_numbers() == private_key.public_key().public_numbers()
    assert SigningKey.objects.count() == 0


@pytest.mark.django_db
def test_cancel_on_the_login_page_goes_back_with_access_denied(client):
    # when
    page = client.get(f"{BASE}/authorize", authorize_query(), HTTP_HOST=HOST).content.decode()

    # then
    cancel = CALLBACK + "?error=access_denied&amp;state=state-1"
    assert f'<a class="button secondary" href="{cancel}">Hủy</a>' in page
    assert AuthorizationCode.objects.count() == 0
