import random
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from procedures.constants import TimeLimitUnit
from workflows.calendar import (
    OfficeHours,
    Session,
    WorkingCalendar,
    national_year,
    receipt_before_opening_from_settings,
    same_day_cutoff_from_settings,
)
from workflows.constants import CalendarDayKind
from workflows.exceptions import CalendarYearUnknown
from workflows.models import CalendarOverride, CalendarYear
from workflows.selectors import calendar_cache_clear, calendar_unconfirmed_warning, calendar_year_get, working_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def national():
    """The national calendar (no province overrides) with the default 07:00-11:30, 13:30-17:00."""
    return WorkingCalendar(OfficeHours.parse("07:00-11:30,13:30-17:00"))


# Office hours


def test_office_hours_come_from_settings(settings):
    # given
    settings.OFFICE_HOURS = "07:00-11:30,13:30-17:00"
    settings.SAME_DAY_CUTOFF = "15:00"

    # when
    hours = OfficeHours.from_settings()
    cutoff = same_day_cutoff_from_settings()

    # then
    assert hours.sessions == (Session(time(7, 0), time(11, 30)), Session(time(13, 30), time(17, 0)))
    assert hours.day_length == timedelta(hours=8)
    assert cutoff == time(15, 0)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("13:30-17:00,07:00-11:30", id="unordered"),
        pytest.param("07:00-12:00,11:30-17:00", id="overlapping"),
        pytest.param("07:00-11:30,11:30-17:00", id="touching"),
        pytest.param("17:00-07:00", id="ends-before-it-starts"),
        pytest.param("07:00-07:00", id="empty-session"),
        pytest.param("7h-11h30", id="not-hh-mm"),
        pytest.param("07:00-25:00", id="no-such-hour"),
        pytest.param("07:00-11:30;13:30-17:00", id="wrong-separator"),
        pytest.param("", id="empty"),
    ],
)
def test_office_hours_refuse_invalid_text(text):
    # when / then
    with pytest.raises(ValueError):  # noqa: PT011 - each message names the fault, in Vietnamese
        OfficeHours.parse(text)


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("OFFICE_HOURS", "13:30-17:00,07:00-11:30", OfficeHours.from_settings),
        ("SAME_DAY_CUTOFF", "3pm", same_day_cutoff_from_settings),
    ],
)
def test_invalid_settings_are_a_configuration_error(settings, name, value, read):
    # given
    setattr(settings, name, value)

    # when / then
    with pytest.raises(ImproperlyConfigured, match=name):
        read()


def test_other_office_hours_change_the_length_of_a_day():
    # given
    calendar = WorkingCalendar(OfficeHours.parse("07:30-11:30,13:00-16:30"))

    # when
    due = calendar.add_working_days(datetime(2026, 3, 2, 7, 30, tzinfo=VN), 1)

    # then
    assert calendar.office_hours.day_length == timedelta(hours=7, minutes=30)
    assert due == datetime(2026, 3, 2, 16, 30, tzinfo=VN)


def test_a_day_cannot_be_both_off_and_working():
    # when / then
    with pytest.raises(ValueError, match="vừa nghỉ vừa làm việc"):
        WorkingCalendar(
            OfficeHours.parse("07:00-11:30,13:30-17:00"),
            days_off=frozenset({date(2026, 3, 7)}),
            working_days=frozenset({date(2026, 3, 7)}),
        )


# Working days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 1, 1), False, id="new-year"),
        pytest.param(date(2026, 2, 13), True, id="friday-before-tet"),
        *(pytest.param(date(2026, 2, d), False, id=f"tet-{d}-feb") for d in range(16, 21)),
        pytest.param(date(2026, 2, 23), True, id="monday-after-tet"),
        pytest.param(date(2026, 4, 27), False, id="hung-kings-observed"),
        pytest.param(date(2026, 4, 30), False, id="30-april"),
        pytest.param(date(2026, 5, 1), False, id="1-may"),
        pytest.param(date(2026, 8, 22), True, id="make-up-saturday"),
        pytest.param(date(2026, 8, 23), False, id="sunday-after-make-up-saturday"),
        pytest.param(date(2026, 8, 29), False, id="ordinary-saturday"),
        pytest.param(date(2026, 8, 31), False, id="31-aug-substituted"),
        pytest.param(date(2026, 9, 1), False, id="1-sep"),
        pytest.param(date(2026, 9, 2), False, id="2-sep"),
        pytest.param(date(2026, 9, 3), True, id="3-sep"),
        pytest.param(date(2026, 11, 24), False, id="culture-day"),
    ],
)
def test_working_days_follow_the_national_calendar(national, day, working):
    # when / then
    assert national.is_working_day(day) is working


def test_province_overrides_win_over_the_national_calendar():
    # given: Tết's last day worked, the make-up Saturday cancelled, a provincial day off
    calendar = WorkingCalendar(
        OfficeHours.parse("07:00-11:30,13:30-17:00"),
        days_off=frozenset({date(2026, 8, 22), date(2026, 3, 2)}),
        working_days=frozenset({date(2026, 2, 20)}),
    )

    # when / then
    assert calendar.is_working_day(date(2026, 2, 20)) is True
    assert calendar.is_working_day(date(2026, 8, 22)) is False
    assert calendar.is_working_day(date(2026, 3, 2)) is False
    assert calendar.is_working_day(date(2026, 3, 3)) is True


# Start of work


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        pytest.param(datetime(2026, 3, 2, 10, 0, tzinfo=VN), datetime(2026, 3, 2, 10, 0, tzinfo=VN), id="in-hours"),
        pytest.param(datetime(2026, 3, 2, 7, 0, tzinfo=VN), datetime(2026, 3, 2, 7, 0, tzinfo=VN), id="at-opening"),
        pytest.param(
            datetime(2026, 3, 2, 6, 30, tzinfo=VN), datetime(2026, 3, 2, 7, 0, tzinfo=VN), id="before-opening"
        ),
        pytest.param(datetime(2026, 3, 2, 11, 30, tzinfo=VN), datetime(2026, 3, 2, 13, 30, tzinfo=VN), id="at-11-30"),
        pytest.param(datetime(2026, 3, 2, 12, 0, tzinfo=VN), datetime(2026, 3, 2, 13, 30, tzinfo=VN), id="lunch"),
        pytest.param(datetime(2026, 3, 2, 16, 59, tzinfo=VN), datetime(2026, 3, 2, 16, 59, tzinfo=VN), id="16-59"),
        pytest.param(datetime(2026, 3, 2, 17, 0, tzinfo=VN), datetime(2026, 3, 3, 7, 0, tzinfo=VN), id="at-17-00"),
        pytest.param(datetime(2026, 3, 2, 17, 1, tzinfo=VN), datetime(2026, 3, 3, 7, 0, tzinfo=VN), id="17-01"),
        pytest.param(datetime(2026, 3, 6, 17, 1, tzinfo=VN), datetime(2026, 3, 9, 7, 0, tzinfo=VN), id="friday-17-01"),
        pytest.param(datetime(2026, 3, 7, 10, 0, tzinfo=VN), datetime(2026, 3, 9, 7, 0, tzinfo=VN), id="saturday"),
        pytest.param(datetime(2026, 8, 22, 5, 0, tzinfo=VN), datetime(2026, 8, 22, 7, 0, tzinfo=VN), id="make-up-sat"),
        pytest.param(
            datetime(2026, 8, 22, 18, 0, tzinfo=VN), datetime(2026, 8, 24, 7, 0, tzinfo=VN), id="make-up-sat-evening"
        ),
        pytest.param(datetime(2026, 8, 28, 17, 30, tzinfo=VN), datetime(2026, 9, 3, 7, 0, tzinfo=VN), id="before-2-9"),
        pytest.param(datetime(2026, 2, 13, 17, 30, tzinfo=VN), datetime(2026, 2, 23, 7, 0, tzinfo=VN), id="before-tet"),
    ],
)
def test_start_of_work(national, received, expected):
    # when / then
    assert national.start_of_work(received) == expected


def test_results_are_in_local_time_whatever_the_input_zone(national):
    # given: 03:00 UTC is 10:00 in Hà Nội
    received = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

    # when
    start = national.start_of_work(received)
    due = national.add_working_days(received, 1)

    # then
    assert start == datetime(2026, 3, 2, 10, 0, tzinfo=VN)
    assert start.tzinfo == VN
    assert due.tzinfo == VN
    assert (due.hour, due.minute) == (10, 0)


def test_naive_datetimes_are_refused(national):
    # when / then
    with pytest.raises(ValueError, match="múi giờ"):
        national.start_of_work(datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001 - the point of the test


# Adding working time


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(datetime(2026, 2, 13, 10, 0, tzinfo=VN), 3, datetime(2026, 2, 25, 10, 0, tzinfo=VN), id="tet"),
        pytest.param(
            datetime(2026, 8, 20, 10, 0, tzinfo=VN), 3, datetime(2026, 8, 24, 10, 0, tzinfo=VN), id="make-up-sat"
        ),
        pytest.param(datetime(2026, 8, 28, 16, 0, tzinfo=VN), 1, datetime(2026, 9, 3, 16, 0, tzinfo=VN), id="2-sep"),
        pytest.param(
            datetime(2026, 4, 29, 10, 0, tzinfo=VN), 2, datetime(2026, 5, 5, 10, 0, tzinfo=VN), id="30-apr-1-may"
        ),
        pytest.param(
            datetime(2026, 3, 2, 7, 0, tzinfo=VN), 1, datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="lands-on-17-00"
        ),
        pytest.param(
            datetime(2026, 3, 2, 12, 0, tzinfo=VN), 1, datetime(2026, 3, 3, 11, 30, tzinfo=VN), id="lands-on-11-30"
        ),
        pytest.param(datetime(2026, 3, 2, 16, 59, tzinfo=VN), 1, datetime(2026, 3, 3, 16, 59, tzinfo=VN), id="16-59"),
        pytest.param(datetime(2026, 3, 2, 17, 1, tzinfo=VN), 1, datetime(2026, 3, 3, 17, 0, tzinfo=VN), id="17-01"),
        pytest.param(datetime(2026, 3, 6, 17, 1, tzinfo=VN), 1, datetime(2026, 3, 9, 17, 0, tzinfo=VN), id="friday"),
        pytest.param(
            datetime(2026, 3, 2, 7, 0, tzinfo=VN), Decimal("0.5"), datetime(2026, 3, 2, 11, 0, tzinfo=VN), id="half"
        ),
        pytest.param(
            datetime(2026, 3, 2, 7, 30, tzinfo=VN),
            Decimal("0.5"),
            datetime(2026, 3, 2, 11, 30, tzinfo=VN),
            id="half-to-noon",
        ),
        pytest.param(
            datetime(2026, 3, 2, 10, 0, tzinfo=VN), Decimal("1.5"), datetime(2026, 3, 3, 16, 0, tzinfo=VN), id="1.5"
        ),
        pytest.param(datetime(2026, 3, 2, 10, 0, tzinfo=VN), 0, datetime(2026, 3, 2, 10, 0, tzinfo=VN), id="zero"),
        pytest.param(
            datetime(2026, 1, 5, 10, 0, tzinfo=VN), 60, datetime(2026, 4, 6, 10, 0, tzinfo=VN), id="60-days-over-tet"
        ),
    ],
)
def test_add_working_days(national, start, days, expected):
    # when / then
    assert national.add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(datetime(2026, 3, 2, 7, 0, tzinfo=VN), 8, datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="8h-a-day"),
        pytest.param(datetime(2026, 3, 2, 10, 0, tzinfo=VN), 4, datetime(2026, 3, 2, 16, 0, tzinfo=VN), id="4h-lunch"),
        pytest.param(datetime(2026, 3, 2, 16, 0, tzinfo=VN), 8, datetime(2026, 3, 3, 16, 0, tzinfo=VN), id="overnight"),
        pytest.param(
            datetime(2026, 3, 6, 15, 0, tzinfo=VN), 4, datetime(2026, 3, 9, 9, 0, tzinfo=VN), id="over-weekend"
        ),
        pytest.param(
            datetime(2026, 3, 2, 11, 0, tzinfo=VN), Decimal("0.5"), datetime(2026, 3, 2, 11, 30, tzinfo=VN), id="noon"
        ),
    ],
)
def test_add_working_hours(national, start, hours, expected):
    # when / then
    assert national.add_working_hours(start, hours) == expected


def test_a_60_working_day_limit_is_cheap(national):
    # given
    start = datetime(2026, 1, 5, 10, 0, tzinfo=VN)

    # when: 1,000 due dates of 60 working days (a few milliseconds each would be too slow)
    began = time_module.perf_counter()
    for _ in range(1000):
        national.add_working_days(start, 60)
    elapsed = time_module.perf_counter() - began

    # then
    assert elapsed < 1.0


def test_negative_working_time_is_refused(national):
    # when / then
    with pytest.raises(ValueError, match="âm"):
        national.add_working_time(datetime(2026, 3, 2, 10, 0, tzinfo=VN), timedelta(hours=-1))


# Working time between two moments


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 6, 16, 0, tzinfo=VN),
            datetime(2026, 3, 9, 8, 0, tzinfo=VN),
            timedelta(hours=2),
            id="weekend",
        ),
        pytest.param(
            datetime(2026, 8, 28, 16, 0, tzinfo=VN),
            datetime(2026, 9, 3, 8, 0, tzinfo=VN),
            timedelta(hours=2),
            id="2-sep",
        ),
        pytest.param(
            datetime(2026, 2, 13, 10, 0, tzinfo=VN),
            datetime(2026, 2, 25, 10, 0, tzinfo=VN),
            timedelta(hours=24),
            id="tet",
        ),
        pytest.param(
            datetime(2026, 8, 21, 10, 0, tzinfo=VN),
            datetime(2026, 8, 24, 10, 0, tzinfo=VN),
            timedelta(hours=16),
            id="sat",
        ),
        pytest.param(
            datetime(2026, 3, 2, 10, 0, tzinfo=VN),
            datetime(2026, 3, 2, 14, 0, tzinfo=VN),
            timedelta(hours=2),
            id="lunch",
        ),
        pytest.param(
            datetime(2026, 3, 2, 11, 40, tzinfo=VN), datetime(2026, 3, 2, 13, 0, tzinfo=VN), timedelta(0), id="in-lunch"
        ),
        pytest.param(
            datetime(2026, 3, 2, 14, 0, tzinfo=VN), datetime(2026, 3, 2, 10, 0, tzinfo=VN), timedelta(0), id="backwards"
        ),
        pytest.param(
            datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
            datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            timedelta(hours=8),
            id="utc",
        ),
    ],
)
def test_working_time_between(national, start, end, expected):
    # when / then
    assert national.working_time_between(start, end) == expected


# Same-day rule (civil status, certification)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        pytest.param(datetime(2026, 3, 2, 14, 59, tzinfo=VN), datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="14-59"),
        # 15:00 itself is not "after 15:00", to the minute the receipt prints (15 giờ 00).
        pytest.param(datetime(2026, 3, 2, 15, 0, tzinfo=VN), datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="15-00"),
        pytest.param(
            datetime(2026, 3, 2, 15, 0, 59, 999999, tzinfo=VN), datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="15-00-59"
        ),
        pytest.param(datetime(2026, 3, 2, 15, 1, tzinfo=VN), datetime(2026, 3, 3, 17, 0, tzinfo=VN), id="15-01"),
        pytest.param(datetime(2026, 3, 2, 6, 30, tzinfo=VN), datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="06-30"),
        pytest.param(datetime(2026, 3, 2, 12, 0, tzinfo=VN), datetime(2026, 3, 2, 17, 0, tzinfo=VN), id="12-00"),
        pytest.param(datetime(2026, 3, 2, 16, 59, tzinfo=VN), datetime(2026, 3, 3, 17, 0, tzinfo=VN), id="16-59"),
        pytest.param(datetime(2026, 3, 2, 17, 1, tzinfo=VN), datetime(2026, 3, 3, 17, 0, tzinfo=VN), id="17-01"),
        pytest.param(datetime(2026, 3, 6, 15, 1, tzinfo=VN), datetime(2026, 3, 9, 17, 0, tzinfo=VN), id="friday-15-01"),
        pytest.param(datetime(2026, 3, 7, 10, 0, tzinfo=VN), datetime(2026, 3, 9, 17, 0, tzinfo=VN), id="saturday"),
        pytest.param(
            datetime(2026, 3, 8, 23, 59, tzinfo=VN), datetime(2026, 3, 9, 17, 0, tzinfo=VN), id="sunday-night"
        ),
        pytest.param(
            datetime(2026, 8, 22, 10, 0, tzinfo=VN), datetime(2026, 8, 22, 17, 0, tzinfo=VN), id="make-up-sat"
        ),
        pytest.param(datetime(2026, 8, 28, 15, 30, tzinfo=VN), datetime(2026, 9, 3, 17, 0, tzinfo=VN), id="before-2-9"),
        pytest.param(datetime(2026, 2, 13, 16, 0, tzinfo=VN), datetime(2026, 2, 23, 17, 0, tzinfo=VN), id="before-tet"),
    ],
)
def test_same_day_due(national, received, expected):
    # when / then
    assert national.same_day_due(received) == expected


def test_the_cutoff_comes_from_settings(settings):
    # given
    settings.SAME_DAY_CUTOFF = "16:00"
    calendar = WorkingCalendar(OfficeHours.from_settings(), same_day_cutoff=same_day_cutoff_from_settings())

    # when
    due = calendar.same_day_due(datetime(2026, 3, 2, 15, 30, tzinfo=VN))

    # then
    assert due == datetime(2026, 3, 2, 17, 0, tzinfo=VN)


def test_a_cutoff_outside_office_hours_is_refused():
    # when / then
    with pytest.raises(ValueError, match="giờ chốt"):
        WorkingCalendar(OfficeHours.parse("07:00-11:30,13:30-17:00"), same_day_cutoff=time(18, 0))


# Due dates of procedures


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        pytest.param(
            {"time_limit_value": Decimal(3), "time_limit_unit": TimeLimitUnit.DAY, "same_day_rule": False},
            datetime(2026, 3, 5, 10, 0, tzinfo=VN),
            id="3-days",
        ),
        pytest.param(
            {"time_limit_value": Decimal(4), "time_limit_unit": TimeLimitUnit.HOUR, "same_day_rule": False},
            datetime(2026, 3, 2, 16, 0, tzinfo=VN),
            id="4-hours",
        ),
        pytest.param(
            {"time_limit_value": Decimal(0), "time_limit_unit": TimeLimitUnit.DAY, "same_day_rule": True},
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            id="same-day",
        ),
        pytest.param(
            {
                "time_limit_value": Decimal(5),
                "time_limit_unit": TimeLimitUnit.DAY,
                "same_day_rule": False,
                "online_time_limit_value": Decimal(3),
                "online": True,
            },
            datetime(2026, 3, 5, 10, 0, tzinfo=VN),
            id="online-shorter",
        ),
        pytest.param(
            {
                "time_limit_value": Decimal(5),
                "time_limit_unit": TimeLimitUnit.DAY,
                "same_day_rule": False,
                "online_time_limit_value": Decimal(3),
                "online": False,
            },
            datetime(2026, 3, 9, 10, 0, tzinfo=VN),
            id="online-limit-on-paper-dossier",
        ),
        pytest.param(
            {
                "time_limit_value": Decimal(5),
                "time_limit_unit": TimeLimitUnit.DAY,
                "same_day_rule": False,
                "online_time_limit_value": None,
                "online": True,
            },
            datetime(2026, 3, 9, 10, 0, tzinfo=VN),
            id="online-without-online-limit",
        ),
        pytest.param(
            {
                "time_limit_value": Decimal(3),
                "time_limit_unit": TimeLimitUnit.DAY,
                "same_day_rule": False,
                "online_time_limit_value": Decimal(5),
                "online": True,
            },
            datetime(2026, 3, 5, 10, 0, tzinfo=VN),
            id="longer-online-limit-ignored",
        ),
    ],
)
def test_due_at(national, limits, expected):
    # given
    received = datetime(2026, 3, 2, 10, 0, tzinfo=VN)

    # when / then
    assert national.due_at(received, **limits) == expected


def test_due_at_refuses_an_unknown_unit(national):
    # when / then
    with pytest.raises(ValueError, match="đơn vị"):
        national.due_at(
            datetime(2026, 3, 2, 10, 0, tzinfo=VN),
            time_limit_value=Decimal(1),
            time_limit_unit="week",
            same_day_rule=False,
        )


# Pauses (supplement requests)


def test_a_three_working_day_supplement_pause_shifts_the_due_date(national):
    # given: received Mon 2 Mar 10:00, 5 working days → due Mon 9 Mar 10:00
    due = national.add_working_days(datetime(2026, 3, 2, 10, 0, tzinfo=VN), 5)
    assert due == datetime(2026, 3, 9, 10, 0, tzinfo=VN)

    # when: supplement requested Tue 3 Mar 10:00, supplied Fri 6 Mar 10:00 (3 working days)
    shifted = national.shift_for_pause(
        due, datetime(2026, 3, 3, 10, 0, tzinfo=VN), datetime(2026, 3, 6, 10, 0, tzinfo=VN)
    )

    # then
    assert shifted == datetime(2026, 3, 12, 10, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("due", "paused_from", "paused_until", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            datetime(2026, 3, 2, 9, 0, tzinfo=VN),
            datetime(2026, 3, 2, 10, 0, tzinfo=VN),
            datetime(2026, 3, 3, 8, 0, tzinfo=VN),
            id="due-at-17-00-one-hour",
        ),
        pytest.param(
            datetime(2026, 8, 28, 10, 0, tzinfo=VN),
            datetime(2026, 8, 26, 10, 0, tzinfo=VN),
            datetime(2026, 8, 27, 10, 0, tzinfo=VN),
            datetime(2026, 9, 3, 10, 0, tzinfo=VN),
            id="shifted-over-2-sep",
        ),
        pytest.param(
            datetime(2026, 3, 9, 10, 0, tzinfo=VN),
            datetime(2026, 3, 6, 17, 30, tzinfo=VN),
            datetime(2026, 3, 9, 6, 0, tzinfo=VN),
            datetime(2026, 3, 9, 10, 0, tzinfo=VN),
            id="weekend-pause-changes-nothing",
        ),
        pytest.param(
            datetime(2026, 3, 6, 17, 0, tzinfo=VN),
            datetime(2026, 3, 7, 9, 0, tzinfo=VN),
            datetime(2026, 3, 8, 9, 0, tzinfo=VN),
            datetime(2026, 3, 6, 17, 0, tzinfo=VN),
            id="weekend-pause-keeps-17-00",
        ),
    ],
)
def test_shift_for_pause(national, due, paused_from, paused_until, expected):
    # when / then
    assert national.shift_for_pause(due, paused_from, paused_until) == expected


# Properties over many random moments


def _random_moment(rng: random.Random) -> datetime:
    start = datetime(2025, 12, 1, tzinfo=VN)
    return start + timedelta(minutes=rng.randrange(60 * 24 * 450))


def test_working_time_between_inverts_add_working_time(national):
    # given
    rng = random.Random(20260213)  # noqa: S311 - seeded test data, not security
    cases = [(_random_moment(rng), timedelta(minutes=rng.randrange(60 * 8 * 60))) for _ in range(2000)]

    for start, duration in cases:
        # when
        due = national.add_working_time(start, duration)

        # then
        assert national.working_time_between(national.start_of_work(start), due) == duration, (start, duration)


def test_add_working_time_adds_up_and_always_lands_in_office_hours(national):
    # given
    rng = random.Random(20260822)  # noqa: S311 - seeded test data, not security
    sessions = national.office_hours.sessions

    for _ in range(2000):
        start = _random_moment(rng)
        first = timedelta(minutes=rng.randrange(60 * 8 * 20))
        second = timedelta(minutes=1 + rng.randrange(60 * 8 * 20))

        # when
        in_one_go = national.add_working_time(start, first + second)
        in_two_steps = national.add_working_time(national.add_working_time(start, first), second)

        # then: a positive duration ends inside a session or exactly at its end, on a working day
        assert in_one_go == in_two_steps, (start, first, second)
        assert national.is_working_day(in_one_go.date())
        assert any(s.start < in_one_go.time() <= s.end for s in sessions), in_one_go


# Province overrides from the database


def test_a_province_day_off_moves_due_dates(db):
    # given
    CalendarOverride.objects.create(date=date(2026, 3, 3), kind=CalendarDayKind.DAY_OFF, reason="Lễ hội tỉnh")

    # when
    calendar = working_calendar()

    # then
    assert calendar.is_working_day(date(2026, 3, 3)) is False
    assert calendar.add_working_days(datetime(2026, 3, 2, 10, 0, tzinfo=VN), 1) == datetime(
        2026, 3, 4, 10, 0, tzinfo=VN
    )


def test_a_province_working_saturday_counts(db):
    # given
    CalendarOverride.objects.create(date=date(2026, 3, 7), kind=CalendarDayKind.WORKING_DAY, reason="Làm bù")

    # when
    calendar = working_calendar()

    # then
    assert calendar.is_working_day(date(2026, 3, 7)) is True
    assert calendar.add_working_days(datetime(2026, 3, 6, 10, 0, tzinfo=VN), 1) == datetime(
        2026, 3, 7, 10, 0, tzinfo=VN
    )
    assert calendar.same_day_due(datetime(2026, 3, 6, 15, 30, tzinfo=VN)) == datetime(2026, 3, 7, 17, 0, tzinfo=VN)


def test_a_province_override_wins_over_the_package(db):
    # given: the province cancels the decreed make-up Saturday
    CalendarOverride.objects.create(date=date(2026, 8, 22), kind=CalendarDayKind.DAY_OFF, reason="Không làm bù")

    # when
    calendar = working_calendar()

    # then
    assert calendar.is_working_day(date(2026, 8, 22)) is False
    assert calendar.add_working_days(datetime(2026, 8, 20, 10, 0, tzinfo=VN), 3) == datetime(
        2026, 8, 25, 10, 0, tzinfo=VN
    )


def test_the_cached_calendar_costs_one_query(db, django_assert_num_queries):
    # given
    calendar_cache_clear()
    first = working_calendar()

    # when
    with django_assert_num_queries(1):
        second = working_calendar()

    # then
    assert second is first


def test_the_cache_sees_new_changed_and_deleted_overrides(db):
    # given
    before = working_calendar()
    assert before.is_working_day(date(2026, 3, 3)) is True

    # when / then: added
    override = CalendarOverride.objects.create(date=date(2026, 3, 3), kind=CalendarDayKind.DAY_OFF, reason="Nghỉ")
    assert working_calendar().is_working_day(date(2026, 3, 3)) is False

    # when / then: changed into a working day elsewhere
    override.date = date(2026, 3, 7)
    override.kind = CalendarDayKind.WORKING_DAY
    override.save()
    assert working_calendar().is_working_day(date(2026, 3, 3)) is True
    assert working_calendar().is_working_day(date(2026, 3, 7)) is True

    # when / then: deleted
    override.delete()
    assert working_calendar().is_working_day(date(2026, 3, 7)) is False


def test_the_cache_follows_the_office_hours_setting(db, settings):
    # given
    working_calendar()

    # when
    settings.OFFICE_HOURS = "08:00-12:00,13:00-17:00"

    # then
    assert working_calendar().start_of_work(datetime(2026, 3, 2, 7, 30, tzinfo=VN)) == datetime(
        2026, 3, 2, 8, 0, tzinfo=VN
    )


# The official New Year 2026 swap (VPCP letter 12729/VPCP-KGVX), shipped as data by migration


def test_the_new_year_2026_swap_is_in_the_calendar(new_year_2026):
    # when
    calendar = working_calendar()

    # then: Fri 2 Jan 2026 off, Sat 10 Jan 2026 worked; the package alone says the opposite
    assert calendar.is_working_day(date(2026, 1, 2)) is False
    assert calendar.is_working_day(date(2026, 1, 10)) is True
    assert date(2026, 1, 2) not in national_year(2026).days_off
    reasons = dict(CalendarOverride.objects.filter(date__year=2026).values_list("date", "reason"))
    assert "12729/VPCP-KGVX" in reasons[date(2026, 1, 2)]
    assert "12729/VPCP-KGVX" in reasons[date(2026, 1, 10)]


def test_31_dec_2025_09_00_plus_2_working_days_is_6_jan_2026(new_year_2026):
    # given: 31/12 09:00 leaves 6 h that day; 1/1 holiday, 2/1 swapped off, 3–4/1 weekend, Mon 5/1 8 h
    calendar = working_calendar()

    # when
    due = calendar.add_working_days(datetime(2025, 12, 31, 9, 0, tzinfo=VN), 2)

    # then
    assert due == datetime(2026, 1, 6, 9, 0, tzinfo=VN)


def test_9_jan_2026_plus_1_working_day_is_saturday_10_jan_2026(new_year_2026):
    # given
    calendar = working_calendar()

    # when
    due = calendar.add_working_days(datetime(2026, 1, 9, 9, 0, tzinfo=VN), 1)
    same_day = calendar.same_day_due(datetime(2026, 1, 9, 15, 30, tzinfo=VN))

    # then
    assert due == datetime(2026, 1, 10, 9, 0, tzinfo=VN)
    assert due.weekday() == 5
    assert same_day == datetime(2026, 1, 10, 17, 0, tzinfo=VN)


# Receipt before opening time: the hours model or the Civil Code, by setting


@pytest.mark.parametrize(
    ("mode", "received", "limit_start", "same_day"),
    [
        pytest.param(
            "same_day",
            datetime(2026, 3, 2, 6, 30, tzinfo=VN),
            datetime(2026, 3, 2, 7, 0, tzinfo=VN),
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            id="hours-model",
        ),
        pytest.param(
            "next_day",
            datetime(2026, 3, 2, 6, 30, tzinfo=VN),
            datetime(2026, 3, 3, 7, 0, tzinfo=VN),
            datetime(2026, 3, 3, 17, 0, tzinfo=VN),
            id="civil-code",
        ),
        pytest.param(
            "next_day",
            datetime(2026, 3, 6, 6, 59, tzinfo=VN),
            datetime(2026, 3, 9, 7, 0, tzinfo=VN),
            datetime(2026, 3, 9, 17, 0, tzinfo=VN),
            id="civil-code-friday-to-monday",
        ),
        pytest.param(
            "next_day",
            datetime(2026, 3, 2, 12, 0, tzinfo=VN),
            datetime(2026, 3, 2, 13, 30, tzinfo=VN),
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            id="civil-code-lunch-is-not-before-opening",
        ),
    ],
)
def test_a_receipt_before_opening_time_follows_the_setting(settings, db, mode, received, limit_start, same_day):
    # given
    settings.RECEIPT_BEFORE_OPENING = mode
    calendar = working_calendar()

    # when / then
    assert calendar.receipt_before_opening == mode
    assert calendar.start_of_work(received) == limit_start
    assert calendar.add_working_days(received, 1) == calendar.add_working_days(limit_start, 1)
    assert calendar.same_day_due(received) == same_day


def test_an_unknown_receipt_setting_is_a_configuration_error(settings):
    # given
    settings.RECEIPT_BEFORE_OPENING = "tomorrow"

    # when / then
    with pytest.raises(ImproperlyConfigured, match="RECEIPT_BEFORE_OPENING"):
        receipt_before_opening_from_settings()


# Pauses: by the working time actually paused, no more


@pytest.mark.parametrize(
    ("due", "paused_from", "paused_until", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            datetime(2026, 3, 2, 10, 0, tzinfo=VN),
            datetime(2026, 3, 2, 10, 0, 40, tzinfo=VN),
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            id="answered-within-seconds-keeps-17-00",
        ),
        pytest.param(
            datetime(2026, 3, 4, 10, 0, tzinfo=VN),
            datetime(2026, 3, 2, 10, 0, tzinfo=VN),
            datetime(2026, 3, 2, 10, 3, 20, tzinfo=VN),
            datetime(2026, 3, 4, 10, 3, tzinfo=VN),
            id="three-minutes-twenty-moves-three-minutes",
        ),
        pytest.param(
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            datetime(2026, 3, 2, 16, 59, 50, tzinfo=VN),
            datetime(2026, 3, 2, 17, 0, 30, tzinfo=VN),
            datetime(2026, 3, 2, 17, 0, tzinfo=VN),
            id="seconds-across-closing-time",
        ),
        pytest.param(
            datetime(2026, 3, 11, 10, 0, tzinfo=VN),
            datetime(2026, 3, 6, 16, 0, tzinfo=VN),
            datetime(2026, 3, 9, 8, 0, tzinfo=VN),
            datetime(2026, 3, 11, 14, 0, tzinfo=VN),
            id="over-a-weekend-by-two-working-hours",
        ),
        pytest.param(
            datetime(2026, 1, 9, 16, 0, tzinfo=VN),
            datetime(2025, 12, 31, 16, 0, tzinfo=VN),
            datetime(2026, 1, 5, 8, 0, tzinfo=VN),
            datetime(2026, 1, 10, 8, 0, tzinfo=VN),
            id="over-new-year-2026-onto-the-make-up-saturday",
        ),
    ],
)
def test_a_pause_moves_the_due_date_by_its_working_time_only(new_year_2026, due, paused_from, paused_until, expected):
    # given
    calendar = working_calendar()

    # when
    shifted = calendar.shift_for_pause(due, paused_from, paused_until)

    # then
    assert shifted == expected
    paused = calendar.paused_working_time(paused_from, paused_until)
    assert calendar.working_time_between(due, shifted) == paused


# Years the package does not know or only estimates: refused, never counted as plain weekdays


def test_a_year_the_package_does_not_know_is_refused_with_a_reason(national):
    # given: the package has Vietnam's holidays up to 2100, nothing for 2101
    assert national_year(2100).known is True
    assert national_year(2101).known is False

    # when / then
    with pytest.raises(CalendarYearUnknown) as refused:
        national.add_working_days(datetime(2100, 12, 29, 10, 0, tzinfo=VN), 5)
    assert "2101" in str(refused.value)
    assert "chưa được xác định" in str(refused.value)
    with pytest.raises(CalendarYearUnknown):
        national.is_working_day(date(2101, 3, 1))


def test_an_estimated_year_is_refused(national, monkeypatch):
    # given: the package marks a holiday of 2099 as estimated ("dự kiến")
    national_year.cache_clear()
    real = national_year.__wrapped__(2099)
    estimated = {**real.holidays, date(2099, 1, 21): "Tết Nguyên Đán (dự kiến)"}
    monkeypatch.setattr(
        "workflows.calendar.holidays.Vietnam",
        lambda **kwargs: _FakeNational(estimated, real.working_days),
    )

    try:
        # when / then
        assert national_year(2099).known is False
        with pytest.raises(CalendarYearUnknown):
            national.is_working_day(date(2099, 6, 1))
    finally:
        national_year.cache_clear()


class _FakeNational(dict):
    def __init__(self, days, working_days):
        super().__init__(days)
        self.weekend_workdays = working_days


def test_a_confirmed_unknown_year_is_counted_from_its_overrides(db):
    # given: the admin entered 2101's New Year and confirmed the year by its letter
    CalendarOverride.objects.create(date=date(2101, 1, 3), kind=CalendarDayKind.DAY_OFF, reason="Tết Dương lịch 2101")
    CalendarYear.objects.create(year=2101, letter_number="1/VPCP-KGVX")

    # when
    calendar = working_calendar()

    # then: Thu 29/12/2100 10:00 + 3 days → Fri 30/12, Mon 2/1 (Sat 31/12, Sun 1/1), Wed 4/1 (Tue 3/1 off)
    assert calendar.add_working_days(datetime(2100, 12, 29, 10, 0, tzinfo=VN), 3) == datetime(
        2101, 1, 4, 10, 0, tzinfo=VN
    )


def test_the_year_page_selector_shows_the_effective_calendar(new_year_2026):
    # given
    CalendarOverride.objects.create(date=date(2026, 8, 22), kind=CalendarDayKind.DAY_OFF, reason="Không làm bù")

    # when
    page = calendar_year_get(year=2026)

    # then
    by_day = {entry.day: entry for entry in page.days}
    assert (by_day[date(2026, 1, 1)].working, by_day[date(2026, 1, 1)].source) == (False, "package")
    assert by_day[date(2026, 1, 1)].reason == "Tết Dương lịch"
    assert (by_day[date(2026, 1, 2)].working, by_day[date(2026, 1, 2)].source) == (False, "override")
    assert (by_day[date(2026, 1, 10)].working, by_day[date(2026, 1, 10)].source) == (True, "override")
    assert by_day[date(2026, 8, 22)].working is False
    assert by_day[date(2026, 8, 22)].overrides_package is True
    assert by_day[date(2026, 2, 17)].working is False
    assert page.package_knows is True
    assert page.confirmed is False
    assert [entry.day for entry in page.days] == sorted(by_day)


# The warning while the coming year is unconfirmed


def test_the_coming_year_warning_until_it_is_confirmed(db, settings):
    # given
    settings.CALENDAR_CONFIRM_WARNING_DAYS = 90

    # when / then: 7 Dec 2026, 2027 unconfirmed → warned
    warning = calendar_unconfirmed_warning(today=date(2026, 12, 7))
    assert "2027" in warning
    assert "chưa được xác nhận" in warning

    # when / then: in September, too early to warn
    assert calendar_unconfirmed_warning(today=date(2026, 9, 1)) == ""

    # when / then: confirmed → silent
    CalendarYear.objects.create(year=2027, letter_number="12345/VPCP-KGVX")
    assert calendar_unconfirmed_warning(today=date(2026, 12, 7)) == ""


def test_the_warning_says_when_the_coming_year_cannot_be_counted(db):
    # when
    warning = calendar_unconfirmed_warning(today=date(2100, 12, 1))

    # then
    assert "2101" in warning
    assert "không tính thời hạn" in warning


def test_confirming_a_year_is_seen_by_the_cached_calendar(db, django_assert_num_queries):
    # given
    calendar_cache_clear()
    assert working_calendar().year_confirmed(2027) is False

    # when
    CalendarYear.objects.create(year=2027, letter_number="12345/VPCP-KGVX")

    # then
    assert working_calendar().year_confirmed(2027) is True
    with django_assert_num_queries(1):
        working_calendar()


# Explained deadlines (issue 20): the engine's own trace, matching the due date exactly


def _explained(calendar, received, *, days=None, same_day=False, pauses=()):
    limits = {
        "time_limit_value": Decimal(days or 0),
        "time_limit_unit": TimeLimitUnit.DAY,
        "same_day_rule": same_day,
    }
    explanation = calendar.explain_due(received, pauses=pauses, **limits)
    due = calendar.due_at(received, **limits)
    for paused_from, paused_until in pauses:
        due = calendar.shift_for_pause(due, paused_from, paused_until)
    assert explanation.due_at == due  # the explanation's date is the engine's date
    assert explanation.steps[-1].at == due
    return explanation, [step.text for step in explanation.steps], [step.kind for step in explanation.steps]


def test_explaining_a_limit_across_tet_2026(national):
    # when: Fri 13/02/2026 16:00 + 3 working days; Tết 16–20/02 and two weekends in between
    explanation, lines, kinds = _explained(national, datetime(2026, 2, 13, 16, 0, tzinfo=VN), days=3)

    # then
    assert explanation.due_at == datetime(2026, 2, 25, 16, 0, tzinfo=VN)
    assert lines[0] == "Tiếp nhận hồ sơ lúc 16:00 thứ Sáu 13/02/2026."
    assert "Thời hạn giải quyết: 3 ngày làm việc (24 giờ làm việc)." in lines
    assert "Bỏ qua thứ Ba 17/02/2026: Tết Nguyên Đán." in lines
    assert kinds.count("holiday") == 5
    assert "Bỏ qua 4 ngày thứ Bảy, Chủ nhật: 14/02, 15/02, 21/02, 22/02." in lines
    assert lines[-1] == "Hẹn trả kết quả: 16:00 thứ Tư 25/02/2026."


def test_explaining_the_new_year_swap_and_its_make_up_saturday(new_year_2026):
    # given
    calendar = working_calendar()

    # when: received after hours on 31/12/2025, 6 working days
    explanation, lines, kinds = _explained(calendar, datetime(2025, 12, 31, 18, 0, tzinfo=VN), days=6)

    # then: counted from Mon 5/1 07:00; 1/1 and 2/1 skipped; Sat 10/1 counted
    assert explanation.due_at == datetime(2026, 1, 10, 17, 0, tzinfo=VN)
    assert "Tiếp nhận ngoài giờ làm việc: thời hạn bắt đầu tính từ 07:00 thứ Hai 05/01/2026." in lines
    assert "Bỏ qua thứ Năm 01/01/2026: Tết Dương lịch." in lines
    assert any(line.startswith("Bỏ qua thứ Sáu 02/01/2026: Nghỉ Tết Dương lịch 2026") for line in lines)
    assert any(line.startswith("thứ Bảy 10/01/2026 là ngày làm bù") for line in lines)
    assert "make_up_day" in kinds


def test_explaining_the_15_00_rule(national):
    # when
    at_15, lines_at_15, _kinds = _explained(national, datetime(2026, 3, 2, 15, 0, tzinfo=VN), same_day=True)
    after, lines_after, _kinds = _explained(national, datetime(2026, 3, 6, 15, 1, tzinfo=VN), same_day=True)

    # then
    assert at_15.due_at == datetime(2026, 3, 2, 17, 0, tzinfo=VN)
    assert "Thủ tục giải quyết trong ngày: tiếp nhận không sau 15:00 nên trả kết quả trong ngày." in lines_at_15
    assert after.due_at == datetime(2026, 3, 9, 17, 0, tzinfo=VN)
    assert "Thủ tục giải quyết trong ngày: tiếp nhận sau 15:00 nên trả vào ngày làm việc tiếp theo." in lines_after
    assert "Bỏ qua 2 ngày thứ Bảy, Chủ nhật: 07/03, 08/03." in lines_after


def test_explaining_pauses(national):
    # given: received Mon 2/3 10:00, 5 days → Mon 9/3 10:00; a 30-second pause, then Fri 16:00 → Mon 8:00
    pauses = [
        (datetime(2026, 3, 3, 10, 0, tzinfo=VN), datetime(2026, 3, 3, 10, 0, 30, tzinfo=VN)),
        (datetime(2026, 3, 6, 16, 0, tzinfo=VN), datetime(2026, 3, 9, 8, 0, tzinfo=VN)),
        (datetime(2026, 3, 10, 9, 0, tzinfo=VN), None),
    ]

    # when
    explanation, lines, kinds = _explained(national, datetime(2026, 3, 2, 10, 0, tzinfo=VN), days=5, pauses=pauses[:2])
    with_open, open_lines, open_kinds = _explained(national, datetime(2026, 3, 2, 10, 0, tzinfo=VN), days=5)
    still_open = national.explain_due(
        datetime(2026, 3, 2, 10, 0, tzinfo=VN), time_limit_value=Decimal(5), time_limit_unit=TimeLimitUnit.DAY,
        same_day_rule=False, pauses=pauses,
    )  # fmt: skip

    # then
    assert explanation.due_at == datetime(2026, 3, 9, 14, 0, tzinfo=VN)
    assert kinds.count("pause") == 2
    assert (
        "Tạm dừng chờ bổ sung từ 10:00 thứ Ba 03/03/2026 đến 10:00:30 thứ Ba 03/03/2026: dưới một phút làm việc "
        "(ngoài giờ, ngày nghỉ không tính), hạn giữ nguyên 10:00 thứ Hai 09/03/2026."
    ) in lines
    assert (
        "Tạm dừng chờ bổ sung từ 16:00 thứ Sáu 06/03/2026 đến 08:00 thứ Hai 09/03/2026: 2 giờ làm việc "
        "(ngoài giờ, ngày nghỉ không tính), hạn lùi từ 10:00 thứ Hai 09/03/2026 đến 14:00 thứ Hai 09/03/2026."
    ) in lines
    assert [step.kind for step in still_open.steps].count("pause_open") == 1
    assert still_open.due_at == explanation.due_at
    assert with_open.due_at == datetime(2026, 3, 9, 10, 0, tzinfo=VN)
