"""A generated office-week (or month) for the week planner: workers, clients with care
plans that look real, zones, a working calendar with a holiday.

Clients live in apartment blocks clustered in neighbourhoods (as in `bench.homecare_gen`),
about 60 per km²; workers walk (4.5 km/h, straight line x 1.3) from the office in the middle,
work 08:00-17:00 with a 45-minute lunch. Care plans: daily 15-minute visits (meals,
medicines) for about 45 % of the clients, and for the others 2-3 times a week, weekly, every
3/7/15/30 days or monthly, most of them movable within a tolerance, some fixed to weekdays;
half of the clients have a second line (cleaning every 14 days, papers twice a month).
Two workers in five are on a rota: three weekdays plus weekend duty; a few Monday-Friday
workers take the holiday's duty; one worker is on leave. Each worker has a zone of about
the same weekly minutes (recursive bisection). Deterministic for a seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from bench.homecare_gen import DETOUR, WALK_M_PER_S, _to_lonlat
from planner.calendar import Availability, days_between, russian_calendar
from planner.problem import Break, TravelMode, Worker
from planner.recurrence import CareClient, CarePlanLine
from planner.week_problem import WeekProblem, WeekWorker, tasks_for_period
from registry.recurrence import parse_recurrence

WEEK_WITH_HOLIDAY = date(2026, 11, 2)  # Monday; Wednesday 4 November is Unity Day
ANCHOR = date(2026, 1, 5)  # care plans start on a Monday
CLIENTS_PER_KM2 = 60

# (share of clients, rule, minutes of a visit)
PROGRAMMES = (
    (0.45, "daily", 15),
    (0.08, "weekly:3;move", 45),
    (0.05, "weekdays:1,3,5", 45),
    (0.10, "weekly:2;move", 50),
    (0.04, "weekdays:2,5", 50),
    (0.08, "every:3;move;tol=1", 40),
    (0.10, "every:7;move;tol=2", 60),
    (0.03, "every:15;move;tol=3", 60),
    (0.03, "every:30;move;tol=5", 60),
    (0.04, "monthly:1;move", 60),
)
SECOND_LINES = (("every:14;move;tol=3", 45, "cleaning"), ("monthly:2;move", 30, "papers"))


@dataclass(frozen=True, slots=True)
class OfficeWeek:
    problem: WeekProblem
    zone_of_worker: dict[str, str]


def generate(
    workers: int = 40,
    clients: int = 500,
    seed: int = 1,
    start: date = WEEK_WITH_HOLIDAY,
    days: int = 7,
) -> OfficeWeek:
    rng = np.random.default_rng(seed)
    end = start + timedelta(days=days - 1)
    side_m = math.sqrt(clients / CLIENTS_PER_KM2) * 1000
    neighbourhoods = rng.uniform(0, side_m, size=(max(clients // 40, 3), 2))
    blocks = neighbourhoods[rng.integers(len(neighbourhoods), size=max(clients // 4, 1))]
    blocks = blocks + rng.normal(0, side_m / 12, size=blocks.shape)
    homes = blocks[rng.integers(len(blocks), size=clients)] + rng.normal(0, 25, (clients, 2))
    points = np.vstack([[[side_m / 2, side_m / 2]], homes])
    metres = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    distance = np.rint(metres * DETOUR).astype(np.int64)
    walk = np.rint(distance / WALK_M_PER_S).astype(np.int64)

    shares = np.array([p[0] for p in PROGRAMMES])
    picks = rng.choice(len(PROGRAMMES), size=clients, p=shares / shares.sum())
    care: list[CareClient] = []
    for i in range(clients):
        _, rule, minutes = PROGRAMMES[picks[i]]
        lines = [_line("care", rule, minutes, _anchor(rng))]
        if rng.random() < 0.5:
            rule2, minutes2, code = SECOND_LINES[int(rng.integers(len(SECOND_LINES)))]
            lines.append(_line(code, rule2, minutes2, _anchor(rng)))
        window = (0, 24 * 3600)
        if rng.random() < 0.15:
            begin = int(rng.integers(17, 29)) * 1800  # 08:30 .. 14:00
            window = (begin, begin + 3 * 3600)
        care.append(
            CareClient(
                id=f"c{i:03d}",
                name=f"Client {i}",
                location=None,
                location_index=i + 1,
                window_start=window[0],
                window_end=window[1],
                required_skills=frozenset({"medical"}) if rng.random() < 0.08 else frozenset(),
                workers_needed=2 if rng.random() < 0.01 else 1,
                lines=tuple(lines),
            )
        )

    calendar = russian_calendar({start.year, end.year})
    off_days = [d for d in days_between(start, end) if not calendar.is_working(d)]
    rota = round(workers * 0.4)
    team: list[WeekWorker] = []
    for k in range(workers):
        worker = Worker(
            id=f"w{k:02d}",
            name=f"Worker {k}",
            shift_start=8 * 3600,
            shift_end=17 * 3600,
            start_location=0,
            end_location=0,
            skills=frozenset({"medical"}) if k % 3 == 0 else frozenset(),
            travel_mode=TravelMode.WALK,
            lunch=Break(12 * 3600 + 1800, 14 * 3600, 45 * 60),
        )
        if k >= workers - rota:  # rota: three weekdays, weekends and holidays on duty
            free = {(k % 5) + 1, ((k + 1) % 5) + 1}
            availability = Availability(
                worker.id,
                weekdays=frozenset({1, 2, 3, 4, 5} - free),
                duty=frozenset(off_days),
            )
        else:
            holiday_duty = frozenset(d for d in off_days if d.isoweekday() <= 5 and k % 8 == 0)
            absences = frozenset(days_between(start, end)) if k == 5 else frozenset()
            availability = Availability(worker.id, absences=absences, duty=holiday_duty)
        team.append(WeekWorker(worker, availability, zone=f"z{k:02d}"))

    tasks = tasks_for_period(care, start, end, calendar)
    weekly = np.zeros(clients)
    for task in tasks:
        weekly[int(task.client_id[1:])] += task.minutes + 5
    zones = _bisect(homes, weekly + 1, [w.zone or "" for w in team])
    problem = WeekProblem(
        start=start,
        end=end,
        calendar=calendar,
        workers=tuple(team),
        clients=tuple(care),
        tasks=tuple(tasks),
        travel_time={TravelMode.WALK: walk.tolist()},
        distance=distance.tolist(),
        locations=tuple(_to_lonlat(x, y) for x, y in points),
        zones={f"c{i:03d}": zones[i] for i in range(clients)},
    )
    return OfficeWeek(problem, {w.id: w.zone or "" for w in team})


def _line(code: str, rule: str, minutes: int, anchor: date) -> CarePlanLine:
    return CarePlanLine(
        service_code=code,
        service_name=code,
        standard_minutes=minutes,
        recurrence=parse_recurrence(rule),
        valid_from=anchor,
    )


def _anchor(rng: np.random.Generator) -> date:
    return ANCHOR + timedelta(days=int(rng.integers(0, 60)))


def _bisect(points: np.ndarray, weights: np.ndarray, names: list[str]) -> list[str]:
    """Zones of about equal weight: split the points along their longer side in proportion
    to the number of zones on each side, recursively."""
    found = [""] * len(points)

    def split(index: np.ndarray, zones: list[str]) -> None:
        if len(zones) == 1 or len(index) == 0:
            for i in index:
                found[i] = zones[0]
            return
        spread = points[index].max(axis=0) - points[index].min(axis=0)
        axis = int(np.argmax(spread))
        order = index[np.argsort(points[index, axis])]
        left = len(zones) // 2
        cumulative = np.cumsum(weights[order])
        cut = int(np.searchsorted(cumulative, cumulative[-1] * left / len(zones)))
        split(order[:cut], zones[:left])
        split(order[cut:], zones[left:])

    split(np.arange(len(points)), names)
    return found
