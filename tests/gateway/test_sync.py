"""The batch endpoint: per-item answers, dedup across resends, order, device checks."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from tests.factories import auth
from tests.gateway.conftest import World, device_auth


def batch(n: int, *, start: datetime | None = None, step_s: int = 5) -> list[dict]:
    start = start or datetime.now(UTC) - timedelta(hours=2)
    return [
        {
            "uuid": str(uuid.uuid4()),
            "t": (start + timedelta(seconds=i * step_s)).isoformat(),
            "lat": 55.75 + i * 1e-5,
            "lon": 37.78 + i * 1e-5,
            "accuracy": 8,
            "speed": 1.2,
            "bearing": 90,
            "altitude": 150,
            "battery": 77,
        }
        for i in range(n)
    ]


def stored(worker_id: int) -> list[tuple]:
    with get_engine().connect() as conn:
        return conn.execute(
            text("SELECT t, ST_Y(location), flags FROM ping WHERE worker_id = :w ORDER BY t"),
            {"w": worker_id},
        ).all()


def test_a_batch_sent_three_times_is_stored_once(app_client: TestClient, world: World) -> None:
    pings = batch(300)
    answers = [
        app_client.post("/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["counts"] == {"accepted": 300}
    assert answers[1].json()["counts"] == {"duplicate": 300}
    assert answers[2].json()["counts"] == {"duplicate": 300}
    assert len(stored(world.worker.id)) == 300


def test_bad_items_are_answered_and_good_ones_stored(app_client: TestClient, world: World) -> None:
    pings = batch(4)
    pings[1]["lat"] = 123.0
    pings[2]["t"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    pings[3]["accuracy"] = 900  # kept, flagged
    pings.append({"uuid": "x", "t": "not a time", "lat": 1, "lon": 2})
    pings.append(dict(pings[0], uuid=str(uuid.uuid4())))  # same instant again in the batch
    answer = app_client.post(
        "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
    ).json()["pings"]
    assert [a["status"] for a in answer] == [
        "accepted",
        "rejected",
        "rejected",
        "accepted",
        "rejected",
        "duplicate",
    ]
    assert answer[1]["reason"] == "coordinates_out_of_range"
    assert answer[2]["reason"] == "in_future"
    rows = stored(world.worker.id)
    assert len(rows) == 2
    assert rows[1][2] & 1  # low accuracy flag


def test_shuffled_pings_come_back_in_device_time_order(
    app_client: TestClient, world: World
) -> None:
    pings = batch(10_000, start=datetime.now(UTC) - timedelta(days=2), step_s=7)
    shuffled = pings[:]
    random.Random(5).shuffle(shuffled)
    for chunk in range(0, len(shuffled), 2500):
        answer = app_client.post(
            "/api/mobile/sync",
            json={"pings": shuffled[chunk : chunk + 2500]},
            headers=device_auth(world.token),
        )
        assert answer.json().get("counts") == {"accepted": 2500}, answer.text[:300]
    rows = stored(world.worker.id)
    assert len(rows) == 10_000
    assert [r[0] for r in rows] == [datetime.fromisoformat(p["t"]) for p in pings]
    assert [round(r[1], 6) for r in rows] == [round(p["lat"], 6) for p in pings]


def test_worker_login_cannot_post_for_another_workers_device(
    app_client: TestClient, world: World
) -> None:
    headers = auth(world.worker_user) | {"X-Device-Id": str(world.other_device_id)}
    answer = app_client.post("/api/mobile/sync", json={"pings": batch(1)}, headers=headers)
    assert answer.status_code == 403
    assert "another worker" in answer.json()["detail"]
    own = auth(world.worker_user) | {"X-Device-Id": str(world.device_id)}
    answer = app_client.post("/api/mobile/sync", json={"pings": batch(1)}, headers=own)
    assert answer.status_code == 200
    assert answer.json()["counts"] == {"accepted": 1}
    assert stored(world.other_worker.id) == []


def test_unknown_and_revoked_devices_are_refused(app_client: TestClient, world: World) -> None:
    unknown = app_client.post("/api/mobile/sync", json={"pings": []}, headers=device_auth("nope"))
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == "unknown device"

    listed = app_client.get(
        f"/api/workers/{world.worker.id}/devices", headers=auth(world.supervisor)
    )
    assert [d["id"] for d in listed.json()] == [world.device_id]
    assert "token" not in listed.json()[0]
    revoked = app_client.post(
        f"/api/devices/{world.device_id}/revoke", headers=auth(world.supervisor)
    )
    assert revoked.json()["revoked"] is True
    refused = app_client.post(
        "/api/mobile/sync", json={"pings": batch(1)}, headers=device_auth(world.token)
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "device revoked"


def test_a_worker_registers_a_device_and_gets_its_token_once(
    app_client: TestClient, world: World
) -> None:
    made = app_client.post(
        "/api/me/devices",
        json={"name": "Redmi", "platform": "osmand", "external_id": "48241179"},
        headers=auth(world.worker_user),
    )
    assert made.status_code == 201
    token = made.json()["token"]
    answer = app_client.post(
        "/api/mobile/sync", json={"pings": batch(2)}, headers=device_auth(token)
    )
    assert answer.json()["counts"] == {"accepted": 2}
    mine = app_client.get("/api/me/devices", headers=auth(world.worker_user)).json()
    assert {d["external_id"] for d in mine} == {None, "48241179"}
    assert all("token" not in d for d in mine)
    other_worker = app_client.get(
        f"/api/workers/{world.worker.id}/devices", headers=auth(world.worker_user)
    )
    assert other_worker.status_code == 403


def test_pings_outside_the_shift_are_dropped_and_counted(
    app_client: TestClient, world: World, monkeypatch
) -> None:
    with get_engine().begin() as conn:  # a shift that is never now: 00:00-00:01 local
        conn.execute(
            text("UPDATE worker_shift SET start = '00:00', \"end\" = '00:01' WHERE worker_id = :w"),
            {"w": world.worker.id},
        )
    noon = datetime.now(UTC).replace(hour=9, minute=0) - timedelta(days=1)  # 12:00 Moscow
    answer = app_client.post(
        "/api/mobile/sync", json={"pings": batch(3, start=noon)}, headers=device_auth(world.token)
    ).json()
    assert [p["reason"] for p in answer["pings"]] == ["outside_shift"] * 3
    assert stored(world.worker.id) == []
    with get_engine().connect() as conn:
        count = conn.execute(
            text("SELECT sum(count) FROM ping_drop WHERE worker_id = :w"), {"w": world.worker.id}
        ).scalar()
    assert count == 3


def test_a_uuid_that_is_not_one_is_kept_out_of_the_column_but_the_ping_stored(
    app_client: TestClient, world: World
) -> None:
    pings = batch(2)
    pings[0]["uuid"] = "phone-17"
    answer = app_client.post(
        "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
    )
    assert answer.json()["pings"][0] == {"uuid": "phone-17", "status": "accepted", "reason": None}
    with get_engine().connect() as conn:
        uuids = conn.scalars(
            text("SELECT uuid::text FROM ping WHERE worker_id = :w ORDER BY t"),
            {"w": world.worker.id},
        ).all()
    assert uuids == [None, pings[1]["uuid"]]
    again = app_client.post(
        "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
    )
    assert again.json()["counts"] == {"duplicate": 2}
