"""Upkeep: `careroute tracking partitions|drop-old|infer` and the periodic pass
`tracking.maintenance.run_once`, on the real PostGIS with committed pings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from tests.gateway.conftest import World, device_auth
from tracking import maintenance, partitions
from tracking.cli import main
from tracking.models import Visit

TZ = ZoneInfo(get_settings().timezone)
CLIENT = (55.751, 37.785)  # the factories' client address (lat, lon)


def yesterday() -> date:
    return datetime.now(TZ).date() - timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def approve_visit(world: World, day: date) -> None:
    """An approved plan in which the worker visits the world's client at 10:00."""
    with Session(get_engine()) as session:
        plan = Plan(office_id=world.office.id, day=day, version=1, status=PlanStatus.APPROVED)
        session.add(plan)
        session.flush()
        route = PlanRoute(
            plan_id=plan.id, worker_id=world.worker.id, start=at(day, 8), end=at(day, 17)
        )
        session.add(route)
        session.flush()
        session.add(
            PlanStop(
                route_id=route.id,
                plan_id=plan.id,
                worker_id=world.worker.id,
                client_id=world.client.id,
                seq=1,
                arrival=at(day, 10),
                start=at(day, 10),
                end=at(day, 10, 30),
            )
        )
        session.commit()


def send_track(client: TestClient, world: World, day: date) -> tuple[datetime, datetime]:
    """25 minutes at the client's door from 10:02, then a walk away; returns the stay."""
    arrive, leave = at(day, 10, 2), at(day, 10, 27)
    pings, t = [], arrive
    while t <= leave:
        pings.append({"t": t.isoformat(), "lat": CLIENT[0], "lon": CLIENT[1], "accuracy": 10})
        t += timedelta(seconds=30)
    for step in range(1, 21):  # north, about 50 m every 30 s
        t = leave + timedelta(seconds=30 * step)
        pings.append({"t": t.isoformat(), "lat": CLIENT[0] + 0.00045 * step, "lon": CLIENT[1]})
    answer = client.post(
        "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
    )
    assert answer.json()["counts"] == {"accepted": len(pings)}, answer.text
    return arrive, leave


def the_visit(world: World, day: date) -> Visit | None:
    with Session(get_engine()) as session:
        return session.scalars(
            select(Visit).where(Visit.worker_id == world.worker.id, Visit.day == day)
        ).one_or_none()


def test_infer_finds_the_visit_the_worker_did_not_tap(
    app_client: TestClient, world: World, capsys
) -> None:
    day = yesterday()
    approve_visit(world, day)
    arrive, leave = send_track(app_client, world, day)
    assert the_visit(world, day) is None

    code = main(["infer", "--office", str(world.office.id), "--day", day.isoformat()])

    assert code == 0
    assert "1 visits seen" in capsys.readouterr().out
    visit = the_visit(world, day)
    assert visit is not None and visit.client_id == world.client.id
    assert abs(visit.inferred_arrival - arrive) <= timedelta(minutes=1)
    assert abs(visit.inferred_departure - leave) <= timedelta(minutes=1)
    assert visit.arrival_source == "inferred" and visit.status == "done"
    assert visit.planned_start == at(day, 10)


def test_partitions_are_made_ahead_and_old_ones_dropped(migrated: None) -> None:
    ancient = date(2019, 1, 1)  # far beyond any retention
    partitions.ensure_partitions([ancient])
    partitions.forget_known()
    assert ancient in partitions.existing()

    assert main(["partitions", "--ahead", "3"]) == 0
    assert main(["drop-old"]) == 0

    days = partitions.existing()
    today = datetime.now(UTC).date()
    assert ancient not in days
    assert {today + timedelta(days=n) for n in range(4)} <= days
    with get_engine().connect() as conn:  # the parent table and today's rows are untouched
        assert conn.execute(text("SELECT to_regclass('ping') IS NOT NULL")).scalar()


def test_one_upkeep_pass_infers_yesterday_and_keeps_partitions(
    app_client: TestClient, world: World
) -> None:
    day = yesterday()
    approve_visit(world, day)
    send_track(app_client, world, day)
    ancient = date(2019, 1, 2)
    partitions.ensure_partitions([ancient])

    with Session(get_engine()) as session:
        upkeep = maintenance.run_once(session, office_ids=[world.office.id])

    assert upkeep.failed == []
    assert ancient in upkeep.dropped
    assert upkeep.inferred[(world.office.id, day)] == 1
    assert upkeep.inferred[(world.office.id, day + timedelta(days=1))] == 0
    visit = the_visit(world, day)
    assert visit is not None and visit.arrival_source == "inferred"
