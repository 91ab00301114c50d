from datetime import timedelta

import pytest
import time_machine

from .conftest import MOCK

pytestmark = pytest.mark.django_db


def test_the_token_endpoint_issues_a_bearer_token_for_a_known_client(client):
    # when
    response = client.post(
        f"{MOCK}/oauth/token",
        {"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert len(body["access_token"]) > 20


@pytest.mark.parametrize(("client_id", "client_secret"), [("dvctt", "wrong"), ("stranger", "dvctt-secret"), ("", "")])
def test_wrong_client_credentials_are_refused(client, client_id, client_secret):
    # when
    response = client.post(
        f"{MOCK}/oauth/token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
    )

    # then
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


def test_clients_come_from_the_environment(client, monkeypatch):
    # given
    monkeypatch.setenv("MOCK_PORTAL_CLIENTS", "tinh37:bi-mat, tinh36:khac")

    # when
    ours = client.post(
        f"{MOCK}/oauth/token", {"grant_type": "client_credentials", "client_id": "tinh37", "client_secret": "bi-mat"}
    )
    default = client.post(
        f"{MOCK}/oauth/token",
        {"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
    )

    # then
    assert (ours.status_code, default.status_code) == (200, 401)


def test_another_grant_type_is_refused(client):
    # when
    response = client.post(
        f"{MOCK}/oauth/token", {"grant_type": "password", "client_id": "dvctt", "client_secret": "dvctt-secret"}
    )

    # then
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer not-a-token", "Basic ZHZjdHQ6ZHZjdHQtc2VjcmV0"])
def test_protected_endpoints_want_a_valid_bearer_token(client, authorization):
    # given
    headers = {"Authorization": authorization} if authorization else {}

    # when
    response = client.get(f"{MOCK}/dancu/congdan/037090001234", headers=headers)

    # then
    assert response.status_code == 401
    assert response.json() == {
        "error_code": "401",
        "message": "Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn.",
    }


def test_a_token_expires_after_its_lifetime(stand_in):
    # given: a token issued now (the stand_in fixture holds it)
    with time_machine.travel(timedelta(seconds=3599)):
        still_valid = stand_in.get("/dancu/congdan/037090001234")

    # when
    with time_machine.travel(timedelta(seconds=3602)):
        expired = stand_in.get("/dancu/congdan/037090001234")

    # then
    assert (still_valid.status_code, expired.status_code) == (200, 401)
