"""Live view: a supervisor's socket gets a snapshot then deltas; a Redis restart mid-stream
loses no stored ping and the live updates resume by themselves (private Redis server)."""

from __future__ import annotations

import queue
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from core.redis import get_redis
from core.security import create_access_token
from core.settings import get_settings
from tests.gateway.conftest import World, device_auth
from tests.gateway.test_sync import batch
from tracking import live


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.directory),
                "--pidfile",
                str(self.directory / "redis.pid"),
            ],
            check=True,
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        time.sleep(0.3)


@pytest.fixture
def private_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{server.port}/0")
    get_redis.cache_clear()
    live._breaker.down_until = 0.0
    try:
        yield server
    finally:
        server.stop()
        get_redis.cache_clear()


def reader(ws) -> queue.Queue:  # type: ignore[no-untyped-def]
    """Messages of a test websocket, readable with a timeout."""
    messages: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            while True:
                messages.put(ws.receive_json())
        except Exception:
            return

    threading.Thread(target=run, daemon=True).start()
    return messages


def positions_until(messages: queue.Queue, deadline_s: float) -> dict | None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            message = messages.get(timeout=0.2)
        except queue.Empty:
            continue
        if message["type"] == "positions":
            return message
    return None


def test_redis_restart_loses_no_ping_and_live_resumes(
    private_redis: PrivateRedis, world: World
) -> None:
    from api.main import app

    token = create_access_token(world.supervisor.id, "supervisor")
    sent = 0
    base = datetime.now(UTC) - timedelta(hours=1)
    with (
        TestClient(app) as client,
        client.websocket_connect(f"/api/live/ws?office_id={world.office.id}&token={token}") as ws,
    ):
        messages = reader(ws)
        snapshot = messages.get(timeout=5)
        assert snapshot["type"] == "snapshot" and snapshot["positions"] == []

        def post(n: int) -> None:
            nonlocal sent
            pings = batch(n, start=base + timedelta(seconds=5 * sent))
            answer = client.post(
                "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
            )
            assert answer.status_code == 200
            assert answer.json()["counts"].get("accepted") == n, answer.text
            sent += n

        post(5)
        first = positions_until(messages, 5)
        assert first is not None and first["items"][0]["worker_id"] == world.worker.id

        private_redis.stop()
        post(5)  # stored while Redis is down
        post(5)
        private_redis.start()
        resumed = None
        for _ in range(40):  # the subscriber reconnects with backoff; the publisher retries
            post(1)
            resumed = positions_until(messages, 0.5)
            if resumed:
                break
        assert resumed is not None, "live updates did not resume"
        ws.close()

    with get_engine().connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM ping WHERE worker_id = :w"), {"w": world.worker.id}
        ).scalar()
    assert count == sent
