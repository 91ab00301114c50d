"""The national back office in real Chromium (Decree 118/2025, Official Letter 623/TTg-KSTT):
a citizen files on the (stand-in) national portal, the dossier comes to the province under the
national portal's own code, is received at a ward's one-stop desk that is not the competent
agency, handed over in the same action, processed at the competent agency (the land registration
office), and its result returned at the ward's desk; the national portal shows, and holds,
every status under that one code. Axe checks each page.
"""

import pytest
import requests
from django.core.cache import cache

from accounts.constants import Role
from accounts.models import User
from dossiers.constants import Channel, EventKind
from dossiers.models import Dossier
from dossiers.replacements.tasks import components_reread_sweep_task
from dossiers.services import dossier_act, dossier_submit
from emc_sync.constants import OutboxState
from emc_sync.delivery import outbox_drain
from emc_sync.inbound import inbound_poll
from emc_sync.mock_portal.models import PortalDossier, ReceivedRecord, Target
from emc_sync.models import OutboxRow
from procedures.constants import DatabaseLookup
from procedures.models import Agency, NationalDatabase, Procedure
from tests.browser.conftest import axe_violations
from tests.factories import ComponentFactory, UserFactory
from workflows.constants import Action, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAND_OFFICE, WARD = "000.01.06.H42", "000.00.41.H42"
LAND_REGISTRATION = "1.012756"  # Đăng ký đất đai lần đầu: the land office's, not the ward's
PASSWORD = "Mat-khau-2026"


@pytest.fixture
def national(demo_site, settings):
    """The stand-in embedded in the live server plays the national portal; we drain by hand."""
    base = demo_site.url
    settings.PORTAL_BASE_URL = base
    settings.NATIONAL_PORTAL_URL = f"{base}/mock"
    settings.NATIONAL_PORTAL_TOKEN_URL = f"{base}/mock/oauth/token"
    settings.EMC_URL = f"{base}/mock/emc"
    settings.SYNC_DELIVERY_ENABLED = False
    settings.POPULATION_CHECK_ENABLED = False
    cache.clear()
    # the demo's own dossiers are not this journey's: their records count as delivered
    OutboxRow.objects.update(state=OutboxState.DELIVERED)
    return base


def sign_in(browser, base, username, password="Demo@2026"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
    return context, page


def act(page, base, code, button, tick=""):
    page.goto(f"{base}/can-bo/ho-so/{code}/")
    if tick:
        page.get_by_label(tick).check()
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert f"Đã thực hiện: {button}." in page.locator(".messages").inner_text()


def drain():
    for _ in range(20):
        if outbox_drain().claimed == 0:
            return


def test_a_dossier_from_the_national_portal_received_at_a_ward_processed_at_the_land_office(browser, national):
    base = national
    land = Agency.objects.get(code=LAND_OFFICE)
    specialist = UserFactory(username="cv.datdai", role=Role.SPECIALIST, full_name="Cán bộ địa chính", agencies=[land])
    specialist.set_password(PASSWORD)
    specialist.save()
    for username, role in (("ld.datdai", Role.LEADER), ("vt.datdai", Role.CLERK)):
        UserFactory(username=username, role=role, full_name=username, agencies=[land])

    # a citizen files on the national portal, to hand in and collect at the ward's desk
    filed = requests.post(
        f"{base}/mock/control/inbound",
        json={"MaTTHC": LAND_REGISTRATION, "DonViXuLy": LAND_OFFICE, "NoiNopHoSo": WARD},
        timeout=10,
    ).json()["item"]
    code = filed["MaHoSo"]

    # it appears on the national portal, waiting for the province
    citizen = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    portal_page = citizen.new_page()
    portal_page.goto(f"{base}/mock/dvcqg/tra-cuu/{code}")
    assert portal_page.get_by_role("heading", name=f"Hồ sơ {code}").is_visible()
    assert portal_page.locator("#trang-thai").inner_text() == "Đã chuyển về tỉnh, chờ tiếp nhận"
    assert axe_violations(portal_page) == []

    # our beat job reads the feed: one dossier, under the national code, waiting at the ward's desk
    assert inbound_poll().created == 1
    dossier = Dossier.objects.get(code=code)
    assert (dossier.channel, dossier.status, dossier.agency.code, dossier.receiving_unit.code) == (
        Channel.NATIONAL_PORTAL, Status.NEW, LAND_OFFICE, WARD,
    )  # fmt: skip

    # the ward's one-stop officer finds it in the reception queue under that code and receives it
    context, page = sign_in(browser, base, "tiepnhan")
    page.goto(f"{base}/can-bo/ho-so/?hang=cho-tiep-nhan")
    assert code in page.locator("table.queue").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name=code).click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    act(page, base, code, "Tiếp nhận hồ sơ")
    # handed over to the land office in the same action
    assert str(EventKind.HANDOVER.label) in page.locator(".timeline").inner_text()
    assert axe_violations(page) == []
    context.close()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.step_role) == (Status.PROCESSING, Role.SPECIALIST)

    # the land office's specialist has it in their queue (not the ward's) and moves it on
    context, page = sign_in(browser, base, "cv.datdai", PASSWORD)
    page.goto(f"{base}/can-bo/ho-so/?hang=buoc-cua-toi")
    assert code in page.locator("table.queue").inner_text()
    assert axe_violations(page) == []
    act(page, base, code, "Chuyển bước tiếp theo")
    context.close()
    # the leader signs and the clerk numbers it (their own journeys click these: signing is theirs)
    dossier_act(dossier_id=dossier.pk, actor=User.objects.get(username="ld.datdai"), action=Action.APPROVE)
    dossier_act(dossier_id=dossier.pk, actor=User.objects.get(username="vt.datdai"), action=Action.NUMBER_DISPATCH)

    # the ward's desk, where the citizen collects it, returns the result
    context, page = sign_in(browser, base, "tiepnhan")
    act(page, base, code, "Trả kết quả", tick="Kết quả bản giấy đã sẵn sàng để trả")
    assert "Đã trả kết quả" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    context.close()

    # the records reach the national portal; its page shows every status under the one code
    drain()
    # (dossier records not yet sent when a newer one was written are superseded by it)
    states = set(OutboxRow.objects.filter(dossier=dossier).values_list("state", flat=True))
    assert states <= {OutboxState.DELIVERED, OutboxState.SUPERSEDED}
    portal_page.goto(f"{base}/mock/dvcqg/tra-cuu/{code}")
    assert portal_page.locator("#trang-thai").inner_text() == "10 – Đã trả kết quả"
    steps = portal_page.locator("table tbody").inner_text()
    for line in ("1 – Mới đăng ký", "2 – Được tiếp nhận", "4 – Đang xử lý", "9 – Đã xử lý xong", "10 – Đã trả kết quả"):
        assert line in steps
    assert axe_violations(portal_page) == []
    citizen.close()

    # and the stand-in holds it once, every record under the national code, none under another
    held = PortalDossier.objects.get(ma_ho_so=code)
    assert (held.payload["TrangThaiHoSo"], held.payload["NoiNopHoSo"], held.payload["DonViXuLy"]) == (
        10, WARD, LAND_OFFICE,
    )  # fmt: skip
    progress = ReceivedRecord.objects.filter(target=Target.TIENDO, ma_ho_so=code).order_by("id")
    assert [r.payload["TrangThai"] for r in progress] == [1, 2, 4, 4, 4, 9, 10]
    emc = ReceivedRecord.objects.filter(target=Target.EMC, ma_ho_so=code)
    assert emc.exists()
    assert {r.payload["IsFromDVCQG"] for r in emc} == {1}
    assert not ReceivedRecord.objects.exclude(ma_ho_so=code).filter(received_at__gte=held.created_at).exists()


def test_a_component_the_population_database_could_not_read_at_filing_is_read_later(browser, national, settings):
    # given the birth registration's identity card is replaced by the population database
    # (Resolution 66.7/2025), and the database does not answer while a citizen files
    base = national
    procedure = Procedure.objects.get(code="1.001193")
    # (seeded by migration; a transactional test before this one may have flushed it)
    population = NationalDatabase.objects.get_or_create(
        code="CSDLQGDC", defaults={"name": "Cơ sở dữ liệu quốc gia về dân cư", "lookup": DatabaseLookup.POPULATION}
    )[0]
    component = ComponentFactory(procedure=procedure, name="Căn cước của người đi khai sinh", replaced_by=population)
    settings.POPULATION_REGISTRY_URL = "http://127.0.0.1:9/dancu"  # nothing listens there
    settings.POPULATION_REGISTRY_TOKEN_URL = "http://127.0.0.1:9/oauth/token"
    dossier = dossier_submit(
        procedure=procedure, agency=Agency.objects.get(code=WARD), channel=Channel.ONLINE,
        applicant=User.objects.get(username="037090001234"), applicant_name="Nguyễn Văn An",
        applicant_id_number="037090001234",
    )  # fmt: skip

    # the ward's officer sees that it could not be read, and why
    context, page = sign_in(browser, base, "tiepnhan")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    waiting = page.locator("li.replacement").inner_text()
    assert f"Chưa lấy được dữ liệu từ {population.name}: Cơ sở dữ liệu không trả lời." in waiting
    assert axe_violations(page) == []

    # the database answers again (the stand-in's population registry) and the beat sweep runs
    settings.POPULATION_REGISTRY_URL = f"{base}/mock/dancu"
    settings.POPULATION_REGISTRY_TOKEN_URL = f"{base}/mock/oauth/token"
    cache.clear()
    assert components_reread_sweep_task() == 1

    # the officer's page now names the database and the record that replaced the component
    page.reload()
    read = page.locator("li.replacement").inner_text()
    assert f"Thay thế bằng dữ liệu từ {population.name}, bản ghi 037090001234" in read
    assert "Nguyễn Văn An" in read
    assert axe_violations(page) == []
    context.close()

    # and the national portal holds the record that says so, under the dossier's code
    drain()
    held = PortalDossier.objects.get(ma_ho_so=dossier.code).payload
    assert {"MaCSDL": "CSDLQGDC"} in held["DSKetNoiCSDL"]
    replaced = [item for item in held["TaiLieuNop"] if item.get("MaThanhPhanHoSo") == str(component.pk)]
    assert [item["MaKetQuaThayThe"] for item in replaced] == ["CSDLQGDC:037090001234"]
