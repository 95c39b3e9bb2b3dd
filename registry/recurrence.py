"""How often a care-plan line recurs, as a compact string the registry stores.

Forms (N, weekdays are integers; weekdays are ISO, 1 = Monday .. 7 = Sunday):

    daily            every day
    every:N          every N days counted from the line's start date (the anchor)
    weekdays:1,3,5   on those weekdays
    weekly:N         N times a week, spread evenly over the week's working days
    monthly:N        N times a month, spread evenly over the month's working days (Mon-Fri)
    dates:2026-12-01,2026-12-15   on those dates

followed by options, each after a `;`:

    work             every:N counts working days, not calendar days (every:3;work)
    move             movable: the planner may choose the day within the tolerance
    tol=K            the tolerance, +-K days (working days with `work`); needs `move`. A
                     movable weekly:N / monthly:N without tol=K may go anywhere in its part
                     of the week / month

A line without `move` is fixed: its days are the rule's. Today's stored strings (no options)
keep their meaning. `parse_recurrence` reads the string and says exactly what is wrong when
it cannot (a tolerance that lets two visits of the line meet is refused);
`str(rec)` (or `format_recurrence`) writes it back. `occurs_on` answers whether a line with
that recurrence is due on a day; `occurrences` lists a period's visits with the days each may
move to, on a working calendar, and refuses a rule the period cannot meet. Pure: no I/O, no
database.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_EVERY_DAYS = 366
# No month has more than 23 working days (Mon-Fri), so more visits than that cannot be spread.
MAX_TIMES_PER_MONTH = 23
MAX_TIMES_PER_WEEK = 7

_WEEKDAYS_RU = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

IsWorking = Callable[[date], bool]


def mon_to_fri(day: date) -> bool:
    """The default working week when no calendar is given: Monday to Friday."""
    return day.isoweekday() <= 5


class RecurrenceKind(StrEnum):
    DAILY = "daily"
    EVERY = "every"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    DATES = "dates"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One recurrence rule; `n` is the day interval (every) or times a week / month.

    `working`: every:N counts working days; `movable`: the planner may choose the day within
    `tolerance` days (None: weekly/monthly lines anywhere in their part of the period)."""

    kind: RecurrenceKind
    n: int = 1
    weekdays: tuple[int, ...] = ()
    dates: tuple[date, ...] = ()
    working: bool = False
    movable: bool = False
    tolerance: int | None = None

    def __str__(self) -> str:
        return format_recurrence(self)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One visit of a line: the rule's day and the days it may move to (both inclusive)."""

    day: date
    earliest: date
    latest: date


def parse_recurrence(text: str) -> Recurrence:
    """Read 'RULE[;OPTION...]' (see the module's doc); ValueError names the fault."""
    raw = text.strip().lower()
    rule_text, *options = [part.strip() for part in raw.split(";")]
    rec = _parse_rule(text, rule_text)
    working = movable = False
    tolerance: int | None = None
    for option in options:
        if option == "work":
            working = True
        elif option == "move":
            movable = True
        elif option.startswith("tol="):
            tolerance = _parse_int(text, option[4:], "tol")
            if tolerance < 0:
                raise ValueError(f"{text}: tol must be 0 or more days")
        else:
            raise ValueError(f"{text}: unknown option '{option}'; use work, move or tol=K")
    if working and rec.kind != RecurrenceKind.EVERY:
        raise ValueError(f"{text}: 'work' counts the days of every:N only")
    if tolerance is not None and not movable:
        raise ValueError(f"{text}: tol={tolerance} needs 'move' (a fixed line keeps its days)")
    spread = rec.kind in (RecurrenceKind.WEEKLY, RecurrenceKind.MONTHLY)
    if movable and tolerance is None and not spread:
        raise ValueError(f"{text}: 'move' needs tol=K here (how many days a visit may move)")
    rec = Recurrence(rec.kind, rec.n, rec.weekdays, rec.dates, working, movable, tolerance)
    if tolerance:
        gap = _interval(rec)
        if 2 * tolerance >= gap:
            unit = "working days" if working else "days"
            raise ValueError(
                f"{text}: a tolerance of +-{tolerance} {unit} is wider than the interval allows "
                f"(visits {gap} {unit} apart would meet; at most +-{(gap - 1) // 2})"
            )
    return rec


def _parse_rule(text: str, raw: str) -> Recurrence:
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
    if kind_text == RecurrenceKind.WEEKLY:
        n = _parse_int(text, arg, "N")
        if not 1 <= n <= MAX_TIMES_PER_WEEK:
            raise ValueError(f"{text}: N must be 1..{MAX_TIMES_PER_WEEK}")
        return Recurrence(RecurrenceKind.WEEKLY, n=n)
    if kind_text == RecurrenceKind.MONTHLY:
        n = _parse_int(text, arg, "N")
        if not 1 <= n <= MAX_TIMES_PER_MONTH:
            raise ValueError(f"{text}: N must be 1..{MAX_TIMES_PER_MONTH}")
        return Recurrence(RecurrenceKind.MONTHLY, n=n)
    if kind_text == RecurrenceKind.DATES:
        return Recurrence(RecurrenceKind.DATES, dates=_parse_dates(text, arg))
    raise ValueError(
        f"{text}: unknown recurrence; use daily, every:N, weekdays:1,3,5, weekly:N, "
        "monthly:N or dates:YYYY-MM-DD,..."
    )


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


def _parse_dates(text: str, arg: str) -> tuple[date, ...]:
    if not arg:
        raise ValueError(f"{text}: dates are missing")
    days: set[date] = set()
    for part in arg.split(","):
        try:
            days.add(date.fromisoformat(part.strip()))
        except ValueError:
            raise ValueError(f"{text}: '{part.strip()}' is not a date (YYYY-MM-DD)") from None
    return tuple(sorted(days))


def _interval(rec: Recurrence) -> int:
    """The shortest gap between two visits of the line, in its own days."""
    match rec.kind:
        case RecurrenceKind.DAILY:
            return 1
        case RecurrenceKind.EVERY:
            return rec.n
        case RecurrenceKind.WEEKDAYS:
            days = rec.weekdays
            return min((b - a) % 7 or 7 for a, b in zip(days, days[1:] + days[:1], strict=True))
        case RecurrenceKind.WEEKLY:
            return max(7 // rec.n, 1)
        case RecurrenceKind.MONTHLY:
            return max(28 // rec.n, 1)
        case RecurrenceKind.DATES:
            gaps = [(b - a).days for a, b in zip(rec.dates, rec.dates[1:], strict=False)]
            return min(gaps, default=MAX_EVERY_DAYS)


def format_recurrence(rec: Recurrence) -> str:
    """The compact string form, the inverse of `parse_recurrence`."""
    match rec.kind:
        case RecurrenceKind.DAILY:
            text = "daily"
        case RecurrenceKind.EVERY:
            text = f"every:{rec.n}"
        case RecurrenceKind.WEEKDAYS:
            text = "weekdays:" + ",".join(str(d) for d in rec.weekdays)
        case RecurrenceKind.WEEKLY:
            text = f"weekly:{rec.n}"
        case RecurrenceKind.MONTHLY:
            text = f"monthly:{rec.n}"
        case RecurrenceKind.DATES:
            text = "dates:" + ",".join(d.isoformat() for d in rec.dates)
    if rec.working:
        text += ";work"
    if rec.movable:
        text += ";move"
    if rec.tolerance is not None:
        text += f";tol={rec.tolerance}"
    return text


def occurs_on(rec: Recurrence, day: date, anchor: date) -> bool:
    """Whether a line with this recurrence, starting on `anchor`, is due on `day` (the rule's
    day; Monday to Friday are the working days)."""
    if day < anchor:
        return False
    match rec.kind:
        case RecurrenceKind.DAILY:
            return True
        case RecurrenceKind.EVERY if not rec.working:
            return (day - anchor).days % rec.n == 0
        case RecurrenceKind.WEEKDAYS:
            return day.isoweekday() in rec.weekdays
        case RecurrenceKind.MONTHLY:
            return day in monthly_days(day.year, day.month, rec.n, monthly_phase(anchor))
        case RecurrenceKind.DATES:
            return day in rec.dates
    return any(o.day == day for o in occurrences(rec, anchor, day, day))


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


def occurrences(
    rec: Recurrence,
    anchor: date,
    start: date,
    end: date,
    is_working: IsWorking = mon_to_fri,
) -> list[Occurrence]:
    """The line's visits whose rule's day falls in `start`..`end`, each with the days it may
    move to (the rule's day alone when the line is fixed; not clipped to the period).

    `is_working` is the working calendar (weekly:N, monthly:N and every:N;work count its
    days). ValueError when the period cannot hold the rule (weekly:5 in a week of 4 working
    days)."""
    first = max(start, anchor)
    if end < first:
        return []
    match rec.kind:
        case RecurrenceKind.DAILY:
            days = [first + timedelta(days=k) for k in range((end - first).days + 1)]
            return [Occurrence(d, d, d) for d in days]
        case RecurrenceKind.EVERY if rec.working:
            return _every_working(rec, anchor, first, end, is_working)
        case RecurrenceKind.EVERY:
            skip = -(-(first - anchor).days // rec.n)
            day = anchor + timedelta(days=skip * rec.n)
            found = []
            while day <= end:
                found.append(_around(rec, day))
                day += timedelta(days=rec.n)
            return found
        case RecurrenceKind.WEEKDAYS:
            days = [first + timedelta(days=k) for k in range((end - first).days + 1)]
            return [_around(rec, d) for d in days if d.isoweekday() in rec.weekdays]
        case RecurrenceKind.DATES:
            return [_around(rec, d) for d in rec.dates if first <= d <= end]
        case RecurrenceKind.WEEKLY | RecurrenceKind.MONTHLY:
            return _spread(rec, anchor, first, end, is_working)


def _around(rec: Recurrence, day: date) -> Occurrence:
    k = (rec.tolerance or 0) if rec.movable else 0
    return Occurrence(day, day - timedelta(days=k), day + timedelta(days=k))


def _every_working(
    rec: Recurrence, anchor: date, first: date, end: date, is_working: IsWorking
) -> list[Occurrence]:
    k = (rec.tolerance or 0) if rec.movable else 0
    working: list[date] = []  # working days from the anchor to `end` and k beyond
    day, ahead, limit = anchor, 0, end + timedelta(days=MAX_EVERY_DAYS)
    while (day <= end or ahead < k) and day <= limit:
        if is_working(day):
            working.append(day)
            ahead += day > end
        day += timedelta(days=1)
    before = _working_before(anchor, k, is_working)
    found = []
    for index in range(0, len(working), rec.n):
        if working[index] < first or working[index] > end:
            continue
        lo = working[index - k] if index >= k else before[index - k]
        found.append(Occurrence(working[index], lo, working[min(index + k, len(working) - 1)]))
    return found


def _working_before(anchor: date, k: int, is_working: IsWorking) -> list[date]:
    """The `k` working days before `anchor`, oldest first (indexable from -k)."""
    found: list[date] = []
    day = anchor - timedelta(days=1)
    while len(found) < k:
        if is_working(day):
            found.insert(0, day)
        day -= timedelta(days=1)
    return found or [anchor]


def _spread(
    rec: Recurrence, anchor: date, first: date, end: date, is_working: IsWorking
) -> list[Occurrence]:
    """weekly:N / monthly:N: one visit in each of N equal parts of the period's working days,
    at the line's phase within its part; a movable line may go anywhere in its part (or
    within its tolerance, inside the week / month)."""
    phase = monthly_phase(anchor)
    found = []
    for lo, hi in _periods(rec.kind, first, end):
        span = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
        working = [d for d in span if is_working(d)]
        what = "week" if rec.kind == RecurrenceKind.WEEKLY else "month"
        if rec.n > len(working):
            raise ValueError(
                f"{format_recurrence(rec)}: the {what} from {lo.isoformat()} has "
                f"{len(working)} working days, fewer than {rec.n} visits"
            )
        count = len(working)
        nominal = [int((part + phase) * count / rec.n) for part in range(rec.n)]
        # part k: working days ceil(k*count/N)..; widened to its rule's day, never meeting
        # the next part
        los = [min(-(-part * count // rec.n), nominal[part]) for part in range(rec.n)]
        his = [los[part + 1] - 1 for part in range(rec.n - 1)] + [count - 1]
        for part in range(rec.n):
            day = working[nominal[part]]
            if not first <= day <= end or day < anchor:
                continue
            if not rec.movable:
                found.append(Occurrence(day, day, day))
            elif rec.tolerance is not None:
                k = timedelta(days=rec.tolerance)
                found.append(Occurrence(day, max(day - k, lo), min(day + k, hi)))
            else:
                found.append(Occurrence(day, working[los[part]], working[his[part]]))
    return found


def _periods(kind: RecurrenceKind, first: date, end: date) -> list[tuple[date, date]]:
    """The ISO weeks (weekly) or calendar months (monthly) that meet `first`..`end`."""
    found = []
    if kind == RecurrenceKind.WEEKLY:
        lo = first - timedelta(days=first.isoweekday() - 1)
        while lo <= end:
            found.append((lo, lo + timedelta(days=6)))
            lo += timedelta(days=7)
        return found
    year, month = first.year, first.month
    while date(year, month, 1) <= end:
        found.append((date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def label_ru(rec: Recurrence) -> str:
    """Russian text for screens and printouts: 'каждые 3 дня', 'пн, ср, пт'."""
    return _label_ru_rule(rec) + _options_ru(rec)


def _label_ru_rule(rec: Recurrence) -> str:
    match rec.kind:
        case RecurrenceKind.DAILY:
            return "ежедневно"
        case RecurrenceKind.EVERY:
            if rec.n == 1:
                return "каждый рабочий день" if rec.working else "ежедневно"
            every = "каждый" if _ru_plural_form(rec.n) == 0 else "каждые"
            if rec.working:
                days = _ru_plural(rec.n, "рабочий день", "рабочих дня", "рабочих дней")
                return f"{every} {rec.n} {days}"
            return f"{every} {rec.n} {_ru_plural(rec.n, 'день', 'дня', 'дней')}"
        case RecurrenceKind.WEEKDAYS:
            return ", ".join(_WEEKDAYS_RU[d - 1] for d in rec.weekdays)
        case RecurrenceKind.WEEKLY:
            if rec.n == 1:
                return "раз в неделю"
            return f"{rec.n} {_ru_plural(rec.n, 'раз', 'раза', 'раз')} в неделю"
        case RecurrenceKind.MONTHLY:
            if rec.n == 1:
                return "раз в месяц"
            return f"{rec.n} {_ru_plural(rec.n, 'раз', 'раза', 'раз')} в месяц"
        case RecurrenceKind.DATES:
            return ", ".join(d.strftime("%d.%m.%Y") for d in rec.dates)


def _options_ru(rec: Recurrence) -> str:
    if not rec.movable:
        return ""
    if rec.tolerance is None:
        part = "недели" if rec.kind == RecurrenceKind.WEEKLY else "месяца"
        return f", в любой день своей части {part}"
    many = (
        ("рабочий день", "рабочих дня", "рабочих дней") if rec.working else ("день", "дня", "дней")
    )
    unit = _ru_plural(rec.tolerance, *many)
    return f" ±{rec.tolerance} {unit}"


def label_en(rec: Recurrence) -> str:
    """English text: 'every 3 days', 'Mon, Wed, Fri', '2 times a month'."""
    return _label_en_rule(rec) + _options_en(rec)


def _label_en_rule(rec: Recurrence) -> str:
    match rec.kind:
        case RecurrenceKind.DAILY:
            return "daily"
        case RecurrenceKind.EVERY:
            if rec.working:
                return "every working day" if rec.n == 1 else f"every {rec.n} working days"
            return "daily" if rec.n == 1 else f"every {rec.n} days"
        case RecurrenceKind.WEEKDAYS:
            return ", ".join(_WEEKDAYS_EN[d - 1] for d in rec.weekdays)
        case RecurrenceKind.WEEKLY:
            return {1: "once a week", 2: "twice a week"}.get(rec.n, f"{rec.n} times a week")
        case RecurrenceKind.MONTHLY:
            return {1: "once a month", 2: "twice a month"}.get(rec.n, f"{rec.n} times a month")
        case RecurrenceKind.DATES:
            return ", ".join(d.isoformat() for d in rec.dates)


def _options_en(rec: Recurrence) -> str:
    if not rec.movable:
        return ""
    if rec.tolerance is None:
        part = "week" if rec.kind == RecurrenceKind.WEEKLY else "month"
        return f", any day in its part of the {part}"
    unit = "working day" if rec.working else "day"
    return f" ±{rec.tolerance} {unit}{'' if rec.tolerance == 1 else 's'}"


def _ru_plural_form(n: int) -> int:
    """0 for 1/21/31 (день), 1 for 2-4/22-24 (дня), 2 otherwise (дней)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    return (one, few, many)[_ru_plural_form(n)]
