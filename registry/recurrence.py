"""How often a care-plan line recurs, as a compact string the registry stores.

Forms (N, weekdays are integers; weekdays are ISO, 1 = Monday .. 7 = Sunday):

    daily            every day
    every:N          every N days counted from the line's start date (the anchor)
    weekdays:1,3,5   on those weekdays
    monthly:N        N times a month, spread evenly over the month's working days (Mon-Fri)

`parse_recurrence` reads the string and says exactly what is wrong when it cannot;
`str(rec)` (or `format_recurrence`) writes it back. `occurs_on` answers whether a line with
that recurrence is due on a day. Pure: no I/O, no database.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MAX_EVERY_DAYS = 366
# No month has more than 23 working days (Mon-Fri), so more visits than that cannot be spread.
MAX_TIMES_PER_MONTH = 23

_WEEKDAYS_RU = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RecurrenceKind(StrEnum):
    DAILY = "daily"
    EVERY = "every"
    WEEKDAYS = "weekdays"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One recurrence rule; `n` is the day interval (every) or times a month (monthly)."""

    kind: RecurrenceKind
    n: int = 1
    weekdays: tuple[int, ...] = ()

    def __str__(self) -> str:
        return format_recurrence(self)


def parse_recurrence(text: str) -> Recurrence:
    """Read 'daily', 'every:N', 'weekdays:1,3,5' or 'monthly:N'; ValueError names the fault."""
    raw = text.strip().lower()
    kind_text, _, arg = raw.partition(":")
    if kind_text == RecurrenceKind.DAILY:
        if arg:
            raise ValueError(f"{text}: 'daily' takes no argument")
        return Recurrence(RecurrenceKind.DAILY)
    if kind_text == RecurrenceKind.EVERY:
        n = _parse_int(text, arg, "N")
        if not 1 <= n <= MAX_EVERY_DAYS:
            raise ValueError(f"{text}: N must be 1..{MAX_EVERY_DAYS}")
        return Recurrence(RecurrenceKind.EVERY, n=n)
    if kind_text == RecurrenceKind.WEEKDAYS:
        return Recurrence(RecurrenceKind.WEEKDAYS, weekdays=_parse_weekdays(text, arg))
    if kind_text == RecurrenceKind.MONTHLY:
        n = _parse_int(text, arg, "N")
        if not 1 <= n <= MAX_TIMES_PER_MONTH:
            raise ValueError(f"{text}: N must be 1..{MAX_TIMES_PER_MONTH}")
        return Recurrence(RecurrenceKind.MONTHLY, n=n)
    raise ValueError(f"{text}: unknown recurrence; use daily, every:N, weekdays:1,3,5 or monthly:N")


def _parse_int(text: str, arg: str, name: str) -> int:
    if not arg:
        raise ValueError(f"{text}: {name} is missing")
    try:
        return int(arg)
    except ValueError:
        raise ValueError(f"{text}: {name} must be a whole number, not '{arg}'") from None


def _parse_weekdays(text: str, arg: str) -> tuple[int, ...]:
    if not arg:
        raise ValueError(f"{text}: weekdays are missing")
    days: set[int] = set()
    for part in arg.split(","):
        day = _parse_int(text, part.strip(), "weekday")
        if not 1 <= day <= 7:
            raise ValueError(f"{text}: weekday must be 1..7")
        days.add(day)
    return tuple(sorted(days))


def format_recurrence(rec: Recurrence) -> str:
    """The compact string form, the inverse of `parse_recurrence`."""
    match rec.kind:
        case RecurrenceKind.DAILY:
            return "daily"
        case RecurrenceKind.EVERY:
            return f"every:{rec.n}"
        case RecurrenceKind.WEEKDAYS:
            return "weekdays:" + ",".join(str(d) for d in rec.weekdays)
        case RecurrenceKind.MONTHLY:
            return f"monthly:{rec.n}"


def occurs_on(rec: Recurrence, day: date, anchor: date) -> bool:
    """Whether a line with this recurrence, starting on `anchor`, is due on `day`."""
    if day < anchor:
        return False
    match rec.kind:
        case RecurrenceKind.DAILY:
            return True
        case RecurrenceKind.EVERY:
            return (day - anchor).days % rec.n == 0
        case RecurrenceKind.WEEKDAYS:
            return day.isoweekday() in rec.weekdays
        case RecurrenceKind.MONTHLY:
            return day in monthly_days(day.year, day.month, rec.n, monthly_phase(anchor))


def monthly_phase(anchor: date) -> float:
    """Where in each slice of the month a line falls, from its start date (0 <= phase < 1).

    Spreads clients' monthly services over the month instead of piling every 'once a month'
    onto the same day; the golden-ratio step keeps neighbouring start dates far apart."""
    return (anchor.toordinal() * 0.6180339887) % 1.0


def monthly_days(year: int, month: int, times: int, phase: float = 0.5) -> list[date]:
    """`times` working days of the month, spread evenly: one in each equal slice, at `phase`
    of the way through it (0.5: the middle day)."""
    _, last = calendar.monthrange(year, month)
    working = [
        date(year, month, d) for d in range(1, last + 1) if date(year, month, d).isoweekday() <= 5
    ]
    times = min(times, len(working))
    return [working[int((k + phase) * len(working) / times)] for k in range(times)]


def label_ru(rec: Recurrence) -> str:
    """Russian text for screens and printouts: 'каждые 3 дня', 'пн, ср, пт'."""
    match rec.kind:
        case RecurrenceKind.DAILY:
            return "ежедневно"
        case RecurrenceKind.EVERY:
            if rec.n == 1:
                return "ежедневно"
            every = "каждый" if _ru_plural_form(rec.n) == 0 else "каждые"
            return f"{every} {rec.n} {_ru_plural(rec.n, 'день', 'дня', 'дней')}"
        case RecurrenceKind.WEEKDAYS:
            return ", ".join(_WEEKDAYS_RU[d - 1] for d in rec.weekdays)
        case RecurrenceKind.MONTHLY:
            if rec.n == 1:
                return "раз в месяц"
            return f"{rec.n} {_ru_plural(rec.n, 'раз', 'раза', 'раз')} в месяц"


def label_en(rec: Recurrence) -> str:
    """English text: 'every 3 days', 'Mon, Wed, Fri', '2 times a month'."""
    match rec.kind:
        case RecurrenceKind.DAILY:
            return "daily"
        case RecurrenceKind.EVERY:
            return "daily" if rec.n == 1 else f"every {rec.n} days"
        case RecurrenceKind.WEEKDAYS:
            return ", ".join(_WEEKDAYS_EN[d - 1] for d in rec.weekdays)
        case RecurrenceKind.MONTHLY:
            return {1: "once a month", 2: "twice a month"}.get(rec.n, f"{rec.n} times a month")


def _ru_plural_form(n: int) -> int:
    """0 for 1/21/31 (день), 1 for 2-4/22-24 (дня), 2 otherwise (дней)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    return (one, few, many)[_ru_plural_form(n)]
