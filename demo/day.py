"""A worker's day as the phone would report it, simulated once as plain objects.

How the day departs from the plan is `demo.data.walk` (late and early starts, pace, stays
around the standard, lunch, a client not at home); this module adds what the phone and the
client leave: a fix every ~30 s, visit taps (sometimes forgotten or made away from the door),
the client's confirmation code (sometimes not given or misheard), the visit as tracking would
conclude it, the measured legs between doors and the clients' ratings.

Two adapters read the result: `demo.history` turns it into table rows for the past weeks
(COPY), `demo.simulate` into gateway requests for the live walk. Pure: no database, no I/O.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core import geo
from core.geo import METRES_PER_DEGREE
from demo.data import feedback
from demo.data.walk import Fate, PlannedDay, PlannedStop, Point, Segment, distance_m, walk

FORGOT_ARRIVAL = 0.02  # the arrival tap forgotten: the pings tell when she came
FORGOT_DEPARTURE = 0.05  # the departure tap forgotten: the pings tell when she left
AWAY_FROM_DOOR = 0.02  # a tap made in the street or at the bus stop, outside the geofence
TAPPED_LATER = 0.01  # "departed" remembered at the next client's door
CONFIRMED = 0.92  # the client tells the code from the card
WRONG_CODE = 0.02  # ...or a wrong one; the rest give none (card mislaid, client asleep)
DETOUR = {"walk": 1.3, "transit": 1.4, "car": 1.4}  # street path / straight line


@dataclass(frozen=True, slots=True)
class Fix:
    """A GPS fix of the phone."""

    t: datetime
    where: Point
    accuracy: float


@dataclass(frozen=True, slots=True)
class Tap:
    """One tap on the phone: when, where, how far from the client's door."""

    t: datetime
    where: Point
    distance_m: float

    @property
    def accuracy(self) -> float:
        return round(10.0 + self.distance_m / 10, 1)


@dataclass(frozen=True, slots=True)
class Event:
    """A visit event the worker's phone sends: arrived, service_rendered, client_confirmed,
    departed or no_show."""

    kind: str
    stop: PlannedStop
    tap: Tap
    services: list[dict[str, Any]] | None = None  # None: the stop's planned services
    code: str | None = None
    confirmed: bool | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The visit as the tracking service concludes it from the taps and the pings."""

    fate: Fate
    arrival: Tap | None
    departure: Tap | None
    status: str  # done | no_show
    confirmed: bool
    services: list[dict[str, Any]]
    max_distance_m: float


@dataclass(frozen=True, slots=True)
class Leg:
    """The trip from one client's door to the next one's, as the pings measure it."""

    came_from: Fate
    went_to: Fate
    straight_m: float
    path_m: float


@dataclass(frozen=True, slots=True)
class Rating:
    """The client's rating of a visit, given some hours later."""

    stop: PlannedStop
    service_code: str
    stars: int
    comment: str
    at: datetime


@dataclass(slots=True)
class WalkedDay:
    plan: PlannedDay
    fixes: list[Fix] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)


def walk_day(plan: PlannedDay, rng: random.Random, *, step_s: int = 30) -> WalkedDay:
    """One worker's day following the plan with realistic deviations."""
    day = WalkedDay(plan)
    segments, fates = walk(plan, rng)
    day.fixes = _fixes(segments, rng, step_s)
    for previous, fate in zip([None, *fates], fates, strict=False):
        if fate.no_show:
            _no_show(fate, rng, day)
        else:
            _done(fate, rng, day)
        if previous is not None:
            day.legs.append(_leg(plan, previous, fate, rng))
    return day


def _fixes(segments: Sequence[Segment], rng: random.Random, step_s: int) -> list[Fix]:
    fixes = []
    t = segments[0][0].replace(second=0, microsecond=0)
    index = 0
    jitter = 2.0 / METRES_PER_DEGREE  # ~2 m of GPS noise
    while t <= segments[-1][1]:
        while index < len(segments) - 1 and t > segments[index][1]:
            index += 1
        start, end, a, b = segments[index]
        share = 0.0 if end <= start else min(max((t - start) / (end - start), 0.0), 1.0)
        lon = a[0] + share * (b[0] - a[0]) + rng.gauss(0, jitter) * 1.8
        lat = a[1] + share * (b[1] - a[1]) + rng.gauss(0, jitter)
        fixes.append(Fix(t, (lon, lat), round(rng.uniform(4, 20), 1)))
        t += timedelta(seconds=step_s + rng.choice((0, 0, 0, 1, -1)))
    return fixes


def _tap(stop: PlannedStop, t: datetime, rng: random.Random, *, away: bool = False) -> Tap:
    """At the door a fix lands within tens of metres; away from it, a few hundred."""
    metres = rng.uniform(160, 600) if away else abs(rng.gauss(0, 15)) + 3
    angle = rng.uniform(0, 2 * math.pi)
    lon, lat = stop.where
    where = geo.offset(lon, lat, metres * math.cos(angle), metres * math.sin(angle))
    return Tap(t, where, round(metres, 1))


def _done(fate: Fate, rng: random.Random, day: WalkedDay) -> None:
    """A visit carried out: its taps (some forgotten, a few away from the door), the client's
    code, the outcome, and perhaps the client's rating."""
    stop = fate.stop
    away = rng.random() < AWAY_FROM_DOOR
    arrival = departure = None
    if rng.random() >= FORGOT_DEPARTURE:  # tapped on the stairs, or (away) down the street
        walked = timedelta(seconds=rng.uniform(150, 500)) if away else timedelta(0)
        if rng.random() < TAPPED_LATER:
            walked = timedelta(minutes=rng.uniform(12, 30))
        departure = _tap(stop, fate.departed + walked + _seconds(rng, 40), rng, away=away)
        away = False
    if rng.random() >= FORGOT_ARRIVAL:  # tapped in the hall, or (away) at the bus stop
        early = timedelta(seconds=rng.uniform(120, 400)) if away else timedelta(0)
        arrival = _tap(stop, fate.arrived - early + _seconds(rng, 40), rng, away=away)
    done = [dict(s) for s in stop.services]
    codes = [str(s["code"]) for s in done]
    if arrival is not None:
        day.events.append(Event("arrived", stop, arrival))
    rendered = _tap(stop, fate.departed - _seconds(rng, 90), rng)
    day.events.append(Event("service_rendered", stop, rendered, services=done))
    roll = rng.random()
    confirmed = roll < CONFIRMED
    if roll < CONFIRMED + WRONG_CODE:
        code = stop.confirmation_code if confirmed else _wrong(stop.confirmation_code, rng)
        said = Tap(rendered.t + _seconds(rng, 30), rendered.where, rendered.distance_m)
        day.events.append(Event("client_confirmed", stop, said, code=code, confirmed=confirmed))
    if departure is not None:
        day.events.append(Event("departed", stop, departure))
    taps = [tap for tap in (arrival, rendered, departure) if tap is not None]
    day.outcomes.append(
        Outcome(fate, arrival, departure, "done", confirmed, done, max(t.distance_m for t in taps))
    )
    stay = (fate.departed - fate.arrived).total_seconds() / 60
    standard = sum(int(s["minutes"]) for s in done)
    late_min = (fate.arrived - stop.start).total_seconds() / 60
    said_ = feedback.rating(rng, late_min=late_min, hurried=stay < 0.75 * standard, codes=codes)
    if said_ is not None:
        stars, comment, code = said_
        at = fate.departed + timedelta(minutes=rng.uniform(30, 480))
        day.ratings.append(Rating(stop, code, stars, comment, at))


def _no_show(fate: Fate, rng: random.Random, day: WalkedDay) -> None:
    """Nobody at home: the arrival tap at the door, then "no-show" with the reason."""
    stop = fate.stop
    arrival = _tap(stop, fate.arrived, rng)
    gave_up = _tap(stop, fate.departed, rng)
    day.events.append(Event("arrived", stop, arrival))
    day.events.append(Event("no_show", stop, gave_up, reason=fate.reason))
    farthest = max(arrival.distance_m, gave_up.distance_m)
    day.outcomes.append(Outcome(fate, arrival, None, "no_show", False, [], farthest))


def _seconds(rng: random.Random, most: float) -> timedelta:
    return timedelta(seconds=round(rng.uniform(0, most)))


def _wrong(code: str, rng: random.Random) -> str:
    """A code misheard or mistyped: one digit off."""
    digits = list(code or "0000")
    i = rng.randrange(len(digits))
    digits[i] = str((int(digits[i]) + rng.randint(1, 9)) % 10)
    return "".join(digits)


def _leg(plan: PlannedDay, a: Fate, b: Fate, rng: random.Random) -> Leg:
    straight = distance_m(a.stop.where, b.stop.where)
    detour = DETOUR.get(plan.mode, 1.3) * rng.lognormvariate(0.0, 0.06)
    return Leg(a, b, straight, straight * detour)
