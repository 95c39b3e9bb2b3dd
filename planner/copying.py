"""Copying a stored plan: to edit an approved version as a new draft, or to lay a day's routes
on another date (the demo's history). Written once, so a new column is copied everywhere."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from planner.models import Plan, PlanRoute, PlanStatus, PlanStop, PlanUnplanned

_ROUTE_TIMES = ("start", "end", "break_start", "break_end")
_ROUTE_FIGURES = (
    "worker_id",
    "travel_s",
    "service_s",
    "wait_s",
    "distance_m",
    "lunch_place",
    "lunch_after_client_id",
)
_STOP_TIMES = ("arrival", "start", "end")
_STOP_FIELDS = ("worker_id", "client_id", "travel_s", "wait_s", "services", "pinned", "why")


def copy_plan(
    session: Session,
    plan: Plan,
    *,
    version: int,
    status: PlanStatus,
    params: dict[str, object],
    day: date | None = None,
    created_by: int | None = None,
    with_unplanned: bool = True,
) -> Plan:
    """A new stored plan with the same routes and stops (and left-out visits unless told not
    to); on `day` (every time moved by the same number of days) when given, else on the plan's
    own day."""
    shift = (day or plan.day) - plan.day
    copy = Plan(
        office_id=plan.office_id,
        day=day or plan.day,
        version=version,
        status=status,
        cost=plan.cost,
        stats=dict(plan.stats),
        params=params,
        created_by=created_by,
        week_id=plan.week_id if day in (None, plan.day) else None,
    )
    session.add(copy)
    session.flush()
    copy.routes = [_copy_route(route, copy.id, shift) for route in plan.routes]
    if with_unplanned:
        copy.unplanned = [
            PlanUnplanned(client_id=u.client_id, code=u.code, reason=u.reason, services=u.services)
            for u in plan.unplanned
        ]
    session.flush()
    return copy


def copy_stop(stop: PlanStop, seq: int, shift: timedelta = timedelta(0)) -> PlanStop:
    """The stop at position `seq`, its times moved by `shift`."""
    copy = PlanStop(seq=seq, plan_id=stop.plan_id)
    for name in _STOP_FIELDS:
        setattr(copy, name, getattr(stop, name))
    for name in _STOP_TIMES:
        setattr(copy, name, getattr(stop, name) + shift)
    return copy


def _copy_route(route: PlanRoute, plan_id: int, shift: timedelta) -> PlanRoute:
    new = PlanRoute(**{name: getattr(route, name) for name in _ROUTE_FIGURES})
    for name in _ROUTE_TIMES:
        moment = getattr(route, name)
        setattr(new, name, moment + shift if moment is not None else None)
    new.stops = [copy_stop(stop, stop.seq, shift) for stop in route.stops]
    for stop in new.stops:
        stop.plan_id = plan_id
    return new
