"""Roles and reach on the registry's API: 403 for a role that may not act, 404 for objects
outside the user's reach, and a field worker sees only their own clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Office, Role
from registry.models import Client, Worker
from tests import factories as f


@dataclass
class World:
    office_a: Office
    office_b: Office  # same region as A
    office_c: Office  # another region
    worker: Worker  # a field worker of office A
    own_client: Client  # the worker's usual client
    other_client: Client  # a client of office A served by someone else
    client_b: Client
    client_c: Client
    headers: dict[str, dict[str, str]]


@pytest.fixture
def world(db: Session) -> World:
    region = f.region(db)
    office_a, office_b = f.office(db, region), f.office(db, region)
    office_c = f.office(db)
    login = f.user(db, Role.WORKER)
    worker = f.worker(db, office_a, login)
    own = f.client(db, office_a, preferred_worker_id=worker.id)
    f.care_plan(db, own, [(f.service(db, office_a, "C01"), "daily")])
    return World(
        office_a=office_a,
        office_b=office_b,
        office_c=office_c,
        worker=worker,
        own_client=own,
        other_client=f.client(db, office_a),
        client_b=f.client(db, office_b),
        client_c=f.client(db, office_c),
        headers={
            "admin": f.auth(f.user(db, Role.ADMIN)),
            "manager": f.auth(f.user(db, Role.MANAGER, region_id=region.id)),
            "supervisor_a": f.auth(f.user(db, Role.SUPERVISOR, offices=[office_a])),
            "worker": f.auth(login),
        },
    )


def test_worker_reads_only_own_clients_and_only_what_is_needed(
    api: TestClient, world: World
) -> None:
    h = world.headers["worker"]
    own = api.get(f"/api/clients/{world.own_client.id}", headers=h)
    assert own.status_code == 200
    assert "birth_date" not in own.json() and "confirmation_code" not in own.json()
    assert own.json()["address"] == world.own_client.address
    assert api.get(f"/api/clients/{world.other_client.id}", headers=h).status_code == 404
    assert api.get(f"/api/clients/{world.client_c.id}", headers=h).status_code == 404
    listed = api.get(f"/api/offices/{world.office_a.id}/clients", headers=h).json()
    assert [c["id"] for c in listed["items"]] == [world.own_client.id]
    assert listed["total"] == 1
    assert api.get(f"/api/offices/{world.office_b.id}/clients", headers=h).status_code == 404
    assert api.get(f"/api/clients/{world.own_client.id}/care-plan", headers=h).status_code == 200
    assert api.get(f"/api/clients/{world.other_client.id}/care-plan", headers=h).status_code == 404


def test_worker_cannot_edit_the_registry(api: TestClient, world: World) -> None:
    h = world.headers["worker"]
    own = world.own_client.id
    office = world.office_a.id
    attempts = [
        api.patch(f"/api/clients/{own}", json={"phone": "1"}, headers=h),
        api.post(f"/api/clients/{own}/status", json={"status": "suspended"}, headers=h),
        api.put(
            f"/api/clients/{own}/care-plan",
            json={"valid_from": "2026-01-01", "lines": []},
            headers=h,
        ),
        api.delete(f"/api/clients/{own}", headers=h),
        api.post(
            f"/api/offices/{office}/clients", json={"full_name": "X", "address": "Y"}, headers=h
        ),
        api.get(f"/api/offices/{office}/workers", headers=h),
        api.get(f"/api/offices/{office}/services", headers=h),
        api.get(f"/api/workers/{world.worker.id}", headers=h),
        api.get(f"/api/clients/{own}/status-history", headers=h),
        api.get("/api/audit", headers=h),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert world.own_client.phone == ""


def test_supervisor_gets_404_for_another_office(api: TestClient, world: World) -> None:
    h = world.headers["supervisor_a"]
    b = world.client_b.id
    assert api.get(f"/api/clients/{world.other_client.id}", headers=h).status_code == 200
    assert api.get(f"/api/clients/{b}", headers=h).status_code == 404
    assert api.patch(f"/api/clients/{b}", json={"phone": "1"}, headers=h).status_code == 404
    assert (
        api.post(f"/api/clients/{b}/status", json={"status": "suspended"}, headers=h).status_code
        == 404
    )
    assert api.get(f"/api/offices/{world.office_b.id}/clients", headers=h).status_code == 404
    assert api.get(f"/api/offices/{world.office_b.id}", headers=h).status_code == 404
    offices = api.get("/api/offices", headers=h).json()
    assert [o["id"] for o in offices["items"]] == [world.office_a.id]


def test_manager_reads_own_region_only_and_cannot_edit(api: TestClient, world: World) -> None:
    h = world.headers["manager"]
    offices = api.get("/api/offices", headers=h).json()
    assert {o["id"] for o in offices["items"]} == {world.office_a.id, world.office_b.id}
    assert api.get(f"/api/clients/{world.client_b.id}", headers=h).status_code == 200
    assert api.get(f"/api/clients/{world.client_c.id}", headers=h).status_code == 404
    assert api.get(f"/api/offices/{world.office_c.id}/workers", headers=h).status_code == 404
    assert api.get(f"/api/offices/{world.office_a.id}/workers", headers=h).json()["total"] == 1
    edits = [
        api.patch(f"/api/clients/{world.client_b.id}", json={"phone": "1"}, headers=h),
        api.post(
            f"/api/offices/{world.office_a.id}/services",
            json={"code": "X", "name": "X", "standard_minutes": 5},
            headers=h,
        ),
        api.patch(f"/api/offices/{world.office_a.id}", json={"name": "X"}, headers=h),
        api.post("/api/offices", json={"region_id": 1, "name": "X"}, headers=h),
    ]
    assert [e.status_code for e in edits] == [403] * len(edits)


def test_admin_reaches_everything_and_anonymous_nothing(api: TestClient, world: World) -> None:
    h = world.headers["admin"]
    for client in (world.client_b, world.client_c):
        assert api.get(f"/api/clients/{client.id}", headers=h).status_code == 200
    assert (
        api.patch(f"/api/clients/{world.client_c.id}", json={"phone": "2"}, headers=h).status_code
        == 200
    )
    assert api.get(f"/api/clients/{world.client_c.id}").status_code == 401
