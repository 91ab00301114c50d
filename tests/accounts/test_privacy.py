"""Citizen id numbers: masked in lists, in full only on the dossier page of an officer in scope,
and never in error reports (mail to ADMINS, logged 500s)."""

import logging

import pytest
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path, reverse

from accounts.constants import AuthEventKind, Role
from accounts.models import AuthEvent
from accounts.privacy import mask_citizen_ids_in
from accounts.security import mask_id_number
from dvctt.request_log import JsonFormatter, PlainFormatter
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory

CITIZEN_ID = "037090001234"
MASKED = "0370******34"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (CITIZEN_ID, MASKED),
        ("001234567890", "0012******90"),
        ("B1234567", "B1****67"),  # a passport number keeps its ends only
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


def test_masking_in_free_text_leaves_other_numbers_alone():
    text = "CCCD 037090001234, hồ sơ 000.00.12.H42-260302-0001, điện thoại 0912345678, số 1234567890123"

    assert mask_citizen_ids_in(text) == (
        "CCCD 0370******34, hồ sơ 000.00.12.H42-260302-0001, điện thoại 0912345678, số 1234567890123"
    )


@pytest.fixture
def office(db):
    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp")
    procedure = ProcedureFactory(code="1.000001", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    officer = UserFactory(username="tiepnhan", role=Role.RECEPTION_OFFICER, agencies=[agency])
    dossier = DossierFactory(
        procedure=procedure, agency=agency, applicant_name="Nguyễn Văn An", applicant_id_number=CITIZEN_ID
    )
    return officer, dossier


def test_the_officer_queue_shows_the_id_number_masked(client, office):
    officer, dossier = office
    client.force_login(officer)

    page = client.get(reverse("dossiers:queue"), {"hang": "cho-tiep-nhan"}).content.decode()

    assert dossier.code in page
    assert MASKED in page
    assert CITIZEN_ID not in page


def test_the_dossier_page_shows_it_in_full_to_an_officer_in_scope_only(client, office):
    officer, dossier = office
    outsider = UserFactory(role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory(code="000.00.99.H42")])
    url = reverse("dossiers:detail", args=[dossier.code])

    client.force_login(officer)
    own = client.get(url)
    client.force_login(outsider)
    other = client.get(url)

    assert f"Nguyễn Văn An ({CITIZEN_ID})" in own.content.decode()
    assert other.status_code == 404


def failing_view(request: HttpRequest, number: str) -> HttpResponse:
    raise ValueError(f"Không đọc được hồ sơ của công dân {number}")


urlpatterns = [path("loi/<str:number>/", failing_view)]


@override_settings(ROOT_URLCONF=__name__, ADMINS=[("Quản trị", "qt@example.vn")])
def test_error_reports_mask_citizen_ids(client, db, caplog):
    # given: a page fails with the citizen id in the address, the posted form and the exception
    client.raise_request_exception = False

    # when
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(f"/loi/{CITIZEN_ID}/", {"citizen_id": CITIZEN_ID, "ghi_chu": f"CCCD {CITIZEN_ID}"})

    # then: the mail to ADMINS (traceback, request, local variables) shows the id masked only
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    texts = [report.subject, report.body, *(str(content) for content, _type in report.alternatives)]
    assert MASKED in report.body
    assert [CITIZEN_ID in text for text in texts] == [False] * len(texts)
    # and the logged error: message masked when the record is made; traceback masked by our formatters
    record = next(r for r in caplog.records if r.name == "django.request")
    assert CITIZEN_ID not in record.getMessage()
    for formatter in (PlainFormatter(), JsonFormatter()):
        line = formatter.format(record)
        assert "ValueError" in line
        assert CITIZEN_ID not in line


def test_the_admin_lists_show_a_citizens_login_masked_and_the_search_still_finds_it(client, db):
    # given a citizen who signs in with their id number, and their login in the log
    citizen = UserFactory(username=CITIZEN_ID, citizen_id=CITIZEN_ID, role=Role.CITIZEN, full_name="Nguyễn Văn An")
    AuthEvent.objects.create(kind=AuthEventKind.LOGIN, username=CITIZEN_ID, user=citizen, ip_address="127.0.0.1")
    client.force_login(UserFactory(username="kythuat", is_staff=True, is_superuser=True, role=Role.PROVINCE_ADMIN))

    # when
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    logins = client.get(reverse("admin:accounts_authevent_changelist")).content.decode()
    found = client.get(reverse("admin:accounts_user_changelist"), {"q": CITIZEN_ID})

    # then: shown masked in both lists, and the search by the whole number finds the citizen
    assert MASKED in users
    assert MASKED in logins
    assert CITIZEN_ID not in users
    assert CITIZEN_ID not in logins
    assert list(found.context["cl"].result_list) == [citizen]
