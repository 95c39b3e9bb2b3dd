"""The two live websockets on the real app, PostGIS and Redis: the worker's phone hears of
plan changes (and only its own worker's), and a supervisor gets a snapshot, then deltas."""

from __future__ import annotations

import queue
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from core.security import create_access_token
from tests.gateway.conftest import World, device_auth
from tests.gateway.test_live import reader
from tests.gateway.test_sync import batch
from tracking import live


def next_of_type(messages: queue.Queue, kind: str, deadline_s: float) -> dict[str, Any] | None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            message = messages.get(timeout=0.1)
        except queue.Empty:
            continue
        if message.get("type") == kind:
            return message
    return None


def test_the_worker_socket_is_told_when_the_plan_changes(
    app_client: TestClient, world: World
) -> None:
    change = {"plan_id": 41, "day": "2026-11-24", "reason": "visit moved"}
    with (
        app_client.websocket_connect(f"/api/mobile/ws?token={world.token}") as mine,
        app_client.websocket_connect(f"/api/mobile/ws?token={world.other_token}") as theirs,
    ):
        my_messages, their_messages = reader(mine), reader(theirs)
        pushed = None
        # The process's one Redis subscription starts with the first socket: publish until
        # it is listening (a phone would reload its route on reconnect anyway).
        for _ in range(50):
            assert live.publish_plan_change(world.office.id, world.worker.id, change)
            pushed = next_of_type(my_messages, "plan", 0.2)
            if pushed:
                break
        assert pushed is not None, "the worker's socket got no plan change"
        assert pushed["worker_id"] == world.worker.id
        assert pushed["change"] == change
        assert isinstance(pushed["recv"], int)
        # the colleague's phone listens on its own worker's channel only
        assert next_of_type(their_messages, "plan", 0.5) is None

        # the socket still takes pings after a push
        mine.send_json({"pings": batch(2)})
        ack = next_of_type(my_messages, "ack", 5)
        assert ack is not None and ack["counts"] == {"accepted": 2}
        mine.close()
        theirs.close()


def test_a_supervisor_gets_a_snapshot_then_a_delta_after_a_ping(
    app_client: TestClient, world: World
) -> None:
    token = create_access_token(world.supervisor.id, "supervisor")
    url = f"/api/live/ws?office_id={world.office.id}&token={token}"
    start = datetime.now(UTC) - timedelta(hours=1)
    sent: list[dict[str, Any]] = []

    def post_ping() -> dict[str, Any]:
        ping = batch(1, start=start + timedelta(seconds=10 * len(sent)))[0]
        answer = app_client.post(
            "/api/mobile/sync", json={"pings": [ping]}, headers=device_auth(world.token)
        )
        assert answer.json()["counts"] == {"accepted": 1}, answer.text
        sent.append(ping)
        return ping

    with app_client.websocket_connect(url) as ws:
        messages = reader(ws)
        snapshot = messages.get(timeout=5)
        assert snapshot["type"] == "snapshot"
        assert snapshot["office_id"] == world.office.id
        assert snapshot["positions"] == [] and snapshot["visits"] == []

        delta = None
        for _ in range(50):  # until the process's Redis subscription listens
            post_ping()
            delta = next_of_type(messages, "positions", 0.2)
            if delta:
                break
        assert delta is not None, "no position reached the supervisor"
        # the next ping arrives as a delta of its own, with the newest position
        newest = post_ping()
        delta = next_of_type(messages, "positions", 5)
        assert delta is not None
        [position] = delta["items"]
        assert position["worker_id"] == world.worker.id
        assert (position["lat"], position["lon"]) == (newest["lat"], newest["lon"])
        assert datetime.fromisoformat(position["t"]) == datetime.fromisoformat(newest["t"])
        assert position["battery"] == 77 and position["accuracy"] == 8
        assert position["seen"] == delta["recv"]
        assert 0 <= time.time() * 1000 - delta["recv"] < 10_000
        ws.close()

    # a supervisor who connects now finds the worker in the snapshot
    with app_client.websocket_connect(url) as ws:
        snapshot = ws.receive_json()
        assert [p["worker_id"] for p in snapshot["positions"]] == [world.worker.id]
        assert snapshot["positions"][0]["lat"] == sent[-1]["lat"]
        ws.close()


def test_a_supervisor_of_another_office_is_refused(app_client: TestClient, world: World) -> None:
    token = create_access_token(world.supervisor.id, "supervisor")
    with app_client.websocket_connect(
        f"/api/live/ws?office_id={world.office.id + 100000}&token={token}"
    ) as ws:
        assert ws.receive_json() == {"type": "error", "detail": "office out of reach"}
