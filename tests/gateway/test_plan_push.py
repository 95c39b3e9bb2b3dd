"""The phone's socket says "ready" once the server listens for its worker's plan changes; a
change published after that reaches the phone at the first try (no retries needed)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.gateway.conftest import World
from tests.gateway.test_live import reader
from tests.gateway.test_sockets import next_of_type
from tracking import live


def test_a_change_after_ready_is_never_lost(app_client: TestClient, world: World) -> None:
    with app_client.websocket_connect(f"/api/mobile/ws?token={world.token}") as socket:
        messages = reader(socket)
        ready = next_of_type(messages, "ready", 10)
        assert ready == {"type": "ready", "listening": True}
        change = {"plan_id": 7, "day": "2026-11-24", "version": 2, "stops": 3}
        assert live.publish_plan_change(world.office.id, world.worker.id, change)
        pushed = next_of_type(messages, "plan", 5)
        assert pushed is not None and pushed["change"] == change
        socket.close()
