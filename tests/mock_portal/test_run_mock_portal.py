"""The stand-in as its own process (`manage.py run_mock_portal`), spoken to over a real socket."""

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import dossier
from .live import running_stand_in, stand_in_migrate


def call(url, *, data=None, headers=None, form=None):
    body = urllib.parse.urlencode(form).encode() if form else (json.dumps(data).encode() if data is not None else None)
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback test server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    path = tmp_path_factory.mktemp("stand-in") / "template.sqlite3"
    stand_in_migrate(path)
    return path


@pytest.fixture
def database(migrated, tmp_path):
    """A fresh copy of the migrated stand-in database for each test."""
    path = tmp_path / "stand-in.sqlite3"
    shutil.copy(migrated, path)
    return path


def test_the_stand_in_serves_on_its_own_port_starts_fast_and_stops(database):
    # given
    started = time.monotonic()
    with running_stand_in(database) as base:
        startup = time.monotonic() - started
        _, token = call(
            f"{base}/oauth/token",
            form={"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
        )
        auth = {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/json"}

        # when: the same record offered twice at once, from two connections
        def offer(_):
            return call(f"{base}/dvcqg/hoso/them", data=[dossier()], headers={**auth, "Idempotency-Key": "k-1"})

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(offer, range(2)))
        _, received = call(f"{base}/control/received")
        registry = call(f"{base}/dancu/congdan/037090001234", headers=auth)

    # then
    # A guard against a start that hangs or migrates, not a benchmark: 2 s failed at load average 8.
    assert startup < 10
    assert answers == [(200, {"error_code": "0", "message": "Thành công."})] * 2
    assert [(item["key"], item["times_offered"]) for item in received["items"]] == [("k-1", 2)]
    assert registry[1]["HoVaTen"] == "Nguyễn Văn An"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/control/received", timeout=2)  # noqa: S310 - stopped


def test_faults_set_over_the_wire_hold_for_every_thread_of_the_server(database):
    # given
    with running_stand_in(database, environment={"MOCK_PORTAL_FAULTS": '{"down_for_seconds": 30}'}) as base:
        down = call(f"{base}/dancu/congdan/037090001234")
        call(f"{base}/control/faults", data={"error_rate": 1, "error_kinds": ["500"]})

        # when
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: call(f"{base}/dancu/congdan/037090001234")[0], range(4)))

    # then
    assert down[0] == 503
    assert answers == [500] * 4
