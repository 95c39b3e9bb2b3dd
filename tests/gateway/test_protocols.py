"""Phone GPS apps' own protocols, replayed as the apps send them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from tests.factories import auth
from tests.gateway.conftest import World


def rows(worker_id: int) -> list[tuple]:
    with get_engine().connect() as conn:
        return conn.execute(
            text(
                "SELECT t, ST_Y(location), ST_X(location), speed, bearing, altitude, accuracy, "
                "battery, source FROM ping WHERE worker_id = :w ORDER BY t"
            ),
            {"w": worker_id},
        ).all()


def external_id(app_client: TestClient, world: World, ident: str, platform: str) -> str:
    made = app_client.post(
        "/api/me/devices",
        json={"name": platform, "platform": platform, "external_id": ident},
        headers=auth(world.worker_user),
    )
    assert made.status_code == 201
    return made.json()["token"]


def test_osmand_query_as_traccar_client_sends_it(app_client: TestClient, world: World) -> None:
    token = external_id(app_client, world, "902064", "osmand")
    stamp = int((datetime.now(UTC) - timedelta(minutes=3)).timestamp())
    answer = app_client.post(
        f"/?id=902064&token={token}&timestamp={stamp}&lat=55.75288&lon=37.78412&speed=2.0&bearing=87.5"
        "&altitude=148.0&accuracy=12.0&batt=64.0&charge=false&hdop=6.0".replace(
            "/?", "/api/gps/osmand?"
        )
    )
    assert answer.status_code == 200, answer.text
    (row,) = rows(world.worker.id)
    assert row[0] == datetime.fromtimestamp(stamp, UTC)
    assert (round(row[1], 5), round(row[2], 5)) == (55.75288, 37.78412)
    assert abs(row[3] - 2.0 * 1852 / 3600) < 1e-3  # knots -> m/s
    assert row[4:8] == (87.5, 148.0, 12.0, 64.0)
    assert row[8] == "osmand"


def test_osmand_iso_time_form_body_and_token_as_id(app_client: TestClient, world: World) -> None:
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    iso = recent.strftime("%Y-%m-%dT%H:%M:%SZ")
    got = app_client.get(
        f"/api/gps/osmand?id={world.token}&lat=55.7501&lon=37.7801&timestamp={iso}"
    )
    assert got.status_code == 200
    plain = (recent + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
    form = app_client.post(
        "/api/gps/osmand",
        content=f"id={world.token}&location=55.7502,37.7802&timestamp={plain}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 200
    stored = rows(world.worker.id)
    assert [r[0] for r in stored] == [recent, recent + timedelta(minutes=1)]
    assert round(stored[1][1], 4) == 55.7502


def test_osmand_json_body_of_traccar_client_9(app_client: TestClient, world: World) -> None:
    token = external_id(app_client, world, "48241179", "osmand")
    stamp = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    stamp = stamp.replace("+00:00", "Z")
    body = (
        '{"location":{"timestamp":"' + stamp + '","coords":{"latitude":55.7519983,'
        '"longitude":37.784,"accuracy":5,"speed":1.5,"heading":-1,"altitude":5},'
        '"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":0.79,'
        '"is_charging":false},"activity":{"type":"still"},"extras":{}},"device_id":"48241179",'
        '"token":"' + token + '"}'
    )
    answer = app_client.post(
        "/api/gps/osmand", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    (row,) = rows(world.worker.id)
    assert row[3] == 1.5 and row[4] is None and round(row[7]) == 79


def test_osmand_unknown_device_is_refused(app_client: TestClient, world: World) -> None:
    answer = app_client.get("/api/gps/osmand?id=000000&lat=55.75&lon=37.78&timestamp=1377177267")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "unknown device"}


def test_owntracks_basic_auth_and_headers(app_client: TestClient, world: World) -> None:
    tst = int((datetime.now(UTC) - timedelta(minutes=2)).timestamp())
    message = {
        "_type": "location",
        "tid": "mp",
        "lat": 55.7511,
        "lon": 37.7811,
        "tst": tst,
        "acc": 14,
        "vel": 18,
        "cog": 270,
        "alt": 150,
        "batt": 58,
        "conn": "m",
        "t": "u",
    }
    basic = base64.b64encode(f"phone:{world.token}".encode()).decode()
    answer = app_client.post(
        "/api/gps/owntracks",
        json=message,
        headers={"Authorization": f"Basic {basic}", "X-Limit-U": "maria", "X-Limit-D": "phone"},
    )
    assert answer.status_code == 200
    assert answer.json() == []
    bound = external_id(app_client, world, "maria-phone", "owntracks")
    later = dict(message, tst=tst + 60)
    with_password = base64.b64encode(f"maria-phone:{bound}".encode()).decode()
    by_name = app_client.post(
        "/api/gps/owntracks",
        json=later,
        headers={"Authorization": f"Basic {with_password}", "X-Limit-D": "maria-phone"},
    )
    assert by_name.status_code == 200
    waypoint = app_client.post(
        "/api/gps/owntracks",
        json={"_type": "waypoint", "desc": "home"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert waypoint.json() == []
    stored = rows(world.worker.id)
    assert len(stored) == 2
    assert abs(stored[0][3] - 5.0) < 1e-6  # 18 km/h
    assert stored[0][7] == 58 and stored[0][8] == "owntracks"
    wrong = base64.b64encode(b"phone:wrong").decode()
    refused = app_client.post(
        "/api/gps/owntracks", json=message, headers={"Authorization": f"Basic {wrong}"}
    )
    assert refused.status_code == 401
