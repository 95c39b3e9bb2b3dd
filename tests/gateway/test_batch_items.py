"""One bad item refuses only itself: each gets its reason, the rest of the batch is stored.
And the visit evidence that means something: real strokes, the visit's one-time code,
minutes bounded by the service's standard, far-away taps unverified until reviewed."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import text

from core.db import get_engine
from tests.factories import auth
from tests.gateway.conftest import World, device_auth
from tests.gateway.test_events import event
from tests.gateway.test_sync import batch, stored
from tracking.evidence import visit_code


def add_service(world: World, code: str = "C01", minutes: int = 30) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            text(
                "INSERT INTO service (office_id, code, name, category, level, standard_minutes,"
                " active) VALUES (:o, :c, 'Уборка', '', 1, :m, true)"
            ),
            {"o": world.office.id, "c": code, "m": minutes},
        )


def signature(strokes: bool) -> str:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))  # a phone canvas: transparent
    if strokes:
        ImageDraw.Draw(image).line(
            [(20, 90), (80, 20), (150, 100), (280, 30)], fill="black", width=3
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def post(app_client: TestClient, world: World, body: dict, token: str | None = None) -> dict:
    answer = app_client.post(
        "/api/mobile/sync", json=body, headers=device_auth(token or world.token)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_bad_item_is_refused_with_its_reason_and_the_rest_stored(
    app_client: TestClient, world: World
) -> None:
    add_service(world)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    pings = batch(5, start=start)
    pings[1]["uuid"] = "a\x00b"
    pings[2]["uuid"] = 12345
    pings[3]["lat"] = "abc"
    events = [
        event(world, "arrived", start, client_id=2**63),
        event(world, "arrived", start, reason="door\x00code"),
        event(world, "service_rendered", start, services=[{"code": "C01", "minutes": "abc"}]),
        event(world, "arrived", start, client_id="7; DROP"),
        event(world, "arrived", start, plan_stop_id=2**40),
        event(world, "arrived", start, client_id=True),
        {"uuid": 17, "type": "arrived"},
        event(world, "arrived", start),
    ]
    answer = post(app_client, world, {"pings": pings, "events": events})
    assert [(p["status"], (p["reason"] or "")[:10]) for p in answer["pings"]] == [
        ("accepted", ""),
        ("rejected", "unreadable"),
        ("rejected", "unreadable"),
        ("rejected", "unreadable"),
        ("accepted", ""),
    ]
    assert [e["reason"] for e in answer["events"]] == [
        "bad_id",
        "nul_byte",
        "bad_minutes",
        "bad_id",
        "bad_id",
        "bad_id",
        "bad_uuid",
        None,
    ]
    assert answer["events"][-1]["status"] == "accepted"
    assert len(stored(world.worker.id)) == 2
    again = post(app_client, world, {"pings": pings, "events": events})  # the outbox resends
    assert again["counts"] == {"duplicate": 2, "rejected": 3}
    with get_engine().connect() as conn:
        counted = conn.execute(
            text("SELECT sum(count) FROM ping_drop WHERE worker_id = :w"), {"w": world.worker.id}
        ).scalar()
    assert counted == 3  # refused once, counted once


def test_a_whole_batch_that_is_not_one_is_422_and_too_large_413(
    app_client: TestClient, world: World
) -> None:
    headers = device_auth(world.token)
    for body in ([1, 2], {"pings": "x"}, {"pings": [], "events": 5}):
        assert app_client.post("/api/mobile/sync", json=body, headers=headers).status_code == 422
    bad_json = app_client.post("/api/mobile/sync", content=b"{\x00", headers=headers)
    assert bad_json.status_code == 422
    huge = {"pings": [{}] * 5001}
    assert app_client.post("/api/mobile/sync", json=huge, headers=headers).status_code == 413


def test_signatures_codes_minutes_and_far_arrivals(app_client: TestClient, world: World) -> None:
    add_service(world, "C01", 30)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    day = start.astimezone(ZoneInfo("Europe/Moscow")).date()
    code = visit_code(client_id=world.client.id, seed="4711", day=day)
    yesterday = visit_code(client_id=world.client.id, seed="4711", day=day - timedelta(days=1))
    t = start + timedelta(minutes=20)
    events = [
        event(world, "arrived", start, lat=-33.86, lon=151.2),  # Sydney: 14,000 km away
        event(world, "service_rendered", t, services=[{"code": "C01", "minutes": 99999}]),
        event(world, "service_rendered", t, services=[{"code": "C01", "minutes": 121}]),
        event(world, "service_rendered", t, services=[{"code": "C01", "minutes": 50}]),
        event(world, "client_confirmed", t, signature=signature(strokes=False)),
        event(world, "client_confirmed", t, code="4711"),  # the static code is no proof
        event(world, "client_confirmed", t, code=yesterday),
        event(world, "client_confirmed", t, signature=signature(strokes=True)),
        event(world, "client_confirmed", t, code=code),
    ]
    answer = post(app_client, world, {"events": events})["events"]
    assert [(e["status"], e["reason"]) for e in answer] == [
        ("accepted", "unverified"),
        ("rejected", "bad_minutes"),
        ("rejected", "minutes_above_standard"),
        ("accepted", "long_service"),
        ("rejected", "empty_signature"),
        ("accepted", "wrong_code"),  # kept as a trace, confirms nothing
        ("accepted", "wrong_code"),
        ("accepted", None),
        ("accepted", None),
    ]
    supervisor = auth(world.supervisor)
    (fact,) = app_client.get(
        f"/api/offices/{world.office.id}/visits?day={day}", headers=supervisor
    ).json()
    assert fact["minutes"] == 50 and fact["confirmed"] is True
    assert {"unverified", "long_service", "geofence"} <= set(fact["flags"])
    # the code confirmed this visit: another worker's visit that day cannot use it again
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE client SET preferred_worker_id = :w WHERE id = :c"),
            {"w": world.other_worker.id, "c": world.client.id},
        )
    reused = post(
        app_client,
        world,
        {"events": [event(world, "client_confirmed", t, code=code)]},
        token=world.other_token,
    )["events"][0]
    assert (reused["status"], reused["reason"]) == ("accepted", "code_used")
    reviewed = app_client.post(f"/api/visits/{fact['id']}/review", headers=supervisor)
    assert reviewed.status_code == 200, reviewed.text
    assert "unverified" not in reviewed.json()["flags"] and "reviewed" in reviewed.json()["flags"]
    # the worker cannot review their own visit
    assert (
        app_client.post(f"/api/visits/{fact['id']}/review", headers=auth(world.worker_user))
    ).status_code == 403
    codes = app_client.get(
        f"/api/clients/{world.client.id}/visit-codes?since={day}&days=3", headers=supervisor
    )
    assert codes.status_code == 200
    assert codes.json()[0] == {"day": day.isoformat(), "code": code}
    assert len({c["code"] for c in codes.json()}) == 3
    assert (
        app_client.get(
            f"/api/clients/{world.client.id}/visit-codes", headers=auth(world.worker_user)
        ).status_code
        == 403
    )
