"""Visit events: stored once, geofence flagged, folded into the visit fact."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from tests.factories import auth
from tests.gateway.conftest import World, device_auth
from tracking.evidence import visit_code


def event(world: World, kind: str, t: datetime, **extra) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "type": kind,
        "t": t.isoformat(),
        "client_id": world.client.id,
    } | extra


def test_visit_events_geofence_dedup_and_visit_fact(app_client: TestClient, world: World) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            text(
                "INSERT INTO service (office_id, code, name, category, level, standard_minutes,"
                " active)"
                " VALUES (:o, 'C01', 'Покупка продуктов', '', 1, 30, true)"
            ),
            {"o": world.office.id},
        )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    near = {"lat": 55.7512, "lon": 37.7851}  # ~100 m from the address (55.751, 37.785)
    far = {"lat": 55.7600, "lon": 37.7850}  # ~1 km away
    day = start.astimezone(ZoneInfo("Europe/Moscow")).date()
    code = visit_code(client_id=world.client.id, seed="4711", day=day)
    events = [
        event(world, "arrived", start, **near),
        event(world, "service_rendered", start + timedelta(minutes=30), services=[{"code": "C01"}]),
        event(world, "client_confirmed", start + timedelta(minutes=31), code=code),
        event(world, "departed", start + timedelta(minutes=40), **far),
        event(world, "service_rendered", start, services=[{"code": "ZZZ"}]),
        event(world, "no_show", start),  # no reason given
    ]
    headers = device_auth(world.token)
    first = app_client.post("/api/mobile/sync", json={"events": events}, headers=headers).json()
    assert [e["status"] for e in first["events"]] == [
        "accepted",
        "accepted",
        "accepted",
        "accepted",
        "rejected",
        "rejected",
    ]
    assert first["events"][3]["reason"] == "outside_geofence"
    assert first["events"][4]["reason"] == "unknown_service"
    assert first["events"][5]["reason"] == "reason_required"
    again = app_client.post("/api/mobile/sync", json={"events": events[:4]}, headers=headers).json()
    assert [e["status"] for e in again["events"]] == ["duplicate"] * 4

    with get_engine().connect() as conn:
        distances = conn.execute(
            text(
                "SELECT type, distance_m, outside_geofence FROM visit_event WHERE worker_id = :w "
                "ORDER BY t, type"
            ),
            {"w": world.worker.id},
        ).all()
    assert len(distances) == 4
    arrived = next(d for d in distances if d[0] == "arrived")
    departed = next(d for d in distances if d[0] == "departed")
    assert 10 < arrived[1] < 150 and arrived[2] is False
    assert 900 < departed[1] < 1100 and departed[2] is True

    facts = app_client.get(
        f"/api/offices/{world.office.id}/visits?day={day}",
        headers=auth(world.supervisor),
    ).json()
    assert len(facts) == 1, day
    fact = facts[0]
    assert fact["status"] == "done"
    assert fact["arrival_source"] == "tapped" and fact["departure_source"] == "tapped"
    assert fact["services"] == [{"code": "C01", "minutes": 30}] and fact["minutes"] == 30
    assert fact["confirmed"] is True
    assert fact["flags"] == ["geofence"]


def test_a_worker_cannot_report_on_someone_elses_client(
    app_client: TestClient, world: World
) -> None:
    answer = app_client.post(
        "/api/mobile/sync",
        json={"events": [event(world, "arrived", datetime.now(UTC))]},
        headers=device_auth(world.other_token),
    ).json()
    assert answer["events"][0]["reason"] == "not_your_client"
    card = app_client.get(f"/api/me/clients/{world.client.id}", headers=auth(world.worker_user))
    assert card.status_code == 200
    assert card.json()["navigation"]["yandex"].startswith("https://yandex.ru/maps/?rtext=~55.751")
