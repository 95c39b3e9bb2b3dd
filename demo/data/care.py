"""Individual care plans for the demo's clients: a main service on the client's visit days
and a few others, so that no day's visit runs over `MAX_VISIT_MINUTES`. Pure: no database."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from registry.recurrence import (
    RecurrenceKind,
    monthly_days,
    monthly_phase,
    occurs_on,
    parse_recurrence,
)

SERVICES_FILE = Path(__file__).with_name("services.json")
MAX_VISIT_MINUTES = 90
CHECK_WEEKS = 12  # day totals are checked over this many weeks from today

# The days a client is visited (ISO weekdays) and how often each rhythm occurs: weighted so
# that every weekday carries about the same load (55-57 % of the clients), as an office
# arranges it, rather than Mondays and Fridays piling up.
VISIT_DAYS = (
    ((1, 2, 3, 4, 5, 6, 7), 0.04),  # every day, weekends and holidays included
    ((1, 2, 3, 4, 5), 0.15),
    ((1, 3, 5), 0.20),
    ((2, 4), 0.22),
    ((1, 2, 4, 5), 0.05),
    ((2, 3, 4), 0.05),
    ((1, 4), 0.08),
    ((2, 5), 0.08),
    ((1, 3), 0.08),
    ((3, 5), 0.09),
)


@dataclass(frozen=True, slots=True)
class DemoLine:
    service: str  # the service's key in services.json
    recurrence: str
    valid_from: date


@dataclass(frozen=True, slots=True)
class DemoPlan:
    number: str
    valid_from: date
    valid_to: date
    lines: tuple[DemoLine, ...]

    def minutes_on(self, day: date) -> int:
        """Service minutes due on that day (the visit's length)."""
        return sum(minutes(line.service) for line in self.lines if _due(line, day))


@cache
def catalogue() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(SERVICES_FILE.read_text(encoding="utf-8"))["services"])


@cache
def minutes(key: str) -> int:
    return next(int(s["minutes"]) for s in catalogue() if s["key"] == key)


_parse = cache(parse_recurrence)  # a few distinct strings, checked thousands of times


@cache
def _monthly(year: int, month: int, times: int, anchor: date) -> frozenset[date]:
    return frozenset(monthly_days(year, month, times, monthly_phase(anchor)))


def _due(line: DemoLine, day: date) -> bool:
    rule = _parse(line.recurrence)
    if rule.kind == RecurrenceKind.MONTHLY:  # the same answer as occurs_on, remembered per month
        return day >= line.valid_from and day in _monthly(
            day.year, day.month, rule.n, line.valid_from
        )
    return occurs_on(rule, day, line.valid_from)


def _weekdays(days: tuple[int, ...]) -> str:
    return "weekdays:" + ",".join(str(d) for d in days)


def _on_weekday(start: date, weekday: int) -> date:
    """The first day from `start` that falls on that ISO weekday (anchors every:7k lines)."""
    return start + timedelta(days=(weekday - start.isoweekday()) % 7)


def _every(rng: random.Random, days: int, start: date, weekday: int) -> tuple[str, date]:
    """An every-N-days line on one of the client's visit days, its first date drawn over the
    first N days: monthly errands spread over the month instead of all falling on one date."""
    first = _on_weekday(start + timedelta(days=7 * rng.randrange(days // 7)), weekday)
    return f"every:{days}", first


def _candidates(
    rng: random.Random, days: tuple[int, ...], start: date, categories: list[str], medical: bool
) -> list[tuple[str, str, date]]:
    """Lines a client of this profile may have, most likely first: (service, recurrence, from).
    Errands done once or twice a month ride on the client's usual visit days (every 14 or 28
    days); `monthly:N` (spread by the calendar) is kept for rare paperwork."""
    one_day = rng.choice(days)
    disabled = any(c.startswith("инвалид I ") for c in categories)
    offers: list[tuple[float, str, str, date]] = [
        (0.50, "health_watch", _weekdays(days), start),
        (0.35, "cleaning", rng.choice(("every:7", "every:14")), _on_weekday(start, one_day)),
        (0.40, "utilities", *_every(rng, rng.choice((14, 28)), start, one_day)),
        (0.45, "medicines", *_every(rng, rng.choice((14, 28)), start, one_day)),
        (0.25, "goods", *_every(rng, 14, start, one_day)),
        (0.20, "press", _weekdays((one_day,)), start),
        (0.20, "medical_help", *_every(rng, 28, start, one_day)),
        (0.15, "cooking", _weekdays(days), start),
        (0.10, "laundry", "every:14", _on_weekday(start, one_day)),
        (0.10, "talk", "every:7", _on_weekday(start, one_day)),
        (0.10, "documents", "every:84", _on_weekday(start, rng.randint(1, 5))),
        (0.10, "benefits", *_every(rng, 28, start, one_day)),
        (0.08, "escort", "every:56", _on_weekday(start, rng.randint(1, 5))),
        (0.05, "mail", "monthly:1", start),
        (0.70 if disabled else 0.03, "hygiene", _weekdays(days), start),
        (0.60 if disabled else 0.02, "feeding", _weekdays(days), start),
        (1.0 if medical else 0.0, "procedures", _weekdays(days), start),
    ]
    chosen = [(s, r, f) for p, s, r, f in offers if rng.random() < p]
    rng.shuffle(chosen)
    # The nurse's procedures come first so the day's limit never squeezes them out.
    chosen.sort(key=lambda line: line[0] != "procedures")
    return chosen


def build_plan(
    rng: random.Random,
    *,
    number: str,
    categories: list[str],
    medical: bool,
    enrolled: date,
    today: date,
) -> DemoPlan:
    """A care plan of 2-6 lines whose visits each last at most MAX_VISIT_MINUTES."""
    days = rng.choices([d for d, _ in VISIT_DAYS], weights=[w for _, w in VISIT_DAYS])[0]
    # The current programme: renewed at most a few years ago, never before enrolment.
    valid_from = max(enrolled, today - timedelta(days=rng.randint(20, 700)))
    valid_to = date(today.year + rng.choice((1, 1, 2)), 12, 31)
    main = "food" if rng.random() < 0.9 else "goods"
    lines = [DemoLine(main, _weekdays(days), valid_from)]
    horizon = [today + timedelta(days=d) for d in range(7 * CHECK_WEEKS)]
    load = Counter({day: minutes(main) for day in horizon if day.isoweekday() in days})
    for service, recurrence, since in _candidates(rng, days, valid_from, categories, medical):
        if len(lines) == 6:
            break
        if any(line.service == service for line in lines):
            continue  # a programme names each service once, with one rhythm
        line = DemoLine(service, recurrence, since)
        due = [day for day in horizon if _due(line, day)]
        if all(load[day] + minutes(service) <= MAX_VISIT_MINUTES for day in due):
            lines.append(line)
            load.update({day: minutes(service) for day in due})
    if len(lines) == 1:  # every plan holds at least two services
        recurrence, first = _every(rng, 28, valid_from, rng.choice(days))
        lines.append(DemoLine("utilities", recurrence, first))
    return DemoPlan(number, valid_from, valid_to, tuple(lines))
