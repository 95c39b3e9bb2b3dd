"""Visit facts: one row per worker, client and day, planned against actual, for reports.

Arrival and departure come from the worker's taps; when a tap is missing the time inferred
from the pings fills in (`source` says which). Flags:
- `late`: arrived more than LATE_AFTER after the planned start;
- `geofence`: a tap was farther than settings.geofence_m from the client's address;
- `disagreement`: tapped and inferred times differ by more than DISAGREE_AFTER;
- `unconfirmed`: the visit ended without the client's confirmation;
- `unverified`: a tap was farther than UNVERIFIED_FACTOR x settings.geofence_m from the
  address (an arrival 7,000 km away is no arrival): the visit does not count as done in the
  reports until a supervisor reviews it (`reviewed`, kept from then on);
- `long_service`: a service was reported at more than 1.5 times its standard minutes (kept).

A visit is the client's visit of a day (`planner.plans.visit_key`), not the stop of one plan
version: when a version is approved (a re-plan, an edit, a move), each fact is linked to the
new version's stop of its client (`follow_approved_plan`), so the live board, the phone and
the reports keep speaking of the same visit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from planner.models import Plan, PlanStop
from planner.plans import visit_key
from tracking.models import Visit

UNVERIFIED_FACTOR = 10  # this many geofences away, a tap proves nothing
STICKY_FLAGS = ("long_service", "reviewed")  # set by events or people, not recomputed
LATE_AFTER = timedelta(minutes=15)
DISAGREE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Actual:
    """The chosen actual time and where it came from."""

    at: datetime | None
    source: str | None


def choose(tapped: datetime | None, inferred: datetime | None) -> Actual:
    """A tap wins over an inference; an inference fills a missing tap."""
    if tapped is not None:
        return Actual(tapped, "tapped")
    if inferred is not None:
        return Actual(inferred, "inferred")
    return Actual(None, None)


def _disagree(tapped: datetime | None, inferred: datetime | None) -> bool:
    return tapped is not None and inferred is not None and abs(tapped - inferred) > DISAGREE_AFTER


def flags_for(
    *,
    planned_start: datetime | None,
    arrived_at: datetime | None,
    tapped_arrival: datetime | None,
    inferred_arrival: datetime | None,
    tapped_departure: datetime | None,
    inferred_departure: datetime | None,
    departed_at: datetime | None,
    confirmed: bool,
    max_distance_m: float | None,
    geofence_m: float,
    reviewed: bool = False,
) -> list[str]:
    """The report flags of a visit (see the module docstring)."""
    flags: list[str] = []
    if (
        planned_start is not None
        and arrived_at is not None
        and arrived_at - planned_start > LATE_AFTER
    ):
        flags.append("late")
    if max_distance_m is not None and max_distance_m > geofence_m:
        flags.append("geofence")
    if _disagree(tapped_arrival, inferred_arrival) or _disagree(
        tapped_departure, inferred_departure
    ):
        flags.append("disagreement")
    if departed_at is not None and not confirmed:
        flags.append("unconfirmed")
    if (
        not reviewed
        and max_distance_m is not None
        and max_distance_m > UNVERIFIED_FACTOR * geofence_m
    ):
        flags.append("unverified")
    return flags


def visit_for(
    session: Session,
    *,
    office_id: int,
    worker_id: int,
    client_id: int,
    day: date,
    plan_stop: Any | None,
) -> Visit:
    """The visit fact row, created if missing, locked for this transaction."""
    values: dict[str, Any] = {
        "office_id": office_id,
        "worker_id": worker_id,
        "client_id": client_id,
        "day": day,
        "status": "planned",
        "services": [],
        "minutes": 0,
        "confirmed": False,
        "reason": "",
        "flags": [],
    }
    session.execute(
        insert(Visit)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["worker_id", "client_id", "day"])
    )
    visit = session.scalars(
        select(Visit)
        .where(Visit.worker_id == worker_id, Visit.client_id == client_id, Visit.day == day)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if plan_stop is not None and visit.plan_stop_id != plan_stop.id:
        link_to_stop(visit, plan_stop)
    return visit


def link_to_stop(visit: Visit, stop: PlanStop | None) -> None:
    """The visit's planned side is this stop (None: the visit is no longer planned)."""
    visit.plan_stop_id = stop.id if stop is not None else None
    visit.planned_start = stop.start if stop is not None else None
    visit.planned_end = stop.end if stop is not None else None


def stop_of_visit(
    stops: list[PlanStop],
    *,
    worker_id: int,
    client_id: int,
    with_facts: Collection[int] = (),
) -> PlanStop | None:
    """The stop of a worker's visit to a client among one version's stops: the worker's own;
    else, for a worker with no stop there (a colleague covered, or the visit was moved to
    another worker), the client's stop whose worker has no visit fact of their own
    (`with_facts`: the workers with a fact of this client-day), if exactly one is left. The
    reports pair stops and facts by the same rule (`api.reports.queries`)."""
    of_client = [s for s in stops if s.client_id == client_id]
    own = next((s for s in of_client if s.worker_id == worker_id), None)
    if own is not None:
        return own
    free = [s for s in of_client if s.worker_id not in set(with_facts)]
    return free[0] if len(free) == 1 else None


def follow_approved_plan(session: Session, plan: Plan, *, geofence_m: float) -> int:
    """Link every visit fact of the plan's office-day to the approved version's stop of the
    same visit (times and flags follow); returns how many facts changed their stop."""
    stops = [s for r in plan.routes for s in r.stops]
    changed = 0
    facts = visits_of_office(session, office_id=plan.office_id, day=plan.day)
    with_facts: dict[int, set[int]] = {}
    for visit in facts:
        with_facts.setdefault(visit.client_id, set()).add(visit.worker_id)
    for visit in facts:
        stop = stop_of_visit(
            stops,
            worker_id=visit.worker_id,
            client_id=visit.client_id,
            with_facts=with_facts[visit.client_id],
        )
        if (stop.id if stop is not None else None) == visit.plan_stop_id:
            continue
        link_to_stop(visit, stop)
        refresh(visit, geofence_m=geofence_m)
        changed += 1
    session.flush()
    return changed


def refresh(visit: Visit, *, geofence_m: float) -> None:
    """Recompute the chosen times and the flags after taps or inferences changed."""
    arrival = choose(visit.tapped_arrival, visit.inferred_arrival)
    departure = choose(visit.tapped_departure, visit.inferred_departure)
    visit.arrived_at, visit.arrival_source = arrival.at, arrival.source
    visit.departed_at, visit.departure_source = departure.at, departure.source
    if visit.status in ("planned", "in_progress") and visit.departed_at is not None:
        visit.status = "done"
    elif visit.status == "planned" and visit.arrived_at is not None:
        visit.status = "in_progress"
    sticky = [flag for flag in visit.flags or [] if flag in STICKY_FLAGS]
    visit.flags = sticky + flags_for(
        planned_start=visit.planned_start,
        arrived_at=visit.arrived_at,
        tapped_arrival=visit.tapped_arrival,
        inferred_arrival=visit.inferred_arrival,
        tapped_departure=visit.tapped_departure,
        inferred_departure=visit.inferred_departure,
        departed_at=visit.departed_at,
        confirmed=visit.confirmed,
        max_distance_m=visit.max_distance_m,
        geofence_m=geofence_m,
        reviewed="reviewed" in sticky,
    )


def review(visit: Visit, *, geofence_m: float) -> Visit:
    """A supervisor looked at the visit: its far-away taps no longer make it unverified."""
    if "reviewed" not in (visit.flags or []):
        visit.flags = [*(visit.flags or []), "reviewed"]
    refresh(visit, geofence_m=geofence_m)
    return visit


def reopen(visit: Visit, *, geofence_m: float) -> str:
    """The worker corrects the visit: what ended it (departure, services, confirmation, the
    reason it was not done) is cleared, the arrival stays; returns the status it had."""
    before = visit.status
    visit.status = "planned"
    visit.tapped_departure = visit.inferred_departure = None
    visit.services, visit.minutes, visit.confirmed, visit.reason = [], 0, False, ""
    visit.flags = [f for f in visit.flags or [] if f != "long_service"]
    refresh(visit, geofence_m=geofence_m)
    return before


def correctable(visit: Visit | None, *, today: date) -> str | None:
    """Why the worker may not correct this visit (None: they may): only their visit of today
    that is over, and only until a supervisor has reviewed it."""
    if visit is None or visit.status in ("planned", "in_progress"):
        return "nothing_to_correct"
    if visit.day != today:
        return "correction_not_today"
    if "reviewed" in (visit.flags or []):
        return "visit_reviewed"
    return None


def as_json(visit: Visit) -> dict[str, Any]:
    """The visit as the live view and the reports read it."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": visit.id,
        "visit_key": visit_key(visit.client_id, visit.day),
        "worker_id": visit.worker_id,
        "client_id": visit.client_id,
        "day": visit.day.isoformat(),
        "plan_stop_id": visit.plan_stop_id,
        "status": visit.status,
        "planned_start": iso(visit.planned_start),
        "arrived_at": iso(visit.arrived_at),
        "arrival_source": visit.arrival_source,
        "departed_at": iso(visit.departed_at),
        "departure_source": visit.departure_source,
        "services": visit.services,
        "minutes": visit.minutes,
        "confirmed": visit.confirmed,
        "flags": list(visit.flags),
    }


def visits_of_office(session: Session, *, office_id: int, day: date) -> list[Visit]:
    query = select(Visit).where(Visit.office_id == office_id, Visit.day == day).order_by(Visit.id)
    return list(session.scalars(query))


BEGUN = ("done", "in_progress", "no_show", "refused")  # most telling first


def begun_visits(session: Session, *, office_id: int, day: date) -> dict[int, str]:
    """Clients whose visit of the day has begun on a phone (a check-in, or done, no-show or
    refused), with the visit's status: such a visit is no longer moved by hand."""
    rows = session.execute(
        select(Visit.client_id, Visit.status, Visit.tapped_arrival, Visit.arrived_at).where(
            Visit.office_id == office_id, Visit.day == day
        )
    )
    begun: dict[int, str] = {}
    for client_id, status, tapped, arrived in rows:
        if status not in BEGUN:
            if tapped is None and arrived is None:
                continue
            status = "in_progress"
        known = begun.get(client_id)
        if known is None or BEGUN.index(status) < BEGUN.index(known):
            begun[client_id] = status
    return begun
