"""A move re-times only the routes it touches, with the travel times the plan was made with:
every other route stays exactly as stored (real PostGIS)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import moves, plans
from planner.models import Plan, PlanRoute
from registry.models import Service
from tests import factories as f
from tests.planner.test_service import MONDAY, QUICK, Day, make_day

pytestmark = pytest.mark.db

# walking speeds measured from the office's pings, unlike the defaults: a move that timed the
# routes with the defaults would change every route's travel
MEASURED = {"walk": (3.1, 1.7)}


def _route(route: PlanRoute) -> tuple[Any, ...]:
    stops = tuple((s.client_id, s.arrival, s.start, s.end, s.travel_s) for s in route.stops)
    return (route.start, route.end, route.break_start, route.break_end, route.travel_s, stops)


def _routes(plan: Plan) -> dict[int, tuple[Any, ...]]:
    return {r.worker_id: _route(r) for r in plan.routes}


def _busy_day(db: Session) -> tuple[Day, Plan]:
    day = make_day(db)
    f.worker(db, day.office, full_name="Вера")  # a third route the moves never touch
    shopping = db.scalars(
        select(Service).where(Service.office_id == day.office.id, Service.code == "C01")
    ).one()
    for n in range(6):
        client = f.client(db, day.office, lonlat=(37.80 + 0.003 * n, 55.74 + 0.002 * n))
        f.care_plan(db, client, [(shopping, "daily")])
    db.flush()
    plan = plans.plan_day(
        db,
        office_id=day.office.id,
        day=MONDAY,
        user_id=day.supervisor.id,
        params=QUICK,
        speeds=MEASURED,
    )
    assert plan.params["speeds"] == {"walk": [3.1, 1.7]}
    assert len([r for r in plan.routes if r.stops]) == 3
    return day, plan


def test_a_move_keeps_every_other_route_as_stored(db: Session) -> None:
    day, plan = _busy_day(db)
    before = _routes(plan)
    source = max(plan.routes, key=lambda r: len(r.stops))
    target = next(r for r in plan.routes if r.worker_id != source.worker_id)
    untouched = [r.worker_id for r in plan.routes if r not in (source, target)]
    moved = source.stops[-1]
    result = moves.move_visit(
        db,
        plan_id=plan.id,
        user=day.supervisor,
        stop_id=moved.id,
        to_worker_id=target.worker_id,
        position=len(target.stops),
    )
    after = _routes(result.plan)
    assert untouched and all(after[w] == before[w] for w in untouched)
    assert after[source.worker_id] != before[source.worker_id]
    assert moved.client_id in [s[0] for s in after[target.worker_id][5]]
    assert {int(r.worker_id) for r in result.routes} == {source.worker_id, target.worker_id}


def test_a_move_times_the_route_with_the_plans_travel_times(db: Session) -> None:
    day, plan = _busy_day(db)
    route = max(plan.routes, key=lambda r: len(r.stops))
    stored = [s.travel_s for s in route.stops]
    # the same visit put back at its own place: the travel of every leg is the solver's
    result = moves.move_visit(
        db,
        plan_id=plan.id,
        user=day.supervisor,
        stop_id=route.stops[1].id,
        to_worker_id=route.worker_id,
        position=1,
        dry_run=True,
    )
    (again,) = result.routes
    assert [s.travel for s in again.stops] == stored
