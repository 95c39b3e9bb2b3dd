"""Where each lunch is taken is stored with the plan, carried through copies, moves and
re-plans, read back against the route's times, and a lunch inside a walk is an exception the
supervisor sees (real PostGIS)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from api.plan_json import plan_detail
from planner import lunch_rows, moves, plans, replan
from planner.build import local_tz
from planner.copying import copy_plan
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from tests.planner.test_service import MONDAY, Day, _plan, make_day

pytestmark = pytest.mark.db


@pytest.fixture
def day(db: Session) -> Day:
    return make_day(db)


def _assert_lunch_at_its_place(plan: Plan) -> None:
    """Every route with a lunch says where, and its times put the lunch there."""
    with_lunch = [r for r in plan.routes if r.break_start is not None]
    assert with_lunch, "the day's workers all have a lunch"
    for route in with_lunch:
        lunch = lunch_rows.lunch_of(route)
        assert lunch is not None and not lunch.in_walk, (route.worker_id, lunch)
        assert route.lunch_place == lunch.place, (route.lunch_place, lunch)
        assert route.lunch_after_client_id == lunch.after_client_id
        stops = sorted(route.stops, key=lambda s: s.seq)
        assert route.break_end is not None
        if lunch.place == lunch_rows.STOP:
            k = next(k for k, s in enumerate(stops) if s.client_id == lunch.after_client_id)
            assert stops[k].end <= route.break_start
            if k + 1 < len(stops):
                nxt = stops[k + 1]
                assert nxt.arrival - timedelta(seconds=nxt.travel_s) >= route.break_end
        else:
            first = stops[0]
            assert first.arrival - timedelta(seconds=first.travel_s) >= route.break_end


def test_the_plan_stores_where_lunch_is_taken_through_copies_moves_and_replans(
    db: Session, day: Day
) -> None:
    plan = _plan(db, day)
    _assert_lunch_at_its_place(plan)
    shown = plan_detail(db, plan)
    assert shown["exceptions"] == []
    for route in shown["routes"]:
        if route["break_start"] is not None:
            assert route["lunch"]["place"] in ("start", "stop")
            if route["lunch"]["place"] == "stop":
                assert route["lunch"]["after_client_name"]

    # A copy (an approved plan edited as a draft, a day laid on another date) keeps the place.
    copy = copy_plan(db, plan, version=5, status=PlanStatus.DRAFT, params={}, day=MONDAY)
    assert [(r.lunch_place, r.lunch_after_client_id) for r in copy.routes] == [
        (r.lunch_place, r.lunch_after_client_id) for r in plan.routes
    ]
    _assert_lunch_at_its_place(copy)

    # Approved, then moved: the move copies the plan into a new draft and re-times it.
    plans.approve(db, plan_id=plan.id, user=day.supervisor)
    boris = next(r for r in plan.routes if r.worker_id == day.boris.id)
    moved = moves.move_visit(
        db,
        plan_id=plan.id,
        user=day.supervisor,
        stop_id=boris.stops[-1].id,
        to_worker_id=day.anna.id,
        position=0,
    )
    assert moved.plan.id != plan.id
    _assert_lunch_at_its_place(moved.plan)

    # A re-plan after the first visit of the day: lunch still at a place on every route.
    first = min((s for r in plan.routes for s in r.stops), key=lambda s: s.start)
    again = replan.replan(
        db, plan_id=plan.id, now=first.start.astimezone(local_tz()), params=_plan_params()
    )
    _assert_lunch_at_its_place(again)
    assert plan_detail(db, again)["exceptions"] == []


def _plan_params():  # type: ignore[no-untyped-def]
    from tests.planner.test_service import QUICK

    return QUICK


def _hand_made(db: Session, day: Day, break_at: datetime, place: str | None) -> Plan:
    """Anna: two visits 10:00-11:00 and 13:00-14:00, 30 min apart on foot; lunch at
    `break_at` for 45 min, stored as taken at `place` (after the first visit)."""
    plan = Plan(office_id=day.office.id, day=MONDAY, version=9, status=PlanStatus.DRAFT)
    at = datetime.combine(MONDAY, datetime.min.time(), local_tz())
    route = PlanRoute(
        worker_id=day.anna.id,
        start=at + timedelta(hours=9, minutes=30),
        end=at + timedelta(hours=14, minutes=30),
        break_start=break_at,
        break_end=break_at + timedelta(minutes=45),
        travel_s=3 * 1800,
        lunch_place=place,
        lunch_after_client_id=day.clients[0].id if place == "stop" else None,
    )
    plan.routes = [route]
    db.add(plan)
    db.flush()
    for seq, (client, hour) in enumerate(((day.clients[0], 10), (day.clients[1], 13)), start=1):
        start = at + timedelta(hours=hour)
        route.stops.append(
            PlanStop(
                plan_id=plan.id, worker_id=day.anna.id, client_id=client.id, seq=seq,
                arrival=start, start=start, end=start + timedelta(hours=1), travel_s=1800,
            )
        )  # fmt: skip
    db.flush()
    return plan


def test_a_lunch_inside_a_walk_is_an_exception_the_supervisor_sees(db: Session, day: Day) -> None:
    at = datetime.combine(MONDAY, datetime.min.time(), local_tz())
    # 12:00-12:45 then a 30-min walk to the 13:00 visit: the worker would have to leave at
    # 12:30, so lunch would end on the way.
    walk = _hand_made(db, day, at + timedelta(hours=12), "stop")
    lunch = lunch_rows.lunch_of(walk.routes[0])
    assert lunch is not None and lunch.in_walk
    assert (lunch.from_client_id, lunch.to_client_id) == (day.clients[0].id, day.clients[1].id)
    shown = plan_detail(db, walk)
    [exception] = shown["exceptions"]
    assert exception["code"] == "lunch_in_walk" and exception["worker_id"] == day.anna.id
    assert exception["from_client_name"] == day.clients[0].full_name
    assert exception["to_client_name"] == day.clients[1].full_name
    assert shown["routes"][0]["lunch"]["place"] == "walk"


def test_a_lunch_stored_before_its_place_was_recorded_is_read_from_the_times(
    db: Session, day: Day
) -> None:
    at = datetime.combine(MONDAY, datetime.min.time(), local_tz())
    # 11:30-12:15 at the first client's, then the walk at 12:30: at a place, no exception.
    old = _hand_made(db, day, at + timedelta(hours=11, minutes=30), None)
    lunch = lunch_rows.lunch_of(old.routes[0])
    assert lunch is not None
    assert (lunch.place, lunch.after_client_id, lunch.after_seq) == (
        "stop",
        day.clients[0].id,
        1,
    )
    assert plan_detail(db, old)["exceptions"] == []
