import pytest

from emc_sync.mock_portal.models import FaultState, InboundDossier, PortalDossier, ReceivedRecord

from .conftest import MOCK, dossier, emc_event, progress

pytestmark = pytest.mark.django_db

A, B, C = (f"000.00.41.H42-2611{day}-0001" for day in ("01", "15", "30"))


def filed(code, stamp, **fields):
    """A dossier submitted and received at `stamp`, due in December."""
    return dossier(code, NgayNopHoSo=stamp, NgayTiepNhan=stamp, NgayHenTra="20261215170000", **fields)


@pytest.fixture
def received(stand_in):
    stand_in.post(
        "/dvcqg/hoso/them",
        [filed(A, "20261101000000"), filed(B, "20261115120000"), filed(C, "20261130235959")],
        keys=["a", "b", "c"],
    )
    stand_in.post(
        "/dvcqg/hoso/capnhat",
        [filed(B, "20261115120000", TrangThaiHoSo=9, NgayKetThucXuLy="20261116100000")],
        keys=["b-9"],
    )
    stand_in.post("/dvcqg/hoso/tiendo", [progress(B)], keys=["b-p"])
    stand_in.post("/emc/sukien", emc_event(B), keys=["b-e"])


def test_received_lists_every_accepted_record_in_arrival_order(client, received):
    # when
    response = client.get(f"{MOCK}/control/received")

    # then
    items = response.json()["items"]
    assert response.json()["count"] == 6
    assert [(item["target"], item["key"], item["ma_ho_so"], item["times_offered"]) for item in items] == [
        ("dvcqg", "a", A, 1),
        ("dvcqg", "b", B, 1),
        ("dvcqg", "c", C, 1),
        ("dvcqg", "b-9", B, 1),
        ("tiendo", "b-p", B, 1),
        ("emc", "b-e", B, 1),
    ]
    assert [item["order"] for item in items] == sorted(item["order"] for item in items)
    assert items[3]["payload"]["TrangThaiHoSo"] == 9


def test_received_filters_by_target_and_dossier(client, received):
    # when
    response = client.get(f"{MOCK}/control/received", {"target": "dvcqg", "ma_ho_so": B})

    # then
    assert [item["key"] for item in response.json()["items"]] == ["b", "b-9"]


def test_received_refuses_an_unknown_target(client):
    # when
    response = client.get(f"{MOCK}/control/received", {"target": "sms"})

    # then
    assert response.status_code == 400


def test_reconciliation_lists_the_latest_record_of_each_dossier_submitted_in_the_period(stand_in, received):
    # when
    response = stand_in.get("/dvcqg/hoso", {"tu_ngay": "20261101", "den_ngay": "20261115"})

    # then
    body = response.json()
    assert (body["error_code"], body["tong_so"]) == ("0", 2)
    assert [(item["MaHoSo"], item["TrangThaiHoSo"]) for item in body["items"]] == [(A, 2), (B, 9)]


def test_the_last_day_of_the_period_is_included(stand_in, received):
    # when
    response = stand_in.get("/dvcqg/hoso", {"tu_ngay": "20261130", "den_ngay": "20261130"})

    # then
    assert [item["MaHoSo"] for item in response.json()["items"]] == [C]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"tu_ngay": "2026-11-01", "den_ngay": "20261130"},
        {"tu_ngay": "20261131", "den_ngay": "20261201"},
        {"tu_ngay": "20261201", "den_ngay": "20261101"},
    ],
)
def test_reconciliation_wants_a_valid_period(stand_in, params):
    # when
    response = stand_in.get("/dvcqg/hoso", params)

    # then
    assert (response.status_code, response.json()["error_code"]) == (400, "1")


def test_reconciliation_needs_a_token(stand_in):
    # when
    response = stand_in.get("/dvcqg/hoso", {"tu_ngay": "20261101", "den_ngay": "20261130"}, bearer=None)

    # then
    assert response.status_code == 401


def test_reset_forgets_everything(client, received):
    # given
    client.post(f"{MOCK}/control/faults", {"latency_ms": 0}, content_type="application/json")
    client.post(f"{MOCK}/control/inbound", {"MaTTHC": "1.001193"}, content_type="application/json")

    # when
    response = client.post(f"{MOCK}/control/reset")

    # then
    assert response.status_code == 200
    counts = [model.objects.count() for model in (ReceivedRecord, PortalDossier, InboundDossier, FaultState)]
    assert counts == [0, 0, 0, 0]
