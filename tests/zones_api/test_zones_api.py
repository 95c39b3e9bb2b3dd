"""Zones through the API on the real PostGIS: rebalance, preview, moves, locks, roles."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from tests import factories as f


@pytest.fixture
def office_with_clients(db: Session):  # type: ignore[no-untyped-def]
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    workers = [f.worker(db, office, weekly_hours=40) for _ in range(3)]
    shopping = f.service(db, office, "C01", 40)
    cleaning = f.service(db, office, "C05", 60)
    rng = random.Random(3)
    clients = []
    for n in range(36):
        lon = 37.76 + rng.random() * 0.05
        lat = 55.74 + rng.random() * 0.025
        client = f.client(db, office, lonlat=(lon, lat), full_name=f"Клиент {n:02d}")
        f.care_plan(db, client, [(shopping, "weekdays:1,4"), (cleaning, "every:7")])
        clients.append(client)
    return office, supervisor, workers, clients


def _zone_of(api: TestClient, office_id: int, headers: dict[str, str]) -> dict[int, int]:
    rows = api.get(f"/api/offices/{office_id}/zones/clients", headers=headers).json()
    return {r["id"]: r["zone_id"] for r in rows}


def _bars(api: TestClient, office_id: int, headers: dict[str, str]) -> dict[int, int]:
    zones = api.get(f"/api/offices/{office_id}/zones", headers=headers).json()["zones"]
    return {z["id"]: z["figures"]["workload_minutes"] for z in zones}


def test_rebalance_then_move_three_clients_and_keep_it(
    api: TestClient, office_with_clients
) -> None:  # type: ignore[no-untyped-def]
    office, supervisor, _, clients = office_with_clients
    headers = f.auth(supervisor)
    answer = api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 3},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1

    zones = api.get(f"/api/offices/{office.id}/zones", headers=headers).json()
    assert len(zones["zones"]) == 3
    assert all(z["polygon"]["type"] == "MultiPolygon" for z in zones["zones"])
    zone_of = _zone_of(api, office.id, headers)
    assert set(zone_of) == {c.id for c in clients} and None not in zone_of.values()

    source, target = zones["zones"][0]["id"], zones["zones"][1]["id"]
    moving = [c for c, z in zone_of.items() if z == source][:3]
    moves = [{"client_id": c, "zone_id": target} for c in moving]
    before = _bars(api, office.id, headers)
    preview = api.post(
        f"/api/offices/{office.id}/zones/preview", json={"moves": moves}, headers=headers
    ).json()
    after = {z["zone_id"]: z["after"]["workload_minutes"] for z in preview["zones"]}
    assert after[source] < before[source] and after[target] > before[target]
    assert _bars(api, office.id, headers) == before  # a preview saves nothing

    saved = api.post(
        f"/api/offices/{office.id}/zones/moves", json={"moves": moves}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    new_zones = api.get(f"/api/offices/{office.id}/zones", headers=headers).json()
    id_by_worker = {z["worker_id"]: z["id"] for z in new_zones["zones"]}
    old_worker = {z["id"]: z["worker_id"] for z in zones["zones"]}
    kept = _zone_of(api, office.id, headers)
    assert all(kept[c] == id_by_worker[old_worker[target]] for c in moving)
    history = api.get(f"/api/offices/{office.id}/zones/history", headers=headers).json()
    assert [h["status"] for h in history] == ["active", "archived"]


def test_locked_clients_stay_on_rebalance(api: TestClient, office_with_clients) -> None:  # type: ignore[no-untyped-def]
    office, supervisor, _, _ = office_with_clients
    headers = f.auth(supervisor)
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 3},
        headers=headers,
    )
    zones = api.get(f"/api/offices/{office.id}/zones", headers=headers).json()["zones"]
    zone_of = _zone_of(api, office.id, headers)
    # Put three clients in an odd zone and lock them there.
    odd = [c for c, z in zone_of.items() if z != zones[2]["id"]][:3]
    api.post(
        f"/api/offices/{office.id}/zones/moves",
        json={"moves": [{"client_id": c, "zone_id": zones[2]["id"]} for c in odd]},
        headers=headers,
    )
    locked = api.post(
        f"/api/offices/{office.id}/zones/lock", json={"client_ids": odd}, headers=headers
    )
    assert locked.json()["updated"] == 3
    worker_of = {
        z["id"]: z["worker_id"]
        for z in api.get(f"/api/offices/{office.id}/zones", headers=headers).json()["zones"]
    }
    before = {c: worker_of[z] for c, z in _zone_of(api, office.id, headers).items()}
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "fewest_moves": False, "time_limit_s": 3},
        headers=headers,
    )
    worker_of = {
        z["id"]: z["worker_id"]
        for z in api.get(f"/api/offices/{office.id}/zones", headers=headers).json()["zones"]
    }
    after = {c: worker_of[z] for c, z in _zone_of(api, office.id, headers).items()}
    assert all(after[c] == before[c] for c in odd)


def test_roles_and_reach(api: TestClient, db: Session, office_with_clients) -> None:  # type: ignore[no-untyped-def]
    office, supervisor, workers, _ = office_with_clients
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 2},
        headers=f.auth(supervisor),
    )
    other_supervisor = f.user(db, Role.SUPERVISOR, offices=[f.office(db)])
    manager = f.user(db, Role.MANAGER, region_id=office.region_id)
    worker_user = f.user(db, Role.WORKER)
    workers[0].user_id = worker_user.id
    db.flush()
    url = f"/api/offices/{office.id}/zones"
    assert api.get(url, headers=f.auth(other_supervisor)).status_code == 404
    assert api.get(url, headers=f.auth(manager)).status_code == 200
    assert api.get(url, headers=f.auth(worker_user)).status_code == 403
    move = {"moves": [{"client_id": 1, "zone_id": 1}]}
    assert api.post(f"{url}/moves", json=move, headers=f.auth(manager)).status_code == 403
    assert api.post(f"{url}/moves", json=move, headers=f.auth(worker_user)).status_code == 403


def test_bad_moves_get_clear_errors(api: TestClient, office_with_clients) -> None:  # type: ignore[no-untyped-def]
    office, supervisor, _, clients = office_with_clients
    headers = f.auth(supervisor)
    assert api.get(f"/api/offices/{office.id}/zones", headers=headers).status_code == 404
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 2},
        headers=headers,
    )
    answer = api.post(
        f"/api/offices/{office.id}/zones/moves",
        json={"moves": [{"client_id": clients[0].id, "zone_id": 999999}]},
        headers=headers,
    )
    assert answer.status_code == 400 and "zone 999999" in answer.json()["detail"]
    answer = api.post(
        f"/api/offices/{office.id}/zones/moves",
        json={"polygon": {"type": "Polygon"}},
        headers=headers,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"]


def test_polygon_selects_clients_inside(api: TestClient, office_with_clients) -> None:  # type: ignore[no-untyped-def]
    office, supervisor, _, _ = office_with_clients
    headers = f.auth(supervisor)
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 2},
        headers=headers,
    )
    zones = api.get(f"/api/offices/{office.id}/zones", headers=headers).json()["zones"]
    square = {
        "type": "Polygon",
        "coordinates": [
            [[37.75, 55.73], [37.79, 55.73], [37.79, 55.77], [37.75, 55.77], [37.75, 55.73]]
        ],
    }
    preview = api.post(
        f"/api/offices/{office.id}/zones/preview",
        json={"polygon": square, "to_zone_id": zones[0]["id"]},
        headers=headers,
    ).json()
    inside = [
        c
        for c in api.get(f"/api/offices/{office.id}/zones/clients", headers=headers).json()
        if c["lon"] < 37.79
    ]
    assert preview["moved"] == len(inside) > 0


def test_preview_names_refused_clients_and_computes_the_rest(
    api: TestClient, db: Session, office_with_clients
) -> None:  # type: ignore[no-untyped-def]
    """A lasso that also catches a queued client: the what-if still answers for the others and
    names the refused one with a code the page translates; saving it is refused with a code."""
    from registry.models import ClientStatus

    office, supervisor, _, clients = office_with_clients
    headers = f.auth(supervisor)
    api.post(
        f"/api/offices/{office.id}/zones/rebalance",
        json={"save": True, "time_limit_s": 2},
        headers=headers,
    )
    queued = f.client(db, office, full_name="Очередная Зоя Павловна", status=ClientStatus.QUEUED)
    zones = api.get(f"/api/offices/{office.id}/zones", headers=headers).json()["zones"]
    zone_of = _zone_of(api, office.id, headers)
    target = zones[1]["id"]
    movers = [c.id for c in clients if zone_of[c.id] != target][:2]
    moves = [{"client_id": c, "zone_id": target} for c in [*movers, queued.id]]
    preview = api.post(
        f"/api/offices/{office.id}/zones/preview", json={"moves": moves}, headers=headers
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["moved"] == 2
    assert body["refused"] == [
        {
            "client_id": queued.id,
            "zone_id": target,
            "code": "not_served",
            "client_name": "Очередная Зоя Павловна",
            "client_status": "queued",
        }
    ]
    after = {z["zone_id"]: z["after"]["clients"] for z in body["zones"]}
    before = {z["zone_id"]: z["before"]["clients"] for z in body["zones"]}
    assert after[target] == before[target] + 2

    saved = api.post(
        f"/api/offices/{office.id}/zones/moves", json={"moves": moves}, headers=headers
    )
    assert saved.status_code == 400
    assert saved.json()["code"] == "zones.not_served"
    assert saved.json()["params"] == {"client_id": queued.id, "zone_id": target}
