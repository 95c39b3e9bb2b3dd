"""A worker's past day for the replay map, through the API: the planned route, the track in
time order, the stops found in it, the visit events; staff of the office only."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from tests import factories as f
from tests.tracking.past_day import make_past_day

pytestmark = pytest.mark.db

DAY = date(2026, 11, 24)


def test_the_day_as_planned_and_as_tracked(api: TestClient, db: Session) -> None:
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    worker = f.worker(db, office)
    worker.start_location = worker.end_location = f.point(37.760, 55.740)
    clients = [
        f.client(db, office, lonlat=(37.766, 55.742)),
        f.client(db, office, lonlat=(37.772, 55.739)),
    ]
    past = make_past_day(db, worker=worker, clients=clients, day=DAY)

    answer = api.get(
        f"/api/workers/{worker.id}/day-track",
        params={"day": DAY.isoformat()},
        headers=f.auth(supervisor),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["plan_id"] == past.plan_id
    assert [s["client_id"] for s in body["planned"]] == past.client_ids
    assert body["planned"][0]["lat"] == pytest.approx(55.742)
    assert len(body["track"]) == past.pings
    times = [p["t"] for p in body["track"]]
    assert times == sorted(times)
    # two stays of half an hour at the two clients; walking is no stop
    assert len(body["stops"]) == 2
    assert [s["minutes"] >= 25 for s in body["stops"]] == [True, True]
    assert body["stops"][0]["lat"] == pytest.approx(55.742, abs=0.0005)
    assert [(e["type"], e["client_id"]) for e in body["events"]] == [
        (kind, client_id) for kind, _, client_id in past.events
    ]
    assert body["events"][0]["client_name"] == clients[0].full_name

    empty = api.get(
        f"/api/workers/{worker.id}/day-track",
        params={"day": "2026-11-23"},
        headers=f.auth(supervisor),
    ).json()
    assert (empty["plan_id"], empty["track"], empty["events"]) == (None, [], [])


def test_only_the_office_staff_see_a_workers_day(api: TestClient, db: Session) -> None:
    office = f.office(db)
    worker = f.worker(db, office)
    url = f"/api/workers/{worker.id}/day-track"
    query = {"day": DAY.isoformat()}
    stranger = f.user(db, Role.SUPERVISOR, offices=[f.office(db)])
    field_login = f.user(db, Role.WORKER)
    worker.user_id = field_login.id
    db.flush()
    assert api.get(url, params=query, headers=f.auth(stranger)).status_code == 404
    assert api.get(url, params=query, headers=f.auth(field_login)).status_code == 403
    assert api.get(url, params=query).status_code == 401
    assert api.get(url, params={"day": "yesterday"}, headers=f.auth(stranger)).status_code == 422
