"""Where a stored route's lunch is taken, read from its rows, and the exception of a lunch
that falls inside a walk.

The office's rule: lunch at a place, at the start point before leaving or at a client's after
the visit, the walk on beginning once it is over (`planner._lunch.place`). The planner stores
the place it chose (`PlanRoute.lunch_place`, `lunch_after_client_id`); this module reads it
back and checks it against the route's times, so a route stored before the place was
recorded, or one whose times were kept from an older version (a re-plan keeps a lunch
already taken), still says where its lunch is, or that it has none: a lunch inside a walk is
shown to the supervisor as an exception, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from planner.models import PlanRoute, PlanStop

START = "start"  # at the start point, before leaving
STOP = "stop"  # at a client's, after the visit
WALK = "walk"  # inside a walk: an exception a supervisor must see


@dataclass(frozen=True, slots=True)
class LunchAt:
    """A route's lunch: when, and where. `after_seq`: the stop after which it is taken (0 =
    before leaving). In a walk, `from_client_id` / `to_client_id` name the walk (None = the
    start or end point)."""

    start: datetime
    end: datetime
    place: str
    after_client_id: int | None = None
    after_seq: int | None = None
    from_client_id: int | None = None
    to_client_id: int | None = None

    @property
    def in_walk(self) -> bool:
        return self.place == WALK


def lunch_of(route: PlanRoute) -> LunchAt | None:
    """The route's lunch and its place as its times show it; None without a lunch."""
    b0, b1 = route.break_start, route.break_end
    if b0 is None or b1 is None:
        return None
    stops = sorted(route.stops, key=lambda s: s.seq)
    if not stops:
        return LunchAt(b0, b1, START, after_seq=0)
    for k in _order(route, stops):
        ready = stops[k].end if k >= 0 else None  # before leaving: any time before departure
        leave = _departure(route, stops, k + 1)
        if (ready is None or ready <= b0) and b1 <= leave:
            if k < 0:
                return LunchAt(b0, b1, START, after_seq=0)
            return LunchAt(b0, b1, STOP, stops[k].client_id, stops[k].seq)
    before = [s for s in stops if s.end <= b0]
    after = [s for s in stops if s.end > b0]
    return LunchAt(
        b0,
        b1,
        WALK,
        from_client_id=before[-1].client_id if before else None,
        to_client_id=after[0].client_id if after else None,
    )


def place_columns(after_client_id: int | None, has_lunch: bool) -> tuple[str | None, int | None]:
    """(lunch_place, lunch_after_client_id) of a route whose lunch is taken after this
    client's visit (None: at the start point)."""
    if not has_lunch:
        return None, None
    return (START, None) if after_client_id is None else (STOP, after_client_id)


def _order(route: PlanRoute, stops: list[PlanStop]) -> list[int]:
    """Gaps to try, the stored place first (-1 = at the start point)."""
    gaps = list(range(-1, len(stops)))
    stored: int | None = None
    if route.lunch_place == START:
        stored = -1
    elif route.lunch_place == STOP:
        stored = next(
            (k for k, s in enumerate(stops) if s.client_id == route.lunch_after_client_id), None
        )
    if stored is not None:
        gaps.remove(stored)
        gaps.insert(0, stored)
    return gaps


def _departure(route: PlanRoute, stops: list[PlanStop], n: int) -> datetime:
    """When the worker leaves for stop `n` (for the end point when `n` is past the last)."""
    if n < len(stops):
        return stops[n].arrival - timedelta(seconds=stops[n].travel_s)
    back = route.travel_s - sum(s.travel_s for s in stops)
    return route.end - timedelta(seconds=max(0, back))
