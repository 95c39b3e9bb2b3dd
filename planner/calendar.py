"""The working calendar: which days are working days, and who works on which day.

`WorkCalendar` holds the official non-working days and the weekend days moved to working
days (for the Russian Federation from the `holidays` package: `russian_calendar`), plus the
office's own extra days off. `Availability` says when one worker works: their working
weekdays on the calendar's working days, minus absences (vacation, sick leave), plus duty
shifts on weekends and holidays. On a non-working day only workers with a duty shift work.
Pure: dataclasses, no I/O, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

WEEKEND = frozenset({6, 7})
WORKING_WEEK = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working and non-working days (ISO weekdays; dates inclusive)."""

    holidays: frozenset[date] = frozenset()  # official non-working days
    moved_working_days: frozenset[date] = frozenset()  # weekend days worked by decree
    office_days_off: frozenset[date] = frozenset()  # the office's own extra days off
    weekend: frozenset[int] = WEEKEND
    names: dict[date, str] = field(default_factory=dict, compare=False)  # holidays' names

    def is_working(self, day: date) -> bool:
        if day in self.holidays or day in self.office_days_off:
            return False
        return day in self.moved_working_days or day.isoweekday() not in self.weekend

    def working_days(self, start: date, end: date) -> list[date]:
        return [d for d in days_between(start, end) if self.is_working(d)]

    def with_days_off(self, days: Iterable[date]) -> WorkCalendar:
        """The same calendar with the office's extra days off added."""
        return replace(self, office_days_off=self.office_days_off | frozenset(days))

    def why_off(self, day: date) -> str:
        """Why a day is not a working day, in words ('' on a working day)."""
        if day in self.office_days_off:
            return "office day off"
        if day in self.holidays:
            return self.names.get(day, "holiday")
        return "" if self.is_working(day) else "weekend"


def russian_calendar(years: Iterable[int], office_days_off: Iterable[date] = ()) -> WorkCalendar:
    """The Russian Federation's production calendar for those years (holidays, the days off
    moved from weekends, and the Saturdays worked instead), from the `holidays` package."""
    import holidays  # imported here: only calendars need it

    official = holidays.country_holidays("RU", years=sorted(set(years)))
    return WorkCalendar(
        holidays=frozenset(official),
        moved_working_days=frozenset(official.weekend_workdays),
        office_days_off=frozenset(office_days_off),
        names={d: str(n) for d, n in official.items()},
    )


def holiday_names(day: date) -> dict[str, str]:
    """The official name of a Russian non-working day in each language of the pages
    ({"ru": ..., "en": ...}; empty on other days), from the `holidays` package."""
    import holidays

    names: dict[str, str] = {}
    for lang, code in (("ru", "ru"), ("en", "en_US")):
        official = holidays.country_holidays("RU", years=[day.year], language=code)
        if day in official:
            names[lang] = str(official[day])
    return names


@dataclass(frozen=True, slots=True)
class Availability:
    """When one worker works: `weekdays` on the calendar's working days (and on moved
    working days), never on `absences`, and on `duty` days (weekend or holiday shifts)."""

    worker_id: str
    weekdays: frozenset[int] = WORKING_WEEK
    absences: frozenset[date] = frozenset()
    duty: frozenset[date] = frozenset()

    def works_on(self, day: date, calendar: WorkCalendar) -> bool:
        if day in self.absences:
            return False
        if day in self.duty:
            return True
        if not calendar.is_working(day):
            return False
        return day.isoweekday() in self.weekdays or day in calendar.moved_working_days


def days_between(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


def iso_week(text: str) -> tuple[date, date]:
    """'2026-W50' -> its Monday and Sunday; ValueError names the fault."""
    try:
        year, week = text.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"{text}: not an ISO week (e.g. 2026-W50)") from None
    return monday, monday + timedelta(days=6)


def month(text: str) -> tuple[date, date]:
    """'2026-12' -> its first and last day; ValueError names the fault."""
    try:
        year, number = (int(p) for p in text.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"{text}: not a month (e.g. 2026-12)") from None
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)
