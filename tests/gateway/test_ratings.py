"""Clients' ratings in the phone's batch: stored once by their id (a resend is a duplicate),
linked to the visit, each bad one refused with its reason and the rest stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from tests.gateway.conftest import World, device_auth


def test_ratings_stored_once_and_linked_to_the_visit(app_client: TestClient, world: World) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    near = {"lat": 55.7512, "lon": 37.7851}
    events = [
        {"uuid": str(uuid.uuid4()), "type": kind, "t": (start + timedelta(minutes=m)).isoformat(),
         "client_id": world.client.id, **near}
        for kind, m in (("arrived", 0), ("departed", 40))
    ]  # fmt: skip
    rating = {
        "uuid": str(uuid.uuid4()),
        "t": (start + timedelta(minutes=41)).isoformat(),
        "client_id": world.client.id,
        "rating": 5,
        "comment": "Спасибо, всё хорошо",
    }
    bad = [
        {**rating, "uuid": str(uuid.uuid4()), "rating": 9},
        {**rating, "uuid": str(uuid.uuid4()), "client_id": 2**31 - 1},
        {**rating, "uuid": "not-a-uuid"},
    ]
    batch = {"events": events, "ratings": [rating, *bad]}
    headers = device_auth(world.token)
    first = app_client.post("/api/mobile/sync", json=batch, headers=headers).json()
    assert [r["status"] for r in first["ratings"]] == ["accepted", *["rejected"] * 3]
    assert [r["reason"] for r in first["ratings"][1:]] == [
        "bad_rating",
        "not_your_client",
        "bad_uuid",
    ]
    again = app_client.post("/api/mobile/sync", json=batch, headers=headers).json()
    assert again["ratings"][0]["status"] == "duplicate"
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.rating, f.comment, f.source, f.visit_id = v.id FROM client_feedback f "
                "JOIN visit v ON v.worker_id = f.worker_id AND v.client_id = f.client_id "
                "WHERE f.client_id = :c"
            ),
            {"c": world.client.id},
        ).all()
    assert [tuple(r) for r in rows] == [(5, "Спасибо, всё хорошо", "phone", True)]
    # a batch without ratings answers as before
    plain = app_client.post("/api/mobile/sync", json={"pings": []}, headers=headers).json()
    assert "ratings" not in plain
