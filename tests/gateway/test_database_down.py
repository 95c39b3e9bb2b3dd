"""With PostgreSQL unreachable the gateway answers 503 (JSON) and writes nothing; the
phone's resend later stores everything. "Down" is a second engine pointing at a closed port,
so the shared database keeps running for everyone else."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.deps import get_session
from tests.gateway.conftest import World, device_auth
from tests.gateway.test_live import free_port
from tests.gateway.test_sync import batch


def test_database_down_answers_503_and_the_resend_stores_all(
    app_client: TestClient, world: World
) -> None:
    from api.main import app

    dead = create_engine(
        f"postgresql+psycopg://careroute:careroute@127.0.0.1:{free_port()}/careroute_test",
        connect_args={"connect_timeout": 2},
    )

    def down() -> Iterator[Session]:
        with Session(dead) as session:
            yield session

    pings = batch(200)
    app.dependency_overrides[get_session] = down
    try:
        answer = app_client.post(
            "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
        )
    finally:
        app.dependency_overrides.pop(get_session, None)
        dead.dispose()
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("database unavailable")
    assert answer.headers["retry-after"] == "5"

    again = app_client.post(
        "/api/mobile/sync", json={"pings": pings}, headers=device_auth(world.token)
    )
    assert again.json()["counts"] == {"accepted": 200}
    with get_engine().connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM ping WHERE worker_id = :w"), {"w": world.worker.id}
        ).scalar()
    assert count == 200
