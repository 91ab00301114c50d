import json
import time
from datetime import timedelta

import pytest
import time_machine

from emc_sync.mock_portal.models import ReceivedRecord

from .conftest import MOCK, dossier

pytestmark = pytest.mark.django_db


def set_faults(client, **config):
    return client.post(f"{MOCK}/control/faults", json.dumps(config), content_type="application/json")


def statuses(stand_in, count):
    return [stand_in.get("/dancu/congdan/037090001234").status_code for _ in range(count)]


def test_a_seeded_error_rate_fails_the_same_requests_every_run(client, stand_in):
    # given
    set_faults(client, error_rate=0.5, error_kinds=["500", "503"], seed=7)
    first_run = statuses(stand_in, 10)

    # when: the same settings again start the same run
    set_faults(client, error_rate=0.5, error_kinds=["500", "503"], seed=7)
    second_run = statuses(stand_in, 10)

    # then
    assert first_run == second_run == [200, 500, 200, 500, 200, 200, 500, 200, 200, 500]


def test_another_seed_is_another_run(client, stand_in):
    # given
    set_faults(client, error_rate=0.5, error_kinds=["500", "503"], seed=8)

    # when
    run = statuses(stand_in, 10)

    # then
    assert run != [200, 500, 200, 500, 200, 200, 500, 200, 200, 500]


def test_a_failed_request_stores_nothing(client, stand_in):
    # given
    set_faults(client, error_rate=1, error_kinds=["503"])

    # when
    response = stand_in.post("/dvcqg/hoso/them", [dossier()], keys=["k-1"])

    # then
    assert (response.status_code, response.json()) == (
        503,
        {"error_code": "503", "message": "Dịch vụ tạm thời không sẵn sàng (giả lập)."},
    )
    assert ReceivedRecord.objects.count() == 0


def test_a_timeout_waits_then_answers_504(client, stand_in):
    # given
    set_faults(client, error_rate=1, error_kinds=["timeout"], timeout_seconds=0.2)
    started = time.monotonic()

    # when
    response = stand_in.get("/dancu/congdan/037090001234")

    # then
    assert response.status_code == 504
    assert time.monotonic() - started >= 0.2


def test_latency_delays_every_answer(client, stand_in):
    # given
    set_faults(client, latency_ms=150)
    started = time.monotonic()

    # when
    response = stand_in.get("/dancu/congdan/037090001234")

    # then
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.15


def test_a_down_window_answers_503_until_it_ends_but_never_for_control(client, stand_in):
    # given
    with time_machine.travel("2026-11-23 09:00:00+07:00", tick=False) as clock:
        set_faults(client, down_for_seconds=60)

        # when
        during = [
            stand_in.get("/dancu/congdan/037090001234").status_code,
            client.post(f"{MOCK}/oauth/token", {"grant_type": "client_credentials"}).status_code,
            client.get(f"{MOCK}/emc/tracking.js").status_code,
            client.get(f"{MOCK}/control/received").status_code,
            client.get(f"{MOCK}/control/faults").json()["down_until"],
        ]
        clock.shift(timedelta(seconds=61))
        after = stand_in.get("/dancu/congdan/037090001234").status_code

    # then
    assert during == [503, 503, 503, 200, "2026-11-23T02:01:00+00:00"]
    assert after == 200


def test_faults_come_from_the_environment_until_set(client, stand_in, monkeypatch):
    # given
    monkeypatch.setenv("MOCK_PORTAL_FAULTS", '{"error_rate": 1, "error_kinds": ["500"]}')
    client.post(f"{MOCK}/control/reset")  # the settings in force were read before the environment changed

    # when
    from_environment = stand_in.get("/dancu/congdan/037090001234").status_code
    set_faults(client, error_rate=0)
    after_setting = stand_in.get("/dancu/congdan/037090001234").status_code

    # then
    assert (from_environment, after_setting) == (500, 200)


def test_the_settings_read_back_with_their_defaults(client):
    # given
    set_faults(client, error_rate=0.3, seed="drill-1", payment_notify=False)

    # when
    response = client.get(f"{MOCK}/control/faults")

    # then
    assert response.json() == {
        "error_rate": 0.3,
        "error_kinds": ["500", "503", "timeout"],
        "timeout_seconds": 10,
        "latency_ms": 0,
        "down_for_seconds": 0,
        "seed": "drill-1",
        "payment_notify": False,
        "down_until": None,
        "draws": 0,
    }


def test_wrong_fault_settings_are_refused(client):
    # given
    set_faults(client, error_rate=0.1)

    # when
    response = set_faults(client, error_rate=2, error_kinds=["418"], eror_rate=1)

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "eror_rate: trường không có trong đặc tả, không được gửi",
        'error_kinds[0]: "418" không thuộc các giá trị cho phép: "500", "503", "timeout"',
        "error_rate: 2 lớn hơn giá trị tối đa 1",
    ]
    assert client.get(f"{MOCK}/control/faults").json()["error_rate"] == 0.1
