"""Who works on a day: the one home of that rule, for the day planner and the week planner.

A worker works on a day by the working calendar (`planner.calendar`): their template's
weekdays on working days, every moved working day (a Saturday worked by decree), never on an
absence; a duty worker (one whose template has weekend shifts) also works the weekends whose
weekday the template covers and every public holiday. Their shift that day is the template's
shift of that weekday; on a day worked without one (a moved working day, a Monday holiday's
duty), the template's first weekday's shift (the shift the week planner gives the worker).
The calendar: the Russian Federation's official one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.calendar import (
    Availability,
    WorkCalendar,
    days_between,
    holiday_names,
    russian_calendar,
)
from registry.models import Worker, WorkerShift


@lru_cache(maxsize=64)
def _calendar_of_years(first: int, last: int) -> WorkCalendar:
    return russian_calendar(range(first, last + 1))


def office_calendar(start: date, end: date) -> WorkCalendar:
    """The working calendar covering `start` to `end` (read once per span of years)."""
    return _calendar_of_years(start.year, end.year)


def availability(row: Worker, start: date, end: date, calendar: WorkCalendar) -> Availability:
    """When a worker works in the period: their template's weekdays on working days, never on
    absences; a duty worker (one whose template has weekend shifts) also works the weekends
    whose weekday the template covers and every public holiday (a Monday one too: someone
    is on duty whenever the office has a duty worker)."""
    weekdays = frozenset(s.weekday for s in row.shifts)
    period = days_between(start, end)
    absent = frozenset(d for d in period for a in row.absences if a.date_from <= d <= a.date_to)
    duty_worker = bool(weekdays & calendar.weekend)
    duty = frozenset(
        d
        for d in period
        if duty_worker
        and not calendar.is_working(d)
        and (d.isoweekday() in weekdays or d in calendar.holidays)
    )
    return Availability(str(row.id), weekdays=weekdays, absences=absent, duty=duty)


def shift_on(worker: Worker, day: date, calendar: WorkCalendar | None = None) -> WorkerShift | None:
    """The worker's shift on `day` by the calendar, or None when they do not work that day
    (inactive, absent, not their weekday, a holiday without a duty shift)."""
    if not worker.active or not worker.shifts:
        return None
    calendar = calendar or office_calendar(day, day)
    if not availability(worker, day, day, calendar).works_on(day, calendar):
        return None
    own = next((s for s in worker.shifts if s.weekday == day.isoweekday()), None)
    if own is None:  # a moved working day, or a holiday's duty off the worker's weekdays
        return min(worker.shifts, key=lambda s: s.weekday)
    return own


def on_duty(
    session: Session, *, office_id: int, day: date, calendar: WorkCalendar | None = None
) -> list[Worker]:
    """Active workers of the office working on `day` by the calendar (duty on days off)."""
    calendar = calendar or office_calendar(day, day)
    rows = session.scalars(
        select(Worker)
        .where(Worker.office_id == office_id, Worker.active.is_(True))
        .order_by(Worker.id)
    ).all()
    return [w for w in rows if shift_on(w, day, calendar) is not None]


Off = Literal["", "holiday", "weekend", "office_day_off"]
_OFF: dict[str, Off] = {"": "", "weekend": "weekend", "office day off": "office_day_off"}


@dataclass(frozen=True, slots=True)
class DayKind:
    """What a day is for planning: a working day or why not, the holiday's names, who works."""

    day: date
    working: bool
    off: Off  # why the day is not a working day ('' on a working day)
    moved_working_day: bool  # a weekend day worked by decree
    names: dict[str, str] = field(default_factory=dict)  # the holiday's name per language
    on_duty: int = 0  # workers of the office working that day


def day_kind(session: Session, *, office_id: int, day: date) -> DayKind:
    """The day as the planner sees it for the office (the plan tab says it before planning)."""
    calendar = office_calendar(day, day)
    why = calendar.why_off(day)
    off: Off = _OFF.get(why, "holiday")
    return DayKind(
        day=day,
        working=calendar.is_working(day),
        off=off,
        moved_working_day=day in calendar.moved_working_days,
        names=holiday_names(day) if off == "holiday" else {},
        on_duty=len(on_duty(session, office_id=office_id, day=day, calendar=calendar)),
    )
