"""Who looked at my file (issue 20; Law 91/2025): every officer's view or download of a dossier
and its files is one row (who, unit, title, when, what); the applicant sees the trail on their
dossier page and in the personal-data download; another citizen sees nothing; it costs one
INSERT per view and a constant number of queries to show."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.constants import Role
from accounts.models import AgencyMembership
from dossiers.attachments import attachment_add, attachments_move_to_dossier
from dossiers.constants import AccessKind, Channel
from dossiers.models import Consultation, DossierAccess, DossierDraft
from dossiers.services import dossier_submit
from dossiers.trail import dossier_access_list, dossier_access_record
from tests.factories import AgencyFactory, ComponentFactory, UserFactory
from tests.files import PDF

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def citizen(office):
    return office["people"][Role.CITIZEN]


@pytest.fixture
def officer(office):
    officer = office["people"][Role.SPECIALIST]
    AgencyMembership.objects.filter(user=officer).update(position="Chuyên viên Phòng Hộ tịch")
    return officer


@pytest.fixture
def filed(office, citizen):
    """A submitted dossier of the office with one file."""
    component = ComponentFactory(procedure=office["procedure"], name="Giấy chứng sinh")
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    attachment = attachment_add(
        owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile("giay-chung-sinh.pdf", PDF)
    )
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant=citizen,
        applicant_name="Nguyễn Văn An",
    )  # fmt: skip
    attachments_move_to_dossier(draft=draft, dossier=dossier)
    attachment.refresh_from_db()
    return {"dossier": dossier, "attachment": attachment}


def trail_section(html: str) -> str:
    start = html.index('id="trail-title"')
    return html[start : html.index("</section>", start)]


def test_an_officer_opening_a_file_creates_one_row_and_the_citizen_sees_it(
    client, office, citizen, officer, filed, django_assert_num_queries
):
    # given the officer in scope, at 09:15 Vietnam time
    client.force_login(officer)
    url = reverse("dossiers:attachment_download", args=[filed["attachment"].uuid])
    client.get(url)  # the session and the user are loaded once; the second download is measured

    # when the officer opens the file
    # session, user, the officer's scope (memberships, sub-agencies), the file, the INSERT: nothing more
    with (
        time_machine.travel(dt.datetime(2026, 12, 7, 9, 15, tzinfo=VN), tick=False),
        django_assert_num_queries(6) as queries,
    ):
        response = b"".join(client.get(url).streaming_content)

    # then the file came, and one row says who, in which unit, with which title, when and what
    assert response.startswith(b"%PDF")
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert 'INTO "dossiers_dossieraccess"' in inserts[0]
    row = DossierAccess.objects.order_by("-at").first()
    assert (row.dossier, row.officer, row.role, row.agency, row.position, row.kind, row.attachment, row.name) == (
        filed["dossier"], officer, Role.SPECIALIST, office["agency"], "Chuyên viên Phòng Hộ tịch", AccessKind.FILE,
        filed["attachment"], "giay-chung-sinh.pdf",
    )  # fmt: skip
    assert DossierAccess.objects.count() == 2

    # and the applicant reads it on their dossier page
    client.force_login(citizen)
    page = client.get(reverse("dossiers:my_dossier", args=[filed["dossier"].code])).content.decode()
    section = trail_section(page)
    assert "09:15 07/12/2026" in section
    assert "Cán bộ specialist" in section  # the officer's name (tests/dossiers/conftest.py)
    assert "Chuyên viên Phòng Hộ tịch" in section
    assert "Sở Tư pháp" in section
    assert "Mở tệp đính kèm: giay-chung-sinh.pdf" in section


def test_another_citizen_sees_no_trail_and_the_applicants_own_looks_are_not_recorded(client, citizen, officer, filed):
    # given an officer looked at the dossier
    client.force_login(officer)
    client.get(reverse("dossiers:detail", args=[filed["dossier"].code]))
    stranger = UserFactory(role=Role.CITIZEN)

    # when the applicant opens their own file and another citizen tries the dossier and the file
    client.force_login(citizen)
    b"".join(client.get(reverse("dossiers:attachment_download", args=[filed["attachment"].uuid])).streaming_content)
    client.force_login(stranger)
    page = client.get(reverse("dossiers:my_dossier", args=[filed["dossier"].code]))
    download = client.get(reverse("dossiers:attachment_download", args=[filed["attachment"].uuid]))

    # then the stranger learns nothing, and the trail holds only the officer's look
    assert page.status_code == 404
    assert download.status_code == 404
    assert "Cán bộ specialist" not in page.content.decode()
    assert list(DossierAccess.objects.values_list("officer__username", "kind")) == [("specialist", "dossier")]


def test_every_officer_page_view_and_form_download_is_one_row_shown_to_officers_too(client, office, officer, filed):
    # given the receipt was issued
    dossier = filed["dossier"]
    client.force_login(office["people"][Role.RECEPTION_OFFICER])
    from dossiers.services import dossier_act
    from workflows.constants import Action

    dossier_act(dossier_id=dossier.pk, actor=office["people"][Role.RECEPTION_OFFICER], action=Action.RECEIVE)

    # when the specialist opens the page twice and prints form 01
    client.force_login(officer)
    client.get(reverse("dossiers:detail", args=[dossier.code]))
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    pdf = client.get(reverse("dossiers:document", args=[dossier.code, "01"]))

    # then three rows, newest first, and the officer's page shows the same trail
    assert pdf.status_code == 200
    assert [(a.kind, a.name) for a in dossier_access_list(dossier=dossier)] == [
        ("document", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)"),
        ("dossier", ""),
        ("dossier", ""),
    ]
    assert trail_section(page).count("Xem hồ sơ") == 2


def test_a_consulted_officer_is_recorded_under_the_consulted_unit(client, office, filed):
    # given another agency asked for its opinion, whose officer also belongs to a third agency
    dossier = filed["dossier"]
    consulted = AgencyFactory(code="000.00.20.H42", name="Công an tỉnh Ninh Bình")
    other = AgencyFactory(code="000.00.01.H42", name="Văn phòng UBND tỉnh")
    officer = UserFactory(role=Role.SPECIALIST, full_name="Lê Thị Hà", agencies=[other, consulted])
    Consultation.objects.create(
        dossier=dossier, agency=consulted, question="Ý kiến?", requested_by=office["people"][Role.LEADER],
        requested_at=dossier.submitted_at, due_at=dossier.due_at,
    )  # fmt: skip
    client.force_login(officer)

    # when they read the dossier
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 200

    # then the row names one of their units (the dossier's agency is not one of them: the first by id)
    assert DossierAccess.objects.get().agency == min((other, consulted), key=lambda a: a.pk)


def test_recording_skips_citizens_and_the_applicant(office, citizen, filed):
    dossier = filed["dossier"]

    assert dossier_access_record(user=citizen, dossier=dossier, kind=AccessKind.DOSSIER) is False
    assert dossier_access_record(user=UserFactory(role=Role.CITIZEN), dossier=dossier, kind=AccessKind.DOSSIER) is False
    assert DossierAccess.objects.count() == 0


def test_the_citizen_page_costs_the_same_however_many_officers_looked(
    client, office, citizen, filed, django_assert_max_num_queries
):
    # given one look, measured
    dossier = filed["dossier"]
    dossier_access_record(user=office["people"][Role.SPECIALIST], dossier=dossier, kind=AccessKind.DOSSIER)
    client.force_login(citizen)
    url = reverse("dossiers:my_dossier", args=[dossier.code])
    client.get(url)
    with django_assert_max_num_queries(100) as one:
        client.get(url)

    # when twelve more officers of different units look
    for index in range(12):
        agency = AgencyFactory(code=f"000.00.{50 + index}.H42", name=f"Phòng {index}")
        looker = UserFactory(role=Role.LEADER, full_name=f"Cán bộ {index}", agencies=[agency])
        dossier_access_record(user=looker, dossier=dossier, kind=AccessKind.FILE, attachment=filed["attachment"])
    with django_assert_max_num_queries(100) as many:
        page = client.get(url).content.decode()

    # then the same number of queries (no N+1), all thirteen shown
    assert len(many.captured_queries) == len(one.captured_queries)
    assert trail_section(page).count("<tr>") == 13 + 1  # the header row too


def test_the_personal_data_download_holds_the_trail(client, office, citizen, officer, filed):
    client.force_login(officer)
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 15, tzinfo=VN), tick=False):
        b"".join(client.get(reverse("dossiers:attachment_download", args=[filed["attachment"].uuid])).streaming_content)
    client.force_login(citizen)

    data = json.loads(client.get(reverse("dossiers:personal_data")).content)

    assert data["dossiers"][0]["accessed_by"] == [
        {
            "at": "2026-12-07T02:15:00+00:00", "officer": "Cán bộ specialist", "role": "specialist",
            "position": "Chuyên viên Phòng Hộ tịch", "agency": "Sở Tư pháp", "what": "file",
            "name": "giay-chung-sinh.pdf",
        }
    ]  # fmt: skip
