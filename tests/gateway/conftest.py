"""Committed test data for the gateway: ingest commits on its own connections, so these
tests create a dedicated office, users, worker, client and device, and delete them after."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office, Role, User
from registry.models import Client, Worker, WorkerShift
from tests import factories
from tracking import live


@dataclass
class World:
    office: Office
    supervisor: User
    worker_user: User
    worker: Worker
    client: Client
    device_id: int
    token: str
    other_worker: Worker
    other_device_id: int
    other_token: str


def make_world(session: Session) -> World:
    """An office with two workers on duty every day and hour, a client, and their devices."""
    from tracking.devices import register_device

    office = factories.office(session)
    supervisor = factories.user(session, Role.SUPERVISOR, offices=[office])
    worker_user = factories.user(session, Role.WORKER)
    other_user = factories.user(session, Role.WORKER)
    workers = []
    for user in (worker_user, other_user):
        worker = factories.worker(session, office, user)
        for shift in worker.shifts:  # on duty around the clock, every day
            shift.start, shift.end = time(0), time(23, 59)
            shift.lunch_from = shift.lunch_to = None
        worker.shifts += [WorkerShift(weekday=d, start=time(0), end=time(23, 59)) for d in (6, 7)]
        workers.append(worker)
    client = factories.client(
        session, office, preferred_worker_id=workers[0].id, confirmation_code="4711"
    )
    device, token = register_device(session, worker=workers[0], name="phone", external_id=None)
    other_device, other_token = register_device(session, worker=workers[1], name="phone 2")
    session.commit()
    return World(
        office,
        supervisor,
        worker_user,
        workers[0],
        client,
        device.id,
        token,
        workers[1],
        other_device.id,
        other_token,
    )


def delete_world(world: World) -> None:
    """Remove every row the world and its tests made (pings included), by id: other test
    runs share these tables, so nothing here truncates. Live positions go from Redis too."""
    workers = [world.worker.id, world.other_worker.id]
    with get_engine().begin() as conn:
        ids = {"w": workers, "o": world.office.id}
        conn.execute(text("DELETE FROM ping WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM ping_drop WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM ping_refusal WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM track_day_stale WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM track_day WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM visit_event WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM visit WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM travel_leg WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM device WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM plan WHERE office_id = :o"), ids)
        conn.execute(text("DELETE FROM client WHERE office_id = :o"), ids)
        conn.execute(text("DELETE FROM worker WHERE office_id = :o"), ids)
        conn.execute(text("DELETE FROM service WHERE office_id = :o"), ids)
        users = [world.supervisor.id, world.worker_user.id, world.other_worker.user_id]
        # a supervisor's review of a visit is audited
        conn.execute(text("DELETE FROM audit_log WHERE user_id = ANY(:u)"), {"u": users})
        conn.execute(text("DELETE FROM app_user WHERE id = ANY(:u)"), {"u": users})
        region = conn.execute(text("SELECT region_id FROM office WHERE id = :o"), ids).scalar()
        conn.execute(text("DELETE FROM office WHERE id = :o"), ids)
        conn.execute(text("DELETE FROM region WHERE id = :r"), {"r": region})
    with contextlib.suppress(Exception):  # a test may have stopped Redis on purpose
        live.clear_positions(world.office.id, workers)


@pytest.fixture
def world(migrated: None) -> Iterator[World]:
    with Session(get_engine(), expire_on_commit=False) as session:
        made = make_world(session)
    try:
        yield made
    finally:
        delete_world(made)


@pytest.fixture
def app_client(migrated: None) -> Iterator[TestClient]:
    """The real app on real sessions (everything it writes is committed)."""
    from api.main import app

    with TestClient(app) as client:
        yield client


def device_auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Device {token}"}
