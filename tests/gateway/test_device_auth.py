"""Device spoofing on both GPS protocols, per-device and per-address rate limits, and the
fixes the apps send without a time or with bad fields: stored or refused, never lost, each
refusal recorded and counted once."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Role
from core.redis import get_redis
from tests import factories
from tests.factories import auth
from tests.gateway.conftest import World
from tracking import ratelimit
from tracking.pings import PingFlag


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Rate-limit windows start empty (the test client's address is the same in every test)."""

    def clear() -> None:
        r = get_redis()
        for key in r.scan_iter("rl:*"):
            r.delete(key)

    clear()
    yield
    clear()


def count(sql: str, worker_id: int) -> int:
    with get_engine().connect() as conn:
        return conn.execute(text(sql), {"w": worker_id}).scalar() or 0


def pings_of(worker_id: int) -> list[tuple]:
    with get_engine().connect() as conn:
        return conn.execute(
            text("SELECT t, flags, source FROM ping WHERE worker_id = :w ORDER BY t"),
            {"w": worker_id},
        ).all()


def bind(app_client: TestClient, world: World, ident: str) -> str:
    made = app_client.post(
        "/api/me/devices",
        json={"name": "app", "platform": "osmand", "external_id": ident},
        headers=auth(world.worker_user),
    )
    assert made.status_code == 201
    return made.json()["token"]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_osmand_identifier_alone_is_refused_and_token_accepted(
    app_client: TestClient, world: World
) -> None:
    token = bind(app_client, world, "123456")
    stamp = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    fix = f"lat=55.75&lon=37.78&timestamp={stamp}"
    spoofed = app_client.get(f"/api/gps/osmand?id=123456&{fix}")
    assert spoofed.status_code == 401
    wrong = app_client.get(f"/api/gps/osmand?id=123456&token={world.token}&{fix}")
    assert wrong.status_code == 401  # a token of another device does not match the identifier
    assert app_client.get(f"/api/gps/osmand?id=123456&token={token}&{fix}").status_code == 200
    assert app_client.get(f"/api/gps/osmand?id={token}&{fix}").json()["status"] == "duplicate"
    assert len(pings_of(world.worker.id)) == 1


def test_owntracks_needs_its_password(app_client: TestClient, world: World) -> None:
    bound = bind(app_client, world, "maria-phone")
    tst = int((datetime.now(UTC) - timedelta(minutes=2)).timestamp())
    message = {"_type": "location", "lat": 55.75, "lon": 37.78, "tst": tst}
    by_name = app_client.post(
        "/api/gps/owntracks", json=message, headers={"X-Limit-D": "maria-phone"}
    )
    assert by_name.status_code == 401
    no_password = app_client.post(
        "/api/gps/owntracks", json=message, headers=basic("maria-phone", "")
    )
    assert no_password.status_code == 401
    other_name = app_client.post("/api/gps/owntracks", json=message, headers=basic("x", bound))
    assert other_name.status_code == 401  # the identifier bound to the device must match
    good = app_client.post("/api/gps/owntracks", json=message, headers=basic("maria-phone", bound))
    assert good.status_code == 200 and good.json() == []
    assert len(pings_of(world.worker.id)) == 1


def test_non_string_identifiers_and_nul_bytes_are_4xx(app_client: TestClient, world: World) -> None:
    stamp = int(datetime.now(UTC).timestamp())
    for body in (
        {"id": 123456, "lat": 55.75, "lon": 37.78, "timestamp": stamp},
        {"id": ["x"], "lat": 55.75, "lon": 37.78},
        {"id": "a\x00b", "lat": 55.75, "lon": 37.78},
        {"location": {"coords": {"latitude": 55.7, "longitude": 37.7}}, "device_id": 7},
        {"id": world.token, "location": 5},
        {"id": world.token, "lat": 10**400, "lon": 37.78, "timestamp": 10**400},
        [1, 2],
    ):
        answer = app_client.post("/api/gps/osmand", json=body)
        assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.text)
    assert pings_of(world.worker.id) == []


def test_a_fix_without_time_gets_the_time_of_receipt_flagged(
    app_client: TestClient, world: World
) -> None:
    before = datetime.now(UTC)
    answer = app_client.get(f"/api/gps/osmand?id={world.token}&lat=55.7501&lon=37.7801")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    ((t, flags, source),) = pings_of(world.worker.id)
    assert before - timedelta(seconds=1) <= t <= datetime.now(UTC)
    assert flags & PingFlag.RECEIPT_TIME and source == "osmand"


def test_a_refused_fix_is_recorded_and_counted_once(app_client: TestClient, world: World) -> None:
    future = int((datetime.now(UTC) + timedelta(hours=2)).timestamp())
    fix = f"/api/gps/osmand?id={world.token}&lat=55.75&lon=37.78&timestamp={future}"
    for _ in range(3):  # the app resends
        answer = app_client.get(fix)
        assert answer.json() == {"uuid": None, "status": "rejected", "reason": "in_future"}
    tst = int((datetime.now(UTC) - timedelta(days=30)).timestamp())
    for _ in range(2):
        app_client.post(
            "/api/gps/owntracks",
            json={"_type": "location", "lat": 55.75, "lon": 37.78, "tst": tst},
            headers=basic("phone", world.token),
        )
    sql = "SELECT sum(count) FROM ping_drop WHERE worker_id = :w AND reason = '{}'"
    assert count(sql.format("in_future"), world.worker.id) == 1
    assert count(sql.format("too_old"), world.worker.id) == 1
    recorded = "SELECT count(*) FROM ping_refusal WHERE worker_id = :w AND source = 'owntracks'"
    assert count(recorded, world.worker.id) == 1
    assert pings_of(world.worker.id) == []


def test_rate_limits_per_device_and_per_address(
    app_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "DEVICE_PER_MINUTE", 5)
    monkeypatch.setattr(ratelimit, "ADDRESS_FAILURES_PER_10_MIN", 4)
    start = datetime.now(UTC) - timedelta(minutes=30)
    codes = [
        app_client.get(
            f"/api/gps/osmand?id={world.token}&lat=55.75&lon=37.78"
            f"&timestamp={int((start + timedelta(seconds=n)).timestamp())}"
        ).status_code
        for n in range(7)
    ]
    assert codes == [200] * 5 + [429] * 2
    limited = app_client.get(f"/api/gps/osmand?id={world.token}&lat=55.75&lon=37.78")
    assert int(limited.headers["retry-after"]) >= 1
    # the other device is not limited by the first one's budget
    other = app_client.get(f"/api/gps/osmand?id={world.other_token}&lat=55.75&lon=37.78")
    assert other.status_code == 200
    guesses = [
        app_client.get(f"/api/gps/osmand?id={n:06d}&lat=55.75&lon=37.78").status_code
        for n in range(6)
    ]
    assert guesses == [401] * 4 + [429] * 2
    # a valid token from that address still passes (phones behind one office NAT address)
    after = app_client.get(f"/api/gps/osmand?id={world.other_token}&lat=55.76&lon=37.78")
    assert after.status_code == 200
    assert len(pings_of(world.worker.id)) == 5


def test_a_supervisor_issues_a_device_and_binds_its_identifier(
    app_client: TestClient, world: World
) -> None:
    supervisor = auth(world.supervisor)
    issued = app_client.post(
        f"/api/workers/{world.worker.id}/devices",
        json={"name": "Traccar", "platform": "osmand"},
        headers=supervisor,
    )
    assert issued.status_code == 201, issued.text
    device, token = issued.json()["id"], issued.json()["token"]
    assert len(token) >= 32
    bound = app_client.patch(
        f"/api/devices/{device}", json={"external_id": "356938035643809"}, headers=supervisor
    )
    assert bound.status_code == 200 and bound.json()["external_id"] == "356938035643809"
    clash = app_client.patch(
        f"/api/devices/{world.device_id}",
        json={"external_id": "356938035643809"},
        headers=supervisor,
    )
    assert clash.status_code == 409
    fix = "lat=55.75&lon=37.78"
    assert app_client.get(f"/api/gps/osmand?id=356938035643809&{fix}").status_code == 401
    sent = app_client.get(f"/api/gps/osmand?id=356938035643809&token={token}&{fix}")
    assert sent.status_code == 200 and sent.json()["status"] == "accepted"
    listed = app_client.get(f"/api/workers/{world.worker.id}/devices", headers=supervisor).json()
    assert "token" not in listed[0] and listed[0]["id"] == device
    # a worker cannot issue or bind; a supervisor of another office does not see the worker
    worker = auth(world.worker_user)
    assert (
        app_client.post(f"/api/workers/{world.worker.id}/devices", json={}, headers=worker)
    ).status_code == 403
    assert app_client.patch(f"/api/devices/{device}", json={}, headers=worker).status_code == 403
    anonymous = app_client.post(f"/api/workers/{world.worker.id}/devices", json={})
    assert anonymous.status_code == 401
    with Session(get_engine(), expire_on_commit=False) as session:
        other_office = factories.office(session)
        stranger = factories.user(session, Role.SUPERVISOR, offices=[other_office])
        session.commit()
    try:
        foreign = app_client.post(
            f"/api/workers/{world.worker.id}/devices", json={}, headers=auth(stranger)
        )
        assert foreign.status_code == 404
        assert (
            app_client.patch(f"/api/devices/{device}", json={}, headers=auth(stranger))
        ).status_code == 404
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM app_user WHERE id = :u"), {"u": stranger.id})
            region = conn.execute(
                text("SELECT region_id FROM office WHERE id = :o"), {"o": other_office.id}
            ).scalar()
            conn.execute(text("DELETE FROM office WHERE id = :o"), {"o": other_office.id})
            conn.execute(text("DELETE FROM region WHERE id = :r"), {"r": region})
