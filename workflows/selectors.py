from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from common.constants import VersionState
from procedures.models import Procedure

from .calendar import (
    CalendarDay,
    OfficeHours,
    WorkingCalendar,
    national_year,
    receipt_before_opening_from_settings,
    same_day_cutoff_from_settings,
)
from .constants import CalendarDayKind
from .models import CalendarOverride, CalendarYear, WorkflowVersion

# (version, calendar) of the last build in this process. One tuple, replaced in a single
# assignment, so threads never see a version paired with another version's calendar.
_cached: tuple[Hashable, WorkingCalendar] | None = None


def _calendar_version() -> Hashable:
    """What the calendar is built from: the settings and a fingerprint of the override and year rows.

    Any save through the ORM moves `updated_at` (auto_now) and so the maximum; a delete changes
    the count. One query of four scalar subqueries, answered from the tables' few rows.
    """
    overrides, years = CalendarOverride._meta.db_table, CalendarYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(updated_at) FROM {overrides}), (SELECT COUNT(*) FROM {overrides}), "  # noqa: S608 - our table names
            f"(SELECT MAX(updated_at) FROM {years}), (SELECT COUNT(*) FROM {years})"
        )
        rows = cursor.fetchone()
    return (
        getattr(settings, "OFFICE_HOURS", None),
        getattr(settings, "SAME_DAY_CUTOFF", None),
        getattr(settings, "RECEIPT_BEFORE_OPENING", None),
        tuple(rows),
    )


def working_calendar() -> WorkingCalendar:
    """The province's working calendar: settings' office hours, every `CalendarOverride` row and
    the years confirmed by `CalendarYear` rows.

    Cached per process and checked against the rows' version on every call (one query), so a
    change made in any process (the admin, a shell, another worker) is seen by the next call
    everywhere. Rebuilding reads the version first and the rows second: a change in between is
    then cached under the older version and rebuilt on the next call, never the other way round.
    """
    global _cached
    version = _calendar_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    days_off: set[date] = set()
    working_days: set[date] = set()
    reasons: dict[date, str] = {}
    for day, kind, reason in CalendarOverride.objects.values_list("date", "kind", "reason"):
        (working_days if kind == CalendarDayKind.WORKING_DAY else days_off).add(day)
        reasons[day] = reason
    calendar = WorkingCalendar(
        OfficeHours.from_settings(),
        days_off=frozenset(days_off),
        working_days=frozenset(working_days),
        same_day_cutoff=same_day_cutoff_from_settings(),
        confirmed_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        receipt_before_opening=receipt_before_opening_from_settings(),
        reasons=reasons,
    )
    _cached = (version, calendar)
    return calendar


def calendar_cache_clear() -> None:
    """Forget this process's calendar; the next `working_calendar()` rebuilds it."""
    global _cached
    _cached = None


def workflow_version_current(*, procedure: Procedure) -> WorkflowVersion | None:
    """The version new dossiers of `procedure` start with: its highest-numbered published one, or None."""
    return (
        WorkflowVersion.objects.filter(workflow__procedure=procedure, state=VersionState.PUBLISHED)
        .select_related("workflow")
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class YearCalendar:
    """A year page: the effective calendar of one year and how sure it is."""

    year: int
    days: list[CalendarDay]
    confirmation: CalendarYear | None
    package_knows: bool

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None

    @property
    def countable(self) -> bool:
        """Due dates may run through this year (confirmed, or known to the package)."""
        return self.confirmed or self.package_knows


def calendar_year_get(*, year: int) -> YearCalendar:
    """The effective calendar of `year`: package holidays and make-up days, the province's overrides."""
    calendar = working_calendar()
    confirmation = CalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
    return YearCalendar(
        year=year,
        days=calendar.year_days(year),
        confirmation=confirmation,
        package_knows=national_year(year).known,
    )


def calendar_year_list() -> list[CalendarYear]:
    return list(CalendarYear.objects.select_related("confirmed_by").order_by("-year"))


def calendar_unconfirmed_warning(*, calendar: WorkingCalendar | None = None, today: date | None = None) -> str:
    """The warning shown on officer queues and the console while the coming year is unconfirmed.

    From CALENDAR_CONFIRM_WARNING_DAYS days before 1 January (90 by default) until the coming
    year is confirmed, and always while the current year is unknown to the package and
    unconfirmed; "" when there is nothing to say. Pass the calendar already in hand (no query).
    """
    calendar = calendar or working_calendar()
    today = today or timezone.localdate()
    if not calendar.year_known(today.year):
        return _(
            "Lịch nghỉ lễ, làm bù năm %(year)s chưa được xác định: hệ thống không tính được thời hạn giải quyết "
            "cho đến khi quản trị xác nhận lịch năm theo văn bản."
        ) % {"year": today.year}
    coming = today.year + 1
    days_before = (date(coming, 1, 1) - today).days
    if calendar.year_confirmed(coming) or days_before > settings.CALENDAR_CONFIRM_WARNING_DAYS:
        return ""
    if calendar.year_known(coming):
        return _(
            "Lịch nghỉ lễ, làm bù năm %(year)s chưa được xác nhận theo văn bản: thời hạn rơi vào năm %(year)s "
            "đang tính theo lịch dự kiến và có thể thay đổi."
        ) % {"year": coming}
    return _(
        "Lịch nghỉ lễ, làm bù năm %(year)s chưa được xác định: hệ thống sẽ không tính thời hạn rơi vào năm "
        "%(year)s cho đến khi quản trị xác nhận lịch năm."
    ) % {"year": coming}
