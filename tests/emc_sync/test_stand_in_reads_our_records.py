"""Every record our mapper writes, read by the strict stand-in (emc_sync.mock_portal), which was
written from DOMAIN.md without our mapper or schemas: a dossier record in each status 1-10, the
progress record of every change and every EMC event, as the outbox holds them.

The stand-in is the embedded one (/mock/, the Django test client): its own HTTP entry, token,
Idempotency-Key and checks, without a second process.
"""

import json

import pytest
import time_machine

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.models import Dossier
from dossiers.services import dossier_act, dossier_submit
from emc_sync.constants import Target
from emc_sync.mapping import dossier_record
from emc_sync.models import OutboxRow
from tests.factories import AgencyFactory, FeeFactory, UserFactory
from tests.signing_support import returning
from workflows.constants import Action

from .conftest import act, at
from .test_mapping import PATHS, walk

R, S = Role.RECEPTION_OFFICER, Role.SPECIALIST
MOCK = "/mock"
ENDPOINT = {Target.DVCQG_TIENDO: "/dvcqg/hoso/tiendo", Target.EMC: "/emc/sukien"}
# Status 6: received, in processing, then the specialist asks for the land levy.
PAYMENT_STEPS = [(R, Action.RECEIVE, ""), (R, Action.FORWARD, "")]
LEVY = {"amount": 1_250_000, "pay_at": "Thuế cơ sở 1 tỉnh Ninh Bình", "online": True}


@pytest.fixture
def stand_in(client, settings):
    settings.SYNC_ENABLED = True
    token = client.post(
        f"{MOCK}/oauth/token",
        {"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
    ).json()["access_token"]

    def post(path, body, key):
        return client.post(
            f"{MOCK}{path}", json.dumps(body, ensure_ascii=False), content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )  # fmt: skip

    return post


def offer_everything(post, dossier):
    """Offer the stand-in each outbox row of the dossier in the order it was written (add the
    first dossier record, update with the later ones); return [(target, status, answer)]."""
    answers, held = [], False
    for row in OutboxRow.objects.filter(dossier=dossier).order_by("id"):
        if row.target == Target.DVCQG_HOSO:
            path, held = ("/dvcqg/hoso/capnhat" if held else "/dvcqg/hoso/them"), True
            status = row.payload["TrangThaiHoSo"]
        else:
            path = ENDPOINT[Target(row.target)]
            status = row.payload.get("TrangThai", row.payload.get("Status"))
        response = post(path, [row.payload] if row.target != Target.EMC else row.payload, row.idempotency_key)
        answers.append((row.target, status, response.status_code, response.json()))
    return answers


def assert_all_accepted(answers):
    refused = [answer for answer in answers if answer[2:] != (200, {"error_code": "0", "message": "Thành công."})]
    assert refused == []


def to_status_6(office):
    dossier = walk(office, PAYMENT_STEPS)
    with time_machine.travel(at(23, 11), tick=False):
        return act(office, dossier, S, Action.REQUEST_PAYMENT, comment="Lệ phí trước bạ nhà, đất", data=LEVY)


@pytest.mark.parametrize("path", [*PATHS, "payment_requested"])
def test_the_stand_in_accepts_every_record_our_mapper_writes_along_each_path(office, stand_in, path):
    # given a dossier with a fee, taken along one path (to each status 1-10)
    FeeFactory(procedure=office["procedure"], name="Lệ phí cấp giấy", amount=50_000)
    dossier = to_status_6(office) if path == "payment_requested" else walk(office, PATHS[path][0])

    # when every record the outbox holds for it is offered to the strict stand-in
    answers = offer_everything(stand_in, dossier)

    # then every one is accepted: dossier records, progress records, EMC events
    assert_all_accepted(answers)
    assert {target for target, *_ in answers} == {Target.DVCQG_HOSO, Target.DVCQG_TIENDO, Target.EMC}
    last = [status for target, status, *_ in answers if target == Target.DVCQG_HOSO][-1]
    assert last == Dossier.objects.get(pk=dossier.pk).status


def test_each_status_from_1_to_10_was_read_by_the_stand_in(office, stand_in):
    # given one dossier per path, fee-bearing
    FeeFactory(procedure=office["procedure"], name="Lệ phí cấp giấy", amount=50_000)
    dossiers = [walk(office, steps) for steps, _changes in PATHS.values()] + [to_status_6(office)]

    # when their records are offered
    answers = [answer for dossier in dossiers for answer in offer_everything(stand_in, dossier)]

    # then the stand-in accepted a dossier record in every status 1-10
    assert_all_accepted(answers)
    assert sorted({status for target, status, *_ in answers if target == Target.DVCQG_HOSO}) == list(range(1, 11))


def test_a_forwarded_dossier_received_at_a_ward_desk_is_read_under_its_national_code(office, stand_in):
    # given a dossier forwarded by DVCQG (no local account), to be handed in at a ward's desk
    ward = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư", level="ward")
    desk = UserFactory(username="ward-desk", role=R, full_name="Cán bộ một cửa phường", agencies=[ward])
    with time_machine.travel(at(23, 9), tick=False):
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.NATIONAL_PORTAL,
            applicant_name="Trần Thị Bình", applicant_id_number="037090005678", national_code="G01.2026.77",
            receiving_agency=ward, idempotency_key="dvcqg:G01.2026.77",
        )  # fmt: skip
    with time_machine.travel(at(23, 9, 30), tick=False):
        dossier_act(dossier_id=dossier.pk, actor=desk, action=Action.RECEIVE)
    steps = [(S, Action.FORWARD), (Role.LEADER, Action.APPROVE), (Role.CLERK, Action.NUMBER_DISPATCH)]
    for minute, (role, action) in enumerate(steps, start=1):
        with time_machine.travel(at(23, 10, minute), tick=False):
            act(office, dossier, role, action)
    with time_machine.travel(at(23, 14), tick=False):
        dossier_act(
            dossier_id=dossier.pk, actor=desk, action=Action.RETURN_RESULT, data=returning(Action.RETURN_RESULT)
        )

    # when
    answers = offer_everything(stand_in, dossier)

    # then every record is accepted, all under the national code, from DVCQG, at the ward's desk
    assert_all_accepted(answers)
    rows = OutboxRow.objects.filter(dossier=dossier)
    assert {row.payload.get("MaHoSo") for row in rows} == {"G01.2026.77"}
    assert {row.payload["IsFromDVCQG"] for row in rows.filter(target=Target.EMC)} == {1}
    assert {row.payload["NoiNopHoSo"] for row in rows.filter(target=Target.DVCQG_HOSO)} == {"000.00.41.H42"}
    # (received and handed over in one action: both its records carry the dossier as left, in 4)
    assert [status for target, status, *_ in answers if target == Target.DVCQG_HOSO] == [1, 4, 4, 4, 4, 9, 10]
    assert [status for target, status, *_ in answers if target == Target.DVCQG_TIENDO] == [1, 2, 4, 4, 4, 9, 10]


def test_our_real_record_with_muc_phi_instead_of_gia_is_refused(office, stand_in):
    # given our own record of a fee-bearing dossier, its amount renamed as an older reading had it
    FeeFactory(procedure=office["procedure"], name="Lệ phí cấp giấy", amount=50_000)
    with time_machine.travel(at(23, 9), tick=False):
        dossier = walk(office, [])
    record = dossier_record(Dossier.objects.get(pk=dossier.pk))
    fee = record["DanhSachLePhi"][0]
    fee["MucPhi"] = fee.pop("Gia")
    assert stand_in("/dvcqg/hoso/them", [dossier_record(dossier)], "k-good").json()["error_code"] == "0"

    # when
    response = stand_in("/dvcqg/hoso/capnhat", [record], "k-bad")

    # then refused, naming both fields
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "[0].DanhSachLePhi[0].Gia: thiếu trường bắt buộc",
        "[0].DanhSachLePhi[0].MucPhi: trường không có trong đặc tả, không được gửi",
    ]


def test_the_mapper_is_not_checked_against_a_stand_in_that_accepts_anything(office, stand_in):
    # a record the stand-in must refuse (status 10 without its return date): the check can fail
    dossier = walk(office, PATHS["returned"][0])
    record = dossier_record(Dossier.objects.get(pk=dossier.pk))
    del record["NgayTra"]
    response = stand_in("/dvcqg/hoso/them", [record], "k-1")
    assert (response.status_code, response.json()["errors"]) == (
        400, ["[0].NgayTra: bắt buộc khi TrangThaiHoSo là 10 (Đã trả kết quả)"],
    )  # fmt: skip
