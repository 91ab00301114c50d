from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from django.conf import settings
from django.db.models import Count, Max

from common.constants import VersionState
from procedures.models import Procedure

from .calendar import OfficeHours, WorkingCalendar, same_day_cutoff_from_settings
from .constants import CalendarDayKind
from .models import CalendarOverride, WorkflowVersion

# (version, calendar) of the last build in this process. One tuple, replaced in a single
# assignment, so threads never see a version paired with another version's calendar.
_cached: tuple[Hashable, WorkingCalendar] | None = None


def _calendar_version() -> Hashable:
    """What the calendar is built from: the settings and a fingerprint of the override rows.

    Any save through the ORM moves `updated_at` (auto_now) and so the maximum; a delete changes
    the count. One aggregate query, answered from the table's few rows.
    """
    rows = CalendarOverride.objects.aggregate(last_update=Max("updated_at"), count=Count("id"))
    return (
        getattr(settings, "OFFICE_HOURS", None),
        getattr(settings, "SAME_DAY_CUTOFF", None),
        rows["last_update"],
        rows["count"],
    )


def working_calendar() -> WorkingCalendar:
    """The province's working calendar: settings' office hours plus every `CalendarOverride` row.

    Cached per process and checked against the overrides' version on every call (one aggregate
    query), so a change made in any process (the admin, a shell, another worker) is seen by the
    next call everywhere. Rebuilding reads the version first and the rows second: a change in
    between is then cached under the older version and rebuilt on the next call, never the
    other way round.
    """
    global _cached
    version = _calendar_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    days_off: set[date] = set()
    working_days: set[date] = set()
    for day, kind in CalendarOverride.objects.values_list("date", "kind"):
        (working_days if kind == CalendarDayKind.WORKING_DAY else days_off).add(day)
    calendar = WorkingCalendar(
        OfficeHours.from_settings(),
        days_off=frozenset(days_off),
        working_days=frozenset(working_days),
        same_day_cutoff=same_day_cutoff_from_settings(),
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
