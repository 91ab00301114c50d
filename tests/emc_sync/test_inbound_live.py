"""Dossiers forwarded by the stand-in national portal, running as its own process, over real
sockets: the feed, its files, forwarding again, national-side withdrawals and supplements, and
reconciliation under the national codes. What we send back must pass the strict stand-in."""

import base64

import requests
from django.utils import timezone

from accounts.constants import Role
from dossiers.constants import AttachmentRole, Channel, EventKind
from dossiers.models import Dossier, Payment
from emc_sync.constants import OutboxState
from emc_sync.inbound import inbound_poll
from emc_sync.models import NationalDossier, NationalFile, OutboxRow
from emc_sync.reconciliation import reconcile
from tests.factories import FeeFactory
from tests.files import pdf_bytes
from workflows.constants import Action, Status

from .conftest import act, drain_all

R = Role.RECEPTION_OFFICER


def file_on_portal(portal, **record):
    body = {"MaTTHC": "1.000001", "DonViXuLy": "000.00.12.H42", **record}
    answer = requests.post(f"{portal}/control/inbound", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["item"]


def control(portal, code, what, body):
    answer = requests.post(f"{portal}/control/inbound/{code}/{what}", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["item"]


def received(portal, code, target):
    items = requests.get(f"{portal}/control/received", params={"ma_ho_so": code}, timeout=10).json()["items"]
    return [item["payload"] for item in items if item["target"] == target]


def failed_rows():
    return list(OutboxRow.objects.filter(state=OutboxState.FAILED).values_list("idempotency_key", "last_response"))


def test_a_dossier_forwarded_three_times_and_once_changed_is_one_dossier_with_its_files_and_fee(office, live):
    # given a citizen files on the national portal with two files (one a scan we give) and pays the fee there
    FeeFactory(procedure=office["procedure"], name="Lệ phí cấp giấy", amount=50_000)
    scan = base64.b64encode(pdf_bytes(pages=2)).decode()
    filed = file_on_portal(
        live, MaDoiTuong="QG-000123", DuocThanhToanTrucTuyen=1, DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí cấp giấy", "Gia": 50_000}],
        TepDinhKem=[{"TenTepDinhKem": "to-khai.pdf", "NoiDung": scan}, {"TenTepDinhKem": "giay-to.pdf"}],
    )  # fmt: skip
    code = filed["MaHoSo"]

    # when we poll, it is forwarded twice more unchanged, then once changed, and we poll after each
    first = inbound_poll()
    drain_all()
    control(live, code, "chuyen-lai", {})
    control(live, code, "chuyen-lai", {})
    again = inbound_poll()
    control(live, code, "chuyen-lai", {"SoDienThoai": "0900000002"})
    changed = inbound_poll()

    # then one dossier under the national code, updated once, in the reception queue
    dossier = Dossier.objects.get()
    assert (dossier.code, dossier.channel, dossier.status, dossier.applicant_phone) == (
        code, Channel.NATIONAL_PORTAL, Status.NEW, "0900000002",
    )  # fmt: skip
    assert ((first.created, again.unchanged, changed.updated)) == (1, 2, 1)
    national = NationalDossier.objects.get()
    assert (national.applicant_national_id, national.deliveries, national.updates) == ("QG-000123", 4, 1)
    # the files fetched over HTTP, stored as ours, with their national ids
    national_ids = [item["TepDinhKemId"] for item in filed["TaiLieuNop"]]
    assert sorted(NationalFile.objects.values_list("national_id", flat=True)) == sorted(national_ids)
    assert sorted(dossier.attachments.values_list("name", "content_type")) == [
        ("giay-to.pdf", "application/pdf"), ("to-khai.pdf", "application/pdf"),
    ]  # fmt: skip
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.status, payment.amount) == ("paid", 50_000)

    # and what we send back passes the strict stand-in, under that one code
    drain_all()
    assert failed_rows() == []
    records = received(live, code, "dvcqg")
    assert [(r["MaHoSo"], r["MaDoiTuong"], r["DuocThanhToanTrucTuyen"]) for r in records] == [
        (code, "QG-000123", 1), (code, "QG-000123", 1),
    ]  # fmt: skip
    assert sorted(item["TepDinhKemId"] for item in records[-1]["TaiLieuNop"]) == sorted(national_ids)
    assert [(event["MaHoSo"], event["IsFromDVCQG"]) for event in received(live, code, "emc")] == [(code, 1)]


def test_a_withdrawal_on_the_national_portal_goes_through_the_lifecycle(office, live):
    # given a forwarded dossier received at our desk
    code = file_on_portal(live)["MaHoSo"]
    inbound_poll()
    dossier = Dossier.objects.get()
    act(office, dossier, R, Action.RECEIVE)
    drain_all()

    # when the citizen withdraws it on the national portal and we poll
    control(live, code, "rut", {"LyDo": "Tôi nộp nhầm thủ tục"})
    result = inbound_poll()

    # then withdrawn through the lifecycle: one history row, no local actor, the typed event's records
    dossier.refresh_from_db()
    last = dossier.events.order_by("-sequence").first()
    assert (result.applied, dossier.status, dossier.closed_at is not None) == (1, Status.WITHDRAWN, True)
    assert (last.action, last.actor, last.from_status, last.comment, last.data) == (
        EventKind.WITHDRAW, None, Status.RECEIVED, "Tôi nộp nhầm thủ tục", {"via": "dvcqg"},
    )  # fmt: skip
    drain_all()
    assert failed_rows() == []
    assert received(live, code, "dvcqg")[-1]["TrangThaiHoSo"] == 7
    assert [event["Status"] for event in received(live, code, "emc")] == [0, 1, 0]

    # and the same message read again (a lost cursor) changes nothing
    from emc_sync.models import InboundCursor

    InboundCursor.objects.update(value="")
    inbound_poll()
    assert dossier.events.count() == 3


def test_a_supplement_supplied_on_the_national_portal_resumes_the_dossier(office, live):
    # given a forwarded dossier whose supplement we asked for
    code = file_on_portal(live)["MaHoSo"]
    inbound_poll()
    dossier = Dossier.objects.get()
    act(office, dossier, R, Action.RECEIVE)
    act(office, dossier, R, Action.REQUEST_SUPPLEMENT, comment="Bổ sung bản sao giấy khai sinh")
    drain_all()

    # when the citizen supplies it on the national portal, with a file, and we poll
    supplement = control(
        live, code, "bo-sung",
        {"NoiDungBoSung": "Đã bổ sung", "TepDinhKem": [{"TenTepDinhKem": "khai-sinh.pdf", "NoiDung": base64.b64encode(pdf_bytes()).decode()}]},
    )  # fmt: skip
    inbound_poll()

    # then the pause is closed through the lifecycle, the file kept with its national id
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.pauses.get().ended_at is not None
    assert dossier.events.order_by("-sequence").first().action == EventKind.PROVIDE_SUPPLEMENT
    attachment = dossier.attachments.get(role=AttachmentRole.SUPPLEMENT)
    assert attachment.national_file.national_id == supplement["DanhSachGiayToBoSung"][0]["TepDinhKemId"]
    drain_all()
    assert failed_rows() == []
    last = received(live, code, "dvcqg")[-1]
    assert last["DanhSachHoSoBoSung"][0]["TrangThaiBoSung"] == 1


def test_reconciliation_reports_missing_extra_and_differing_under_national_codes(office, live):
    # given three forwarded dossiers: one the portal holds as we do, one it holds in an older
    # state, one whose records have not left yet; and one the portal holds that we do not
    same, older, unsent = (file_on_portal(live)["MaHoSo"] for _ in range(3))
    inbound_poll()
    by_code = {dossier.code: dossier for dossier in Dossier.objects.all()}
    OutboxRow.objects.filter(dossier=by_code[unsent]).update(state=OutboxState.FAILED)  # held back
    drain_all()
    act(office, by_code[older], R, Action.RECEIVE)  # not drained: the portal still says 1
    foreign = "G22.37-261201-999999"
    record = {**received(live, same, "dvcqg")[0], "MaHoSo": foreign}
    answer = requests.post(
        f"{live}/dvcqg/hoso/them", json=[record], timeout=10,
        headers={"Authorization": f"Bearer {_token(live)}", "Idempotency-Key": "test:extra"},
    )  # fmt: skip
    assert answer.json()["error_code"] == "0", answer.text

    # when reconciled over the day
    day = timezone.localdate()
    report = reconcile(date_from=day, date_to=day)

    # then every difference is named by the national portal's own code
    assert (report.missing, report.extra, sorted(report.differing)) == ([unsent], [foreign], [older])
    assert report.differing[older]["TrangThaiHoSo"] == (2, 1)


def _token(portal):
    answer = requests.post(
        f"{portal}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
        timeout=10,
    )
    return answer.json()["access_token"]
