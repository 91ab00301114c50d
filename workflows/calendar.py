"""The working-day calendar: office hours, working days and due dates.

Pure: no ORM here. `workflows.selectors.working_calendar()` builds a `WorkingCalendar` from the
settings and the province's `CalendarOverride` rows.

Conventions used by every method:

- Moments are aware datetimes; they are converted to local time (Asia/Ho_Chi_Minh) and every
  result is returned in local time. A naive datetime is a programming error (`ValueError`).
- A working day is a date that is not Saturday, Sunday or a public holiday (the `holidays`
  package), or a decreed make-up working Saturday; the province's overrides win over both.
- Office hours are half-open sessions `[start, end)`: 11:30 and 17:00 are outside hours, so a
  dossier received exactly at 17:00 counts from the next working morning.
- Adding working time that ends exactly at the end of a session returns the session end
  (a 1-working-day limit from 07:00 is due at 17:00 the same day, not at 07:00 the next day).
- A year is computed only when its holidays are known: confirmed by an admin (the year's
  official letter), or given by the `holidays` package without estimating. Any other year
  raises `CalendarYearUnknown` (a `DomainError` with a Vietnamese message) instead of
  counting every weekday of it as a working day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from procedures.constants import TimeLimitUnit

from .exceptions import CalendarYearUnknown

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OFFICE_HOURS = "07:00-11:30,13:30-17:00"
DEFAULT_SAME_DAY_CUTOFF = "15:00"
# How a receipt before opening time on a working day is counted (settings.RECEIPT_BEFORE_OPENING).
# "same_day" (the hours model): the clock starts at that day's opening, 06:30 → 07:00.
# "next_day" (Civil Code 2015, art. 147: a time limit in days starts on the day after the event):
# the clock starts at the next working day's opening, as for a receipt after closing time.
RECEIPT_SAME_DAY = "same_day"
RECEIPT_NEXT_DAY = "next_day"
RECEIPT_BEFORE_OPENING_CHOICES = (RECEIPT_SAME_DAY, RECEIPT_NEXT_DAY)
# Pauses are counted in whole minutes of working time: appointments are given and printed to the
# minute, so a supplement answered within seconds does not move the appointment at all.
PAUSE_GRANULARITY = timedelta(minutes=1)
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


def parse_clock_time(text: str) -> time:
    """Parse "HH:MM" (24-hour clock) into a `time`; raise `ValueError` on anything else."""
    hours, separator, minutes = text.strip().partition(":")
    if not separator or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        raise ValueError(f"giờ không hợp lệ: {text!r} (định dạng HH:MM)")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class Session:
    """One office-hours session on a working day, `[start, end)` in local time."""

    start: time
    end: time

    @property
    def duration(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The sessions of a working day, e.g. 07:00–11:30 and 13:30–17:00 (8 h = 1 working day)."""

    sessions: tuple[Session, ...]

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("giờ làm việc phải có ít nhất một buổi")
        for session in self.sessions:
            if session.start >= session.end:
                raise ValueError(
                    f"buổi làm việc {session.start:%H:%M}-{session.end:%H:%M} phải kết thúc sau khi bắt đầu"
                )
        for earlier, later in zip(self.sessions, self.sessions[1:], strict=False):
            # Touching sessions (11:30-11:30) are refused too: write them as one session.
            if earlier.end >= later.start:
                raise ValueError(
                    f"các buổi làm việc phải theo thứ tự và không chồng lên nhau: "
                    f"{earlier.start:%H:%M}-{earlier.end:%H:%M}, {later.start:%H:%M}-{later.end:%H:%M}"
                )

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse "07:00-11:30,13:30-17:00"; raise `ValueError` if malformed, unordered or overlapping."""
        sessions = []
        for part in text.split(","):
            start, separator, end = part.partition("-")
            if not separator:
                raise ValueError(f"buổi làm việc không hợp lệ: {part!r} (định dạng HH:MM-HH:MM)")
            sessions.append(Session(parse_clock_time(start), parse_clock_time(end)))
        return cls(tuple(sessions))

    @classmethod
    def from_settings(cls) -> OfficeHours:
        """`settings.OFFICE_HOURS` (default 07:00-11:30,13:30-17:00); `ImproperlyConfigured` if invalid."""
        text = getattr(settings, "OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
        try:
            return cls.parse(text)
        except ValueError as error:
            raise ImproperlyConfigured(f"OFFICE_HOURS: {error}") from error

    @property
    def day_length(self) -> timedelta:
        """The working time in one working day: the sum of the sessions (8 h by default)."""
        return sum((session.duration for session in self.sessions), _ZERO)

    @property
    def opens(self) -> time:
        return self.sessions[0].start

    @property
    def closes(self) -> time:
        return self.sessions[-1].end


def same_day_cutoff_from_settings() -> time:
    """`settings.SAME_DAY_CUTOFF` (default 15:00); `ImproperlyConfigured` if invalid."""
    text = getattr(settings, "SAME_DAY_CUTOFF", DEFAULT_SAME_DAY_CUTOFF)
    try:
        return parse_clock_time(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"SAME_DAY_CUTOFF: {error}") from error


def receipt_before_opening_from_settings() -> str:
    """`settings.RECEIPT_BEFORE_OPENING` ("same_day" by default, or "next_day"); `ImproperlyConfigured` otherwise."""
    value = getattr(settings, "RECEIPT_BEFORE_OPENING", RECEIPT_SAME_DAY)
    if value not in RECEIPT_BEFORE_OPENING_CHOICES:
        raise ImproperlyConfigured(
            f"RECEIPT_BEFORE_OPENING: {value!r} không hợp lệ (một trong {', '.join(RECEIPT_BEFORE_OPENING_CHOICES)})"
        )
    return str(value)


@dataclass(frozen=True, slots=True)
class NationalYear:
    """What the `holidays` package says of one year: its holidays (with names) and make-up days.

    `known` is False when the package has no holiday for the year (beyond its tables) or
    marks any of them as estimated ("dự kiến"): such a year is never counted on its own.
    """

    holidays: dict[date, str]
    working_days: frozenset[date]
    known: bool

    @property
    def days_off(self) -> frozenset[date]:
        return frozenset(self.holidays)


@functools.lru_cache(maxsize=256)
def national_year(year: int) -> NationalYear:
    """The `holidays` package's view of one year (Vietnamese names).

    Cached: the package's data is fixed for a process, and building a year costs about a millisecond.
    """
    national = holidays.Vietnam(years=year, language="vi")
    named = {day: str(name) for day, name in national.items() if day.year == year}
    estimated = any("dự kiến" in name for name in named.values())
    working_days = frozenset(day for day in national.weekend_workdays if day.year == year)
    return NationalYear(holidays=named, working_days=working_days, known=bool(named) and not estimated)


def _national_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, decreed make-up working days) of one year, from the `holidays` package."""
    national = national_year(year)
    return national.days_off, national.working_days


@dataclass(frozen=True, slots=True)
class DueStep:
    """One line of a due date's explanation: what rule applied, in plain Vietnamese."""

    kind: str  # received | office_hours | start | limit | same_day | holiday | weekend | make_up_day | first_due | pause | pause_open | due
    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DueExplanation:
    steps: tuple[DueStep, ...]
    due_at: datetime


_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _day_text(day: date) -> str:
    return f"{_(_WEEKDAYS[day.weekday()])} {day:%d/%m/%Y}"


def _moment_text(moment: datetime) -> str:
    clock = f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"
    return f"{clock} {_day_text(moment.date())}"


def _number_text(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def _hours_text(span: timedelta) -> str:
    return _number_text(Decimal(span // timedelta(seconds=1)) / 3600)


def _duration_text(span: timedelta) -> str:
    minutes = span // timedelta(minutes=1)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)s giờ %(m)s phút") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)s giờ") % {"h": hours}
    return _("%(m)s phút") % {"m": minutes}


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day of a year page that is not an ordinary weekday or weekend day, and why."""

    day: date
    working: bool
    source: str  # "package" | "override"
    reason: str
    overrides_package: bool = False


class WorkingCalendar:
    """Working days and office hours, and the due-date arithmetic built on them.

    `days_off` and `working_days` are the province's overrides; they win over the national
    calendar (`holidays.Vietnam` and its decreed make-up working Saturdays). Immutable and
    thread-safe, so one instance can be shared by a whole process.
    """

    def __init__(
        self,
        office_hours: OfficeHours,
        days_off: frozenset[date] = frozenset(),
        working_days: frozenset[date] = frozenset(),
        tz: ZoneInfo = LOCAL_TZ,
        *,
        same_day_cutoff: time = time(15, 0),
        confirmed_years: frozenset[int] = frozenset(),
        receipt_before_opening: str = RECEIPT_SAME_DAY,
        reasons: Mapping[date, str] | None = None,
    ) -> None:
        both = days_off & working_days
        if both:
            raise ValueError(f"một ngày không thể vừa nghỉ vừa làm việc: {sorted(both)}")
        if not office_hours.opens < same_day_cutoff <= office_hours.closes:
            raise ValueError(f"giờ chốt trong ngày {same_day_cutoff:%H:%M} phải nằm trong giờ làm việc")
        if receipt_before_opening not in RECEIPT_BEFORE_OPENING_CHOICES:
            raise ValueError(f"cách tính hồ sơ nhận trước giờ làm việc không hợp lệ: {receipt_before_opening!r}")
        self.confirmed_years = confirmed_years
        self.reasons = dict(reasons or {})  # each override's reason (letter, decision), for explanations
        self.receipt_before_opening = receipt_before_opening
        self.office_hours = office_hours
        self.days_off = days_off
        self.working_days = working_days
        self.tz = tz
        self.same_day_cutoff = same_day_cutoff
        self._day_length = office_hours.day_length

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({self.office_hours!r}, days_off={len(self.days_off)}, "
            f"working_days={len(self.working_days)}, tz={self.tz.key!r})"
        )

    # Years

    def year_known(self, year: int) -> bool:
        """Confirmed by an admin, or given by the package without estimates."""
        return year in self.confirmed_years or national_year(year).known

    def year_confirmed(self, year: int) -> bool:
        return year in self.confirmed_years

    def require_year(self, year: int) -> None:
        """`CalendarYearUnknown` unless the year can be counted (see `year_known`)."""
        if not self.year_known(year):
            raise CalendarYearUnknown(year=year)

    def year_days(self, year: int, reasons: Mapping[date, str] | None = None) -> list[CalendarDay]:
        """The effective calendar of a year: every holiday, day off and make-up working day, by date.

        The package's days and the province's overrides together (`reasons`: each override's
        reason, by date); an override is listed once, in place of the package's day, with
        `overrides_package` set when it changes what the day would otherwise be.
        """
        national = national_year(year)
        days: dict[date, CalendarDay] = {}
        for day, name in national.holidays.items():
            days[day] = CalendarDay(day, working=False, source="package", reason=name)
        for day in national.working_days:
            days[day] = CalendarDay(day, working=True, source="package", reason="Ngày làm bù theo quyết định")
        for day in sorted(self.days_off | self.working_days):
            if day.year != year:
                continue
            working = day in self.working_days
            before = days.get(day)
            changes = before is not None or working == (day.weekday() < 5)
            reason = (reasons if reasons is not None else self.reasons).get(day, "")
            days[day] = CalendarDay(day, working=working, source="override", reason=reason, overrides_package=changes)
        return [days[day] for day in sorted(days)]

    # Days

    def is_working_day(self, day: date) -> bool:
        """Province overrides first, then decreed make-up days and public holidays, then the weekend.

        Raises `CalendarYearUnknown` for a day of a year that cannot be counted (`year_known`).
        """
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        self.require_year(day.year)
        national_days_off, national_working_days = _national_calendar(day.year)
        if day in national_working_days:
            return True
        if day in national_days_off:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def end_of_working_day(self, day: date) -> datetime:
        """The end of the last session of `day` (17:00 by default), in local time."""
        return self._at(day, self.office_hours.closes)

    # Moments

    def start_of_work(self, moment: datetime) -> datetime:
        """When the clock starts for something that arrives at `moment`.

        `moment` itself if it is inside a session of a working day; otherwise the start of the
        next session (12:00 → 13:30; 17:00 or 17:01 → the next working day's 07:00; a Saturday →
        Monday 07:00, or that Saturday's 07:00 if it is a make-up working day). Before opening
        time on a working day (06:30): that day's 07:00 under the hours model
        (`receipt_before_opening="same_day"`), the next working day's 07:00 as the Civil Code
        counts (`"next_day"`).
        """
        local = self._local(moment)
        day = local.date()
        if self.is_working_day(day):
            for index, (start, end) in enumerate(self._sessions(day)):
                if local < start:
                    if index == 0 and self.receipt_before_opening == RECEIPT_NEXT_DAY:
                        break  # before opening time, counted from the next day (Civil Code, art. 147)
                    return start
                if local < end:
                    return local
        return self._at(self.next_working_day(day), self.office_hours.opens)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """`duration` of office-hours time counted from `start_of_work(start)`.

        A result exactly at the end of a session is that session's end (17:00), not the start
        of the next one. A zero duration gives `start_of_work(start)`. Steps by sessions, then
        by whole days, so a 60-working-day limit costs about 90 set look-ups.
        """
        if duration < _ZERO:
            raise ValueError("thời gian làm việc cộng thêm không được âm")
        current = self.start_of_work(start)
        remaining = duration
        day = current.date()
        # The first (possibly partial) day: start_of_work always lands on a working day.
        for session_start, session_end in self._sessions(day):
            if session_end <= current:
                continue
            begin = max(current, session_start)
            available = session_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        # Whole days, then the sessions of the last day.
        day = self.next_working_day(day)
        while remaining > self._day_length:
            remaining -= self._day_length
            day = self.next_working_day(day)
        for session_start, session_end in self._sessions(day):
            available = session_end - session_start
            if remaining <= available:
                return session_start + remaining
            remaining -= available
        raise AssertionError("unreachable: the remaining time fits in one working day")  # pragma: no cover

    def add_working_days(self, start: datetime, days: Decimal | int) -> datetime:
        """`add_working_time(start, days × working-day length)`; 0.5 day = 4 h by default."""
        return self.add_working_time(start, self._scale(self._day_length, days))

    def add_working_hours(self, start: datetime, hours: Decimal | int) -> datetime:
        """`add_working_time(start, hours)`."""
        return self.add_working_time(start, self._scale(timedelta(hours=1), hours))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office-hours time between two moments; zero if `end <= start`."""
        if end <= start:
            return _ZERO
        local_start, local_end = self._local(start), self._local(end)
        first_day, last_day = local_start.date(), local_end.date()
        total = _ZERO
        for day in self._days(first_day, last_day):
            if not self.is_working_day(day):
                continue
            if first_day < day < last_day:
                total += self._day_length
                continue
            for session_start, session_end in self._sessions(day):
                overlap = min(session_end, local_end) - max(session_start, local_start)
                if overlap > _ZERO:
                    total += overlap
        return total

    # Due dates

    def same_day_due(self, received_at: datetime) -> datetime:
        """The due date under the same-day rule (civil status, certification).

        With `s = start_of_work(received_at)`:

        - received on a working day up to the cutoff (15:00, compared to the minute: 15:00:59 is
          still "15:00", which is not "after 15:00"), including at lunch and, under the hours
          model, before opening time → the end of that day (17:00);
        - `s` falls on a later day than the receipt (received after closing time, or on a day
          off) → the end of `s`'s day: received Saturday → Monday 17:00;
        - otherwise (received at or after the cutoff, still within that working day) → the end
          of the next working day: received Monday 15:00 → Tuesday 17:00.
        """
        received = self._local(received_at)
        start = self.start_of_work(received)
        if start.date() > received.date():
            return self.end_of_working_day(start.date())
        if received.time().replace(second=0, microsecond=0) <= self.same_day_cutoff:
            return self.end_of_working_day(received.date())
        return self.end_of_working_day(self.next_working_day(received.date()))

    def due_at(
        self,
        received_at: datetime,
        *,
        time_limit_value: Decimal,
        time_limit_unit: str,
        same_day_rule: bool,
        online_time_limit_value: Decimal | None = None,
        online: bool = False,
    ) -> datetime:
        """The due date (ngày hẹn trả) of a dossier received at `received_at`.

        `same_day_rule` → `same_day_due`. Otherwise the limit in working days or working hours
        (`TimeLimitUnit`), counted from `start_of_work(received_at)`. An online dossier gets the
        online limit when one is set and it is shorter: the policy rewards online submission, so
        a longer online limit (a data-entry mistake) never makes an online dossier later.
        """
        if same_day_rule:
            return self.same_day_due(received_at)
        value = time_limit_value
        if online and online_time_limit_value is not None:
            value = min(value, online_time_limit_value)
        if time_limit_unit == TimeLimitUnit.DAY:
            return self.add_working_days(received_at, value)
        if time_limit_unit == TimeLimitUnit.HOUR:
            return self.add_working_hours(received_at, value)
        raise ValueError(f"đơn vị thời hạn không hợp lệ: {time_limit_unit!r}")

    def shift_for_pause(self, due_at: datetime, paused_from: datetime, paused_until: datetime) -> datetime:
        """The due date after a pause (supplement request, stop): later by the working time paused, no more.

        The working time inside the pause, in whole minutes (rounded down: appointments are given
        and printed to the minute), added to `due_at` with `add_working_time`. A pause with less
        than a minute of working time in it (a supplement answered within seconds, a weekend)
        leaves the due date exactly as it was: a 17:00 appointment stays 17:00 that day and never
        becomes 07:00 the next morning. Night, weekends and holidays inside the pause count for
        nothing; an hour paused moves 17:00 to 08:00 the next working day.
        """
        paused = self.paused_working_time(paused_from, paused_until)
        if paused == _ZERO:
            return self._local(due_at)
        return self.add_working_time(due_at, paused)

    def paused_working_time(self, paused_from: datetime, paused_until: datetime) -> timedelta:
        """The working time a pause shifts a due date by: `working_time_between`, in whole minutes."""
        paused = self.working_time_between(paused_from, paused_until)
        return paused - paused % PAUSE_GRANULARITY

    # Explanations (issue 20: "explained deadlines")

    def explain_due(
        self,
        received_at: datetime,
        *,
        time_limit_value: Decimal,
        time_limit_unit: str,
        same_day_rule: bool,
        online_time_limit_value: Decimal | None = None,
        online: bool = False,
        pauses: Sequence[tuple[datetime, datetime | None]] = (),
    ) -> DueExplanation:
        """The due date rule by rule: receipt, office hours, the start of the clock, the limit or the
        15:00 rule, each holiday, weekend and make-up day the count ran through, each pause.

        Computed with the very methods that set due dates (`due_at`, `shift_for_pause`), so its
        `due_at` is the due date these inputs give; `pauses` are (start, end) in order, end None
        while a pause is still open (it has not moved the due date yet).
        """
        received = self._local(received_at)
        steps = [
            DueStep("received", _("Tiếp nhận hồ sơ lúc %(at)s.") % {"at": _moment_text(received)}),
            DueStep(
                "office_hours",
                _("Giờ làm việc: %(sessions)s; %(hours)s giờ làm việc là một ngày làm việc.")
                % {
                    "sessions": ", ".join(f"{s.start:%H:%M}–{s.end:%H:%M}" for s in self.office_hours.sessions),
                    "hours": _hours_text(self._day_length),
                },
            ),
        ]
        start = self.start_of_work(received)
        due = self.due_at(
            received,
            time_limit_value=time_limit_value,
            time_limit_unit=time_limit_unit,
            same_day_rule=same_day_rule,
            online_time_limit_value=online_time_limit_value,
            online=online,
        )
        if same_day_rule:
            steps.append(self._explain_same_day(received, start))
        else:
            if start != received:
                steps.append(self._explain_start(received, start))
            steps.append(self._explain_limit(time_limit_value, time_limit_unit, online_time_limit_value, online=online))
        steps.extend(self._explain_days(received.date(), due.date()))
        steps.append(DueStep("first_due", _("Hạn giải quyết tính được: %(at)s.") % {"at": _moment_text(due)}, due))
        for paused_from, paused_until in pauses:
            if paused_until is None:
                steps.append(
                    DueStep(
                        "pause_open",
                        _(
                            "Tạm dừng chờ bổ sung từ %(start)s: khi hồ sơ được bổ sung, hạn lùi đúng bằng thời gian "
                            "làm việc đã tạm dừng."
                        )
                        % {"start": _moment_text(self._local(paused_from))},
                    )
                )
                continue
            paused = self.paused_working_time(paused_from, paused_until)
            shifted = self.shift_for_pause(due, paused_from, paused_until)
            values = {
                "start": _moment_text(self._local(paused_from)),
                "end": _moment_text(self._local(paused_until)),
                "paused": _duration_text(paused),
                "before": _moment_text(due),
                "after": _moment_text(shifted),
            }
            if paused == _ZERO:
                text = _(
                    "Tạm dừng chờ bổ sung từ %(start)s đến %(end)s: dưới một phút làm việc (ngoài giờ, ngày nghỉ "
                    "không tính), hạn giữ nguyên %(before)s."
                )
            else:
                text = _(
                    "Tạm dừng chờ bổ sung từ %(start)s đến %(end)s: %(paused)s làm việc (ngoài giờ, ngày nghỉ không "
                    "tính), hạn lùi từ %(before)s đến %(after)s."
                )
            steps.append(DueStep("pause", text % values, shifted))
            steps.extend(self._explain_days(due.date(), shifted.date()))
            due = shifted
        steps.append(DueStep("due", _("Hẹn trả kết quả: %(at)s.") % {"at": _moment_text(due)}, due))
        return DueExplanation(steps=tuple(steps), due_at=due)

    def _explain_same_day(self, received: datetime, start: datetime) -> DueStep:
        values = {"cutoff": f"{self.same_day_cutoff:%H:%M}", "start": _moment_text(start)}
        if start.date() > received.date():
            text = _(
                "Thủ tục giải quyết trong ngày; hồ sơ nhận ngoài giờ làm việc hoặc ngày nghỉ được tính từ "
                "%(start)s, trả trong ngày đó."
            )
        elif received.time().replace(second=0, microsecond=0) <= self.same_day_cutoff:
            text = _("Thủ tục giải quyết trong ngày: tiếp nhận không sau %(cutoff)s nên trả kết quả trong ngày.")
        else:
            text = _("Thủ tục giải quyết trong ngày: tiếp nhận sau %(cutoff)s nên trả vào ngày làm việc tiếp theo.")
        return DueStep("same_day", text % values)

    def _explain_start(self, received: datetime, start: datetime) -> DueStep:
        values = {"start": _moment_text(start)}
        before_opening = self.is_working_day(received.date()) and received.time() < self.office_hours.opens
        if before_opening and self.receipt_before_opening == RECEIPT_NEXT_DAY:
            text = _(
                "Tiếp nhận trước giờ làm việc: theo cách tính của Bộ luật Dân sự (thời hạn tính từ ngày tiếp theo), "
                "thời hạn bắt đầu từ %(start)s."
            )
        else:
            text = _("Tiếp nhận ngoài giờ làm việc: thời hạn bắt đầu tính từ %(start)s.")
        return DueStep("start", text % values, start)

    def _explain_limit(self, value: Decimal, unit: str, online_value: Decimal | None, *, online: bool) -> DueStep:
        used = min(value, online_value) if online and online_value is not None else value
        if unit == TimeLimitUnit.DAY:
            text = _("Thời hạn giải quyết: %(n)s ngày làm việc (%(hours)s giờ làm việc).") % {
                "n": _number_text(used),
                "hours": _hours_text(self._scale(self._day_length, used)),
            }
        else:
            text = _("Thời hạn giải quyết: %(n)s giờ làm việc.") % {"n": _number_text(used)}
        if used != value:
            text += " " + _("Áp dụng thời hạn rút ngắn cho hồ sơ nộp trực tuyến (thời hạn chung %(n)s).") % {
                "n": _number_text(value)
            }
        return DueStep("limit", text)

    def _explain_days(self, first: date, last: date) -> list[DueStep]:
        """Each day after `first` up to `last` that the count skipped or counted against the weekday rule."""
        steps: list[DueStep] = []
        weekend: list[date] = []
        for day in self._days(first + _ONE_DAY, last):
            working = self.is_working_day(day)
            weekday = day.weekday() < 5
            if working and weekday:
                continue
            name = self._day_reason(day)
            if working:
                steps.append(
                    DueStep(
                        "make_up_day",
                        _("%(day)s là ngày làm bù (%(name)s): được tính.") % {"day": _day_text(day), "name": name},
                    )  # fmt: skip
                )
            elif name or weekday:
                values = {"day": _day_text(day), "name": name or _("ngày nghỉ")}
                steps.append(DueStep("holiday", _("Bỏ qua %(day)s: %(name)s.") % values))
            else:
                weekend.append(day)
        if weekend:
            steps.append(
                DueStep(
                    "weekend",
                    _("Bỏ qua %(n)s ngày thứ Bảy, Chủ nhật: %(days)s.")
                    % {"n": len(weekend), "days": ", ".join(f"{d:%d/%m}" for d in weekend)},
                )
            )
        return steps

    def _day_reason(self, day: date) -> str:
        if day in self.reasons:
            return self.reasons[day]
        if day in self.working_days or day in self.days_off:
            return ""
        national = national_year(day.year)
        if day in national.working_days:
            return _("ngày làm bù theo quyết định")
        return national.holidays.get(day, "")

    # Helpers

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"cần thời điểm có múi giờ (aware datetime), nhận {moment!r}")
        return moment.astimezone(self.tz)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz)

    def _sessions(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for session in self.office_hours.sessions:
            yield self._at(day, session.start), self._at(day, session.end)

    @staticmethod
    def _days(first: date, last: date) -> Iterator[date]:
        day = first
        while day <= last:
            yield day
            day += _ONE_DAY

    @staticmethod
    def _scale(unit: timedelta, amount: Decimal | int) -> timedelta:
        microseconds = (Decimal(unit // timedelta(microseconds=1)) * Decimal(amount)).to_integral_value(ROUND_HALF_UP)
        return timedelta(microseconds=int(microseconds))
