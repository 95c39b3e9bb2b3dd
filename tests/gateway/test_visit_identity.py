"""A visit is the client's visit of the day, not the stop of one plan version: what a worker
recorded before the plan was approved again (a re-plan, an edit, a move to another worker)
still belongs to the visit afterwards, on the live board's facts, the phone and the reports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import User
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from tests.factories import auth
from tests.gateway.conftest import World, device_auth

TZ = ZoneInfo("Europe/Moscow")
NEAR = {"lat": 55.7512, "lon": 37.7851}  # ~100 m from the client's address


@pytest.fixture
def approving(world: World) -> Iterator[World]:
    """The world, with the audit rows of its approvals removed before the world goes."""
    yield world
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE user_id = :u"), {"u": world.supervisor.id})


def _day() -> Any:
    """Yesterday: every planned time has passed, and events of it are still accepted."""
    return datetime.now(TZ).date() - timedelta(days=1)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(_day(), time(hour, minute), TZ)


def _plan(
    session: Session, world: World, *, version: int, status: PlanStatus, worker_id: int, hour: int
) -> tuple[int, int]:
    """A plan of the world's office with one visit to its client; (plan id, stop id)."""
    plan = Plan(office_id=world.office.id, day=_day(), version=version, status=status)
    session.add(plan)
    session.flush()
    route = PlanRoute(plan_id=plan.id, worker_id=worker_id, start=_at(8), end=_at(17))
    session.add(route)
    session.flush()
    stop = PlanStop(
        route_id=route.id,
        plan_id=plan.id,
        worker_id=worker_id,
        client_id=world.client.id,
        seq=1,
        arrival=_at(hour),
        start=_at(hour),
        end=_at(hour, 30),
        services=[],
    )
    session.add(stop)
    session.commit()
    return plan.id, stop.id


def _event(world: World, kind: str, t: datetime, stop_id: int) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "type": kind,
        "t": t.isoformat(),
        "client_id": world.client.id,
        "plan_stop_id": stop_id,
    } | NEAR


def _sync(client: TestClient, world: World, events: list[dict[str, Any]]) -> None:
    answer = client.post(
        "/api/mobile/sync", json={"events": events}, headers=device_auth(world.token)
    )
    assert answer.status_code == 200, answer.text
    assert {e["status"] for e in answer.json()["events"]} == {"accepted"}, answer.text


def _facts(client: TestClient, world: World) -> list[dict[str, Any]]:
    answer = client.get(
        f"/api/offices/{world.office.id}/visits",
        params={"day": _day().isoformat()},
        headers=auth(world.supervisor),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_done_visit_follows_its_visit_into_a_new_version_and_another_worker(
    app_client: TestClient, approving: World
) -> None:
    world = approving
    with Session(get_engine(), expire_on_commit=False) as session:
        first_plan, first_stop = _plan(
            session, world, version=1, status=PlanStatus.APPROVED, worker_id=world.worker.id, hour=9
        )
        other_user = session.get_one(User, world.other_worker.user_id)
    _sync(
        app_client,
        world,
        [
            _event(world, "arrived", _at(9, 5), first_stop),
            _event(world, "departed", _at(9, 35), first_stop),
        ],
    )
    (before,) = _facts(app_client, world)
    assert before["plan_stop_id"] == first_stop and before["status"] == "done"

    # the supervisor gives the visit to the other worker, later, and approves the new version
    with Session(get_engine(), expire_on_commit=False) as session:
        second_plan, second_stop = _plan(
            session,
            world,
            version=2,
            status=PlanStatus.DRAFT,
            worker_id=world.other_worker.id,
            hour=11,
        )
    approved = app_client.post(f"/api/plans/{second_plan}/approve", headers=auth(world.supervisor))
    assert approved.status_code == 200, approved.text

    (after,) = _facts(app_client, world)
    key = f"{world.client.id}@{_day().isoformat()}"
    assert after["id"] == before["id"] and after["visit_key"] == before["visit_key"] == key
    assert after["worker_id"] == world.worker.id and after["status"] == "done"
    assert after["plan_stop_id"] == second_stop  # the visit's stop in the approved version
    assert datetime.fromisoformat(after["planned_start"]) == _at(11)
    assert "late" not in after["flags"]  # arrived before the new planned start

    # a late resend from the phone still names the first version's stop: the same visit
    _sync(app_client, world, [_event(world, "departed", _at(9, 36), first_stop)])
    (resent,) = _facts(app_client, world)
    assert resent["plan_stop_id"] == second_stop

    # the phone of the worker who has the visit now shows it done, under the same key
    route = app_client.get(
        "/api/me/route", params={"day": _day().isoformat()}, headers=auth(other_user)
    )
    assert route.status_code == 200, route.text
    (stop,) = route.json()["stops"]
    assert stop["plan_stop_id"] == second_stop and stop["visit_key"] == key
    assert stop["status"] == "done"

    # the reports: the visit is done, neither missed by one worker nor unplanned for the other
    report = app_client.get(
        "/api/reports/worker-timing",
        params={
            "office_id": world.office.id,
            "start": _day().isoformat(),
            "end": _day().isoformat(),
        },
        headers=auth(world.supervisor),
    )
    assert report.status_code == 200, report.text
    total = next(r for r in report.json()["rows"] if r["level"] == "total")
    assert total["visits_planned"] == 1 and total["visits_done"] == 1
    assert total["visits_missed"] == 0 and total["visits_unplanned"] == 0
    assert first_plan != second_plan


def test_a_new_version_of_the_same_worker_moves_the_planned_times(
    app_client: TestClient, approving: World
) -> None:
    world = approving
    with Session(get_engine(), expire_on_commit=False) as session:
        _, first_stop = _plan(
            session, world, version=1, status=PlanStatus.APPROVED, worker_id=world.worker.id, hour=9
        )
    _sync(app_client, world, [_event(world, "arrived", _at(10), first_stop)])
    (before,) = _facts(app_client, world)
    assert "late" in before["flags"]  # an hour after 9:00

    with Session(get_engine(), expire_on_commit=False) as session:
        second_plan, second_stop = _plan(
            session, world, version=2, status=PlanStatus.DRAFT, worker_id=world.worker.id, hour=10
        )
    approved = app_client.post(f"/api/plans/{second_plan}/approve", headers=auth(world.supervisor))
    assert approved.status_code == 200, approved.text
    (after,) = _facts(app_client, world)
    assert after["plan_stop_id"] == second_stop and after["status"] == "in_progress"
    assert "late" not in after["flags"]  # on time for the version the worker follows now


def test_a_partners_part_of_a_two_worker_visit_is_not_shown_done_on_the_other_phone(
    app_client: TestClient, approving: World
) -> None:
    """Two workers visit the client together; one has done their part, the other has not:
    the other's phone still shows their own part to do, and the drill-down says so too."""
    world = approving
    with Session(get_engine(), expire_on_commit=False) as session:
        plan = Plan(office_id=world.office.id, day=_day(), version=1, status=PlanStatus.APPROVED)
        session.add(plan)
        session.flush()
        stops = {}
        for worker in (world.worker, world.other_worker):
            route = PlanRoute(plan_id=plan.id, worker_id=worker.id, start=_at(8), end=_at(17))
            session.add(route)
            session.flush()
            stop = PlanStop(route_id=route.id, plan_id=plan.id, worker_id=worker.id,
                            client_id=world.client.id, seq=1, arrival=_at(10), start=_at(10),
                            end=_at(10, 30), services=[])  # fmt: skip
            session.add(stop)
            session.flush()
            stops[worker.id] = stop.id
        session.commit()
        other_user = session.get_one(User, world.other_worker.user_id)
    mine = stops[world.worker.id]
    _sync(
        app_client,
        world,
        [_event(world, "arrived", _at(10, 2), mine), _event(world, "departed", _at(10, 32), mine)],
    )
    route = app_client.get(
        "/api/me/route", params={"day": _day().isoformat()}, headers=auth(other_user)
    )
    assert route.status_code == 200, route.text
    (stop,) = route.json()["stops"]
    assert stop["plan_stop_id"] == stops[world.other_worker.id]
    assert stop["status"] != "done", stop
    drill = app_client.get(
        "/api/reports/visits",
        params={
            "office_id": world.office.id,
            "start": _day().isoformat(),
            "end": _day().isoformat(),
            "worker_id": world.other_worker.id,
        },
        headers=auth(world.supervisor),
    )
    assert drill.status_code == 200, drill.text
    assert [r["status"] for r in drill.json()["rows"]] == ["missed"]
