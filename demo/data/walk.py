"""A social worker's day as people live it, against the approved plan. Pure: no database.

The plan packs visits back to back, so what keeps a real office on time is people, not slack:
- the day starts at the planned time give or take a few minutes (some leave early); on about
  one day in thirty much later (the bus, a doctor's appointment);
- each leg takes the planned travel time times the worker's pace that day and the leg's luck;
  on public transport the bus is sometimes just gone;
- a worker well ahead of time waits until the client expects her (5-15 minutes early is
  welcome): by the entrance, or in a shop nearby when she is far too early;
- on site each service lasts its standard time times a lognormal factor (median 0.95; medical
  procedures a little longer, an escort to the clinic widely spread), times the worker's own
  manner; a worker behind schedule cuts the chat short (by up to half her delay, at most a
  quarter of the stay), one ahead of it stays a little longer;
- lunch where the plan put it, shortened when she is behind;
- incidents: the client is not at home (she rings, phones, waits, leaves), a long stay (the
  client is unwell, a doctor is awaited).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core import geo

Point = tuple[float, float]  # lon, lat
Segment = tuple[datetime, datetime, Point, Point]  # from, to, origin, target

FEW_MINUTES = timedelta(minutes=2)
NO_SHOW = 0.025  # the client is not at home
LONG_STAY = 0.02  # the client is unwell, a doctor or a locksmith is awaited
LATE_START = 0.03  # the day starts 20-45 minutes late
STAY_MEDIAN, STAY_SIGMA = 0.95, 0.18  # actual / standard minutes of a service
STAY_BY_CODE = {  # services that run otherwise: (median, sigma)
    "СМ-05": (1.05, 0.15),  # medical procedures: dressings, drops, a careful hand
    "СМ-04": (1.0, 0.3),  # escort to the clinic: the queue decides
    "СБ-01": (0.95, 0.22),  # shopping: the queue at the till
}
NO_SHOW_REASONS = (
    "никто не открыл дверь",
    "никто не открыл дверь, телефон не отвечает",
    "клиент в больнице, родственники не предупредили",
    "клиент уехал к родственникам, не предупредил",
    "со слов соседей, клиента увезла скорая",
)


@dataclass(frozen=True, slots=True)
class PlannedStop:
    plan_stop_id: int | None
    client_id: int
    where: Point
    start: datetime
    end: datetime
    services: list[dict[str, Any]]  # [{"code", "minutes"}], minutes = standard
    confirmation_code: str = ""
    travel_s: int | None = None  # planned travel from the previous place (None: by distance)


@dataclass(frozen=True, slots=True)
class PlannedDay:
    office_id: int
    worker_id: int
    device_id: int
    day: date
    start: datetime  # leaves the start point
    home: Point
    stops: list[PlannedStop]
    break_start: datetime | None = None
    break_minutes: int = 0
    speed_mps: float = 1.2  # straight-line speed for legs the plan gives no time for
    mode: str = "walk"  # walk / transit / car
    end: datetime | None = None  # back at the end point, as planned


@dataclass(frozen=True, slots=True)
class Fate:
    """What became of one planned stop."""

    stop: PlannedStop
    stopped: datetime  # the trip's end: at the door, or at a shop nearby when far too early
    reached: datetime  # at the door
    arrived: datetime  # in the flat: the arrival tap
    departed: datetime  # left (a no-show: gave up waiting)
    no_show: bool = False
    reason: str = ""


def distance_m(a: Point, b: Point) -> float:
    return geo.distance_m(*a, *b)


def walk(plan: PlannedDay, rng: random.Random) -> tuple[list[Segment], list[Fate]]:
    """The worker's actual day: where she was when (segments) and each stop's fate."""
    pace = rng.lognormvariate(0.0, 0.08)  # this worker today: slower or faster than planned
    manner = rng.lognormvariate(0.0, 0.06)  # some talk longer, some are brisk
    segments: list[Segment] = []
    fates: list[Fate] = []
    now = plan.start + _start_offset(rng)
    here = plan.home
    lunch_before = _lunch_position(plan)
    for index, stop in enumerate(plan.stops):
        if index == lunch_before:
            lunch = _lunch(plan, now, rng)
            segments.append((now, now + lunch, here, here))
            now += lunch
        travel = _travel(plan, stop.travel_s, here, stop.where, pace, rng)
        welcome = stop.start - timedelta(minutes=rng.uniform(5, 15))
        if now + travel < welcome - FEW_MINUTES:  # far too early: waits in a shop nearby
            spot = _nearby(stop.where, rng)
            segments.append((now, now + travel, here, spot))
            segments.append((now + travel, welcome - FEW_MINUTES, spot, spot))
            segments.append((welcome - FEW_MINUTES, welcome, spot, stop.where))
            stopped, now = now + travel, welcome
        else:
            segments.append((now, now + travel, here, stop.where))
            now += travel
            stopped = now
        here, reached = stop.where, now
        if now < welcome:  # a little early: waits by the entrance
            segments.append((now, welcome, here, here))
            now = welcome
        if rng.random() < NO_SHOW:
            waited = timedelta(minutes=rng.uniform(5, 15))  # rings, phones, asks the neighbours
            segments.append((now, now + waited, here, here))
            reason = rng.choice(NO_SHOW_REASONS)
            fates.append(Fate(stop, stopped, reached, now, now + waited, True, reason))
            now += waited
            continue
        stay = _stay(stop, now, manner, rng)
        segments.append((now, now + stay, here, here))
        fates.append(Fate(stop, stopped, reached, now, now + stay))
        now += stay
    if plan.stops and lunch_before == len(plan.stops):
        lunch = _lunch(plan, now, rng)
        segments.append((now, now + lunch, here, here))
        now += lunch
    home_s = None
    if plan.end is not None and plan.stops:
        home_s = int((plan.end - plan.stops[-1].end).total_seconds())
    travel = _travel(plan, home_s, here, plan.home, pace, rng)
    segments.append((now, now + travel, here, plan.home))
    return segments, fates


def _nearby(p: Point, rng: random.Random) -> Point:
    """A shop or a bench some 60-150 m from the client's entrance."""
    metres, angle = rng.uniform(60, 150), rng.uniform(0, 2 * math.pi)
    return geo.offset(p[0], p[1], metres * math.cos(angle), metres * math.sin(angle))


def _start_offset(rng: random.Random) -> timedelta:
    if rng.random() < LATE_START:
        return timedelta(minutes=rng.uniform(20, 45))
    return timedelta(minutes=rng.gauss(1, 4))


def _lunch_position(plan: PlannedDay) -> int | None:
    """Lunch comes before the first stop planned to start after the break begins."""
    if plan.break_start is None or plan.break_minutes <= 0:
        return None
    return next(
        (i for i, s in enumerate(plan.stops) if s.start >= plan.break_start), len(plan.stops)
    )


def _lunch(plan: PlannedDay, now: datetime, rng: random.Random) -> timedelta:
    """The planned break, a few minutes either way; cut (to 20 minutes at least) when behind."""
    minutes = plan.break_minutes + rng.uniform(-5, 5)
    behind = (now - (plan.break_start or now)).total_seconds() / 60
    if behind > 0:
        minutes = max(minutes - behind, min(minutes, 20))
    return timedelta(minutes=round(minutes))


def _travel(
    plan: PlannedDay,
    planned_s: int | None,
    origin: Point,
    target: Point,
    pace: float,
    rng: random.Random,
) -> timedelta:
    if planned_s is None or planned_s < 0:
        planned_s = round(distance_m(origin, target) / plan.speed_mps)
    seconds = planned_s * pace * rng.lognormvariate(0.0, 0.15)
    if plan.mode == "transit" and planned_s > 600 and rng.random() < 0.2:
        seconds += rng.uniform(120, 480)  # the bus just left
    return timedelta(seconds=round(max(seconds, 60.0)))


def _stay(stop: PlannedStop, now: datetime, manner: float, rng: random.Random) -> timedelta:
    """On site: each service around its standard, the chat cut when behind schedule."""
    seconds = 0.0
    for service in stop.services:
        median, sigma = STAY_BY_CODE.get(str(service.get("code")), (STAY_MEDIAN, STAY_SIGMA))
        seconds += int(service["minutes"]) * 60 * rng.lognormvariate(math.log(median), sigma)
    if not stop.services:
        seconds = (stop.end - stop.start).total_seconds() * STAY_MEDIAN
    seconds *= manner
    behind = (now - stop.start).total_seconds()
    if behind > 0:
        seconds -= min(0.5 * behind, 0.25 * seconds)
    else:
        seconds += min(0.3 * -behind, 0.1 * seconds)
    if rng.random() < LONG_STAY:
        seconds += rng.uniform(20, 45) * 60
    return timedelta(seconds=round(seconds / 30) * 30)
