from datetime import date

from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse

from accounts.constants import Role
from accounts.services import user_ensure
from workflows.constants import CalendarDayKind
from workflows.models import CalendarOverride
from workflows.selectors import working_calendar


def _superuser():
    user, _created = user_ensure(
        username="quantri", password="x", role=Role.PROVINCE_ADMIN, full_name="Quản trị", is_superuser=True
    )
    return user


def test_an_override_added_in_the_admin_moves_the_calendar(client, db, django_capture_on_commit_callbacks):
    # given
    client.force_login(_superuser())
    assert working_calendar().is_working_day(date(2026, 3, 3)) is True

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:workflows_calendaroverride_add"),
            {"date": "2026-03-03", "kind": CalendarDayKind.DAY_OFF, "reason": "Quyết định số 12/QĐ-UBND"},
        )

    # then
    assert response.status_code == 302
    override = CalendarOverride.objects.get(reason="Quyết định số 12/QĐ-UBND")
    assert (override.date, override.kind) == (date(2026, 3, 3), CalendarDayKind.DAY_OFF)
    assert len(callbacks) == 1  # the cache is cleared once the save commits
    assert working_calendar().is_working_day(date(2026, 3, 3)) is False
    assert LogEntry.objects.get().action_flag == ADDITION


def test_an_override_deleted_in_the_admin_leaves_the_calendar(client, db, django_capture_on_commit_callbacks):
    # given
    client.force_login(_superuser())
    override = CalendarOverride.objects.create(date=date(2026, 3, 7), kind=CalendarDayKind.WORKING_DAY, reason="Làm bù")
    assert working_calendar().is_working_day(date(2026, 3, 7)) is True

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:workflows_calendaroverride_delete", args=[override.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not CalendarOverride.objects.filter(date=date(2026, 3, 7)).exists()
    assert working_calendar().is_working_day(date(2026, 3, 7)) is False


def test_the_changelist_renders_in_vietnamese_and_searches_reasons(client, db):
    # given
    client.force_login(_superuser())
    CalendarOverride.objects.create(date=date(2026, 3, 3), kind=CalendarDayKind.DAY_OFF, reason="Lễ hội Tràng An")
    CalendarOverride.objects.create(date=date(2027, 3, 6), kind=CalendarDayKind.WORKING_DAY, reason="Làm bù Tết")
    url = reverse("admin:workflows_calendaroverride_changelist")

    # when
    everything = client.get(url)
    searched = client.get(url, {"q": "Tràng An"})
    filtered = client.get(url, {"kind__exact": CalendarDayKind.WORKING_DAY})
    one_year = client.get(url, {"date__year": "2027"})

    # then
    assert everything.status_code == 200
    html = everything.content.decode()
    assert "lịch nghỉ, làm bù của tỉnh" in html.lower()
    assert "Ngày nghỉ (thêm)" in html
    assert "Lễ hội Tràng An" in html
    assert "Làm bù Tết" in html
    assert "Lễ hội Tràng An" in searched.content.decode()
    assert "Làm bù Tết" not in searched.content.decode()
    assert "Làm bù Tết" in filtered.content.decode()
    assert "Lễ hội Tràng An" not in filtered.content.decode()
    assert "Làm bù Tết" in one_year.content.decode()
    assert "Lễ hội Tràng An" not in one_year.content.decode()
