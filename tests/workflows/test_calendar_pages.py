"""The year page, Vietnamese date input in the admin and the console, and the calendar warnings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import Role
from tests.factories import AgencyFactory, DossierFactory, UserFactory
from workflows.constants import CalendarDayKind, Status
from workflows.models import CalendarOverride, CalendarYear
from workflows.selectors import working_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="quantri", province_admin=True, is_superuser=True)


@pytest.fixture
def officer(db):
    return UserFactory(username="tiepnhan", role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory()])


# dd/mm/yyyy typed in the Django admin, in both languages


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_admin_reads_05_03_2027_as_5_march(
    client, admin_user, settings, language, django_capture_on_commit_callbacks
):
    # given
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:workflows_calendaroverride_add"),
            {"date": "05/03/2027", "kind": CalendarDayKind.DAY_OFF, "reason": "Quyết định số 5/QĐ-UBND"},
        )

    # then
    assert response.status_code == 302
    assert CalendarOverride.objects.get(reason="Quyết định số 5/QĐ-UBND").date == dt.date(2027, 3, 5)
    assert working_calendar().is_working_day(dt.date(2027, 3, 5)) is False


def test_the_admin_form_shows_dates_as_dd_mm_yyyy(new_year_2026, client, admin_user):
    # given
    client.force_login(admin_user)
    override = CalendarOverride.objects.get(date=dt.date(2026, 1, 10))

    # when
    html = client.get(reverse("admin:workflows_calendaroverride_change", args=[override.pk])).content.decode()

    # then
    assert 'value="10/01/2026"' in html


def test_the_admin_refuses_a_day_that_does_not_exist(client, admin_user):
    # given: 31/02 is not a date, and 13/25/2027 is not dd/mm either
    client.force_login(admin_user)
    url = reverse("admin:workflows_calendaroverride_add")

    # when
    responses = [
        client.post(url, {"date": text, "kind": CalendarDayKind.DAY_OFF, "reason": "Thử"})
        for text in ("31/02/2027", "03/25/2027")
    ]

    # then
    assert [r.status_code for r in responses] == [200, 200]
    assert not CalendarOverride.objects.filter(reason="Thử").exists()


# The year page


def test_the_year_page_is_for_province_admins_only(client, officer):
    # given
    url = reverse("workflows:calendar_year", args=[2026])

    # when / then
    assert client.get(url).status_code == 302
    client.force_login(officer)
    assert client.get(url).status_code == 403


def test_the_year_page_shows_the_effective_calendar(new_year_2026, client, admin_user):
    # given
    client.force_login(admin_user)

    # when
    response = client.get(reverse("workflows:calendar_year", args=[2026]))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-day="2026-01-01" data-kind="off" data-source="package"' in html
    assert 'data-day="2026-01-02" data-kind="off" data-source="override"' in html
    assert 'data-day="2026-01-10" data-kind="working" data-source="override"' in html
    assert 'data-day="2026-08-22" data-kind="working" data-source="package"' in html
    assert "12729/VPCP-KGVX" in html
    assert 'data-confirmed="no"' in html
    assert "Thư viện ngày lễ (dự kiến)" in html


def test_confirming_a_year_by_letter_with_a_vietnamese_date(client, admin_user, django_capture_on_commit_callbacks):
    # given
    client.force_login(admin_user)
    url = reverse("workflows:calendar_year", args=[2027])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "thao_tac": "xac-nhan",
                "xn-letter_number": "12345/VPCP-KGVX",
                "xn-letter_date": "05/03/2027",
                "xn-note": "",
            },
        )

    # then
    assert response.status_code == 302
    confirmation = CalendarYear.objects.get(year=2027)
    assert (confirmation.letter_number, confirmation.letter_date) == ("12345/VPCP-KGVX", dt.date(2027, 3, 5))
    assert confirmation.confirmed_by == admin_user
    assert working_calendar().year_confirmed(2027) is True
    html = client.get(url).content.decode()
    assert 'data-confirmed="yes"' in html
    assert "văn bản số 12345/VPCP-KGVX ngày 05/03/2027" in html


def test_a_confirmation_without_a_letter_number_is_refused(client, admin_user):
    # given
    client.force_login(admin_user)

    # when
    response = client.post(
        reverse("workflows:calendar_year", args=[2027]), {"thao_tac": "xac-nhan", "xn-letter_number": "  "}
    )

    # then
    assert response.status_code == 200
    assert not CalendarYear.objects.exists()


def test_adding_and_removing_a_day_on_the_year_page(client, admin_user, django_capture_on_commit_callbacks):
    # given
    client.force_login(admin_user)
    url = reverse("workflows:calendar_year", args=[2027])

    # when: a make-up Saturday typed dd/mm/yyyy
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            url,
            {"thao_tac": "them-ngay", "ngay-date": "06/03/2027", "ngay-kind": CalendarDayKind.WORKING_DAY,
             "ngay-reason": "Làm bù theo công văn 1/VPCP"},
        )  # fmt: skip

    # then
    assert added.status_code == 302
    assert CalendarOverride.objects.get(date=dt.date(2027, 3, 6)).kind == CalendarDayKind.WORKING_DAY
    assert working_calendar().is_working_day(dt.date(2027, 3, 6)) is True
    assert 'data-day="2027-03-06" data-kind="working" data-source="override"' in client.get(url).content.decode()

    # when: removed again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"thao_tac": "bo-ngay", "ngay": "06/03/2027"})

    # then
    assert not CalendarOverride.objects.filter(date=dt.date(2027, 3, 6)).exists()
    assert working_calendar().is_working_day(dt.date(2027, 3, 6)) is False


def test_a_year_the_package_does_not_know_says_so(client, admin_user):
    # given
    client.force_login(admin_user)

    # when
    html = client.get(reverse("workflows:calendar_year", args=[2101])).content.decode()

    # then
    assert 'data-confirmed="unknown"' in html


# Warnings while the coming year is unconfirmed


@time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=VN), tick=False)
def test_officer_queue_and_console_warn_while_the_coming_year_is_unconfirmed(client, officer, admin_user):
    # given
    queue, console = reverse("dossiers:queue"), reverse("console:index")

    # when
    client.force_login(officer)
    officer_page = client.get(queue).content.decode()
    client.force_login(admin_user)
    console_page = client.get(console).content.decode()

    # then
    for html in (officer_page, console_page):
        assert 'id="canh-bao-lich"' in html
        assert "Lịch nghỉ lễ, làm bù năm 2027 chưa được xác nhận theo văn bản" in html
    assert reverse("workflows:calendar") in console_page

    # when: confirmed
    CalendarYear.objects.create(year=2027, letter_number="12345/VPCP-KGVX")

    # then
    client.force_login(officer)
    assert 'id="canh-bao-lich"' not in client.get(queue).content.decode()
    client.force_login(admin_user)
    assert 'id="canh-bao-lich"' not in client.get(console).content.decode()


@time_machine.travel(dt.datetime(2100, 12, 30, 9, 0, tzinfo=VN), tick=False)
def test_a_deadline_in_an_unknown_year_is_explained_not_a_500(client, officer):
    # given: a running dossier due in 2101, a year no one can count yet
    DossierFactory(
        agency=officer.memberships.get().agency, status=Status.RECEIVED, step_role=Role.RECEPTION_OFFICER,
        due_at=dt.datetime(2101, 1, 5, 17, 0, tzinfo=VN),
    )  # fmt: skip
    client.force_login(officer)

    # when
    mine = client.get(reverse("dossiers:queue"))
    near = client.get(reverse("dossiers:queue"), {"hang": "sap-den-han"})

    # then
    assert mine.status_code == 200
    html = mine.content.decode()
    assert "band-unknown" in html
    assert "Chưa tính được thời hạn" in html
    assert "2101" in html
    assert near.status_code == 200
