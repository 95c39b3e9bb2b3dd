"""Report periods: the presets managers pick (this week, last month...) as inclusive dates. Pure."""

from __future__ import annotations

from datetime import date, timedelta

PRESETS = ("this_week", "last_week", "this_month", "last_month")
MAX_DAYS = 400  # a report spans at most about a year


def preset_period(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period around `today` (weeks start on Monday)."""
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    if name == "this_week":
        return monday, monday + timedelta(days=6)
    if name == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if name == "this_month":
        next_month = (first_of_month + timedelta(days=32)).replace(day=1)
        return first_of_month, next_month - timedelta(days=1)
    if name == "last_month":
        last_day = first_of_month - timedelta(days=1)
        return last_day.replace(day=1), last_day
    raise ValueError(f"unknown period {name!r}; one of {', '.join(PRESETS)}")


def check_period(start: date, end: date) -> None:
    """Refuse periods that end before they start or are longer than MAX_DAYS."""
    if end < start:
        raise ValueError("the period ends before it starts")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"a report covers at most {MAX_DAYS} days")
