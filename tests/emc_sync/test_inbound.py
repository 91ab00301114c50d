from urllib.parse import parse_qs, urlparse

from dossiers.constants import Channel
from dossiers.models import Dossier
from emc_sync.inbound import inbound_poll
from emc_sync.models import InboundCursor, InboundFailure
from workflows.constants import Status

from .conftest import PORTAL

FEED = f"{PORTAL}/dvcqg/hoso-moi"


def filed(code, procedure="1.000001", **extra):
    return {
        "MaHoSo": code,
        "MaTTHC": procedure,
        "DonViXuLy": "000.00.12.H42",
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "037090005678",
        "SoDienThoai": "0987654321",
        "TrichYeuHoSo": "Nộp trên Cổng DVCQG",
        "NgayNopHoSo": "20261123080000",
        **extra,
    }


def test_dossiers_filed_on_the_national_portal_reach_the_reception_queue_once(office, portal):
    # given a feed with two dossiers, one for a procedure the province does not have
    page = {"error_code": "0", "items": [filed("G01.2026.1"), filed("G01.2026.2", procedure="9.999999")],
            "con_tiep": "c2"}  # fmt: skip
    portal.get(FEED, json=page)
    portal.get(FEED, json=page)

    # when the feed is polled twice (the second time as if our cursor had been lost)
    first = inbound_poll()
    InboundCursor.objects.update(value="")
    second = inbound_poll()

    # then one dossier, new, channel national portal, waiting for reception; one failure for admins
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.applicant_name, dossier.applicant_id_number) == (
        Channel.NATIONAL_PORTAL, Status.NEW, "Trần Thị Bình", "037090005678",
    )  # fmt: skip
    assert dossier.events.get().idempotency_key == "dvcqg:G01.2026.1"
    assert dossier.code == "G01.2026.1"  # the national portal's code, not a second one of ours
    assert (first.created, first.failed, second.created, second.existing, second.failed) == (1, 1, 0, 1, 1)
    failure = InboundFailure.objects.get()
    assert (failure.remote_code, failure.error, failure.attempts) == (
        "G01.2026.2", "Không có thủ tục mã 9.999999 trong danh mục của tỉnh.", 2,
    )  # fmt: skip
    assert InboundCursor.objects.get().value == "c2"


def test_the_feed_is_read_from_our_cursor(office, portal):
    # given a cursor left by the previous poll
    InboundCursor.objects.create(name="dvcqg_hoso_moi", value="c7")
    portal.get(FEED, json={"error_code": "0", "items": [], "con_tiep": "c7"})

    # when polled
    inbound_poll()

    # then the feed was asked for what follows c7, for our province
    query = parse_qs(urlparse(portal.calls[-1].request.url).query)
    assert query == {"ma_tinh": ["37"], "sau": ["c7"], "so_luong": ["50"]}


def test_a_feed_that_does_not_answer_leaves_the_cursor(office, portal):
    InboundCursor.objects.create(name="dvcqg_hoso_moi", value="c7")
    portal.get(FEED, status=503)

    result = inbound_poll()

    assert (result.pages, InboundCursor.objects.get().value, Dossier.objects.count()) == (0, "c7", 0)


def test_a_name_in_decomposed_unicode_is_stored_composed(office, portal):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    portal.get(FEED, json={"error_code": "0", "items": [filed("G01.2026.9", ChuHoSo=decomposed)], "con_tiep": "c9"})

    inbound_poll()

    assert Dossier.objects.get().applicant_name == unicodedata.normalize("NFC", "Nguyễn Thị Ánh")
