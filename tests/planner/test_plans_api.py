"""The plans API end to end: jobs run for real on RQ (SimpleWorker in this process)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from rq import SimpleWorker
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from core.models import Role
from core.settings import get_settings
from planner import jobs
from planner.models import Plan
from tests import factories as f
from tests.planner.test_service import MONDAY, Day, make_day
from tracking.models import Visit

pytestmark = [pytest.mark.db, pytest.mark.redis]


@pytest.fixture
def queue_redis() -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(get_settings().redis_url)
    jobs.planning_queue(conn).empty()
    yield conn
    jobs.planning_queue(conn).empty()
    conn.close()


@pytest.fixture
def day(db: Session, monkeypatch: pytest.MonkeyPatch) -> Day:
    @contextmanager
    def use_test_session() -> Iterator[Session]:
        yield db
        db.flush()

    monkeypatch.setattr(jobs, "open_session", use_test_session)
    return make_day(db)


def _work(conn: redis.Redis) -> None:
    SimpleWorker([jobs.planning_queue(conn)], connection=conn).work(burst=True)


def _planned(api: TestClient, day: Day, conn: redis.Redis) -> dict[str, Any]:
    """Start a planning job, run it, and return the stored plan as the API shows it."""
    headers = f.auth(day.supervisor)
    started = api.post(
        f"/api/offices/{day.office.id}/plans",
        json={"day": MONDAY.isoformat(), "time_limit_s": 1},
        headers=headers,
    )
    assert started.status_code == 202, started.text
    _work(conn)
    job = api.get(f"/api/plan-jobs/{started.json()['job_id']}", headers=headers).json()
    assert job["status"] == "finished", job
    answer = api.get(f"/api/plans/{job['plan_id']}", headers=headers)
    assert answer.status_code == 200
    return answer.json()


def test_plan_job_then_the_full_plan(
    api: TestClient, db: Session, day: Day, queue_redis: redis.Redis
) -> None:
    plan = _planned(api, day, queue_redis)
    assert (plan["version"], plan["status"], plan["kind"]) == (1, "draft", "plan")
    stops = [s for r in plan["routes"] for s in r["stops"]]
    assert len(stops) == 7
    nurse = next(s for s in stops if s["client_id"] == day.nurse_client.id)
    assert nurse["why"] == "the only worker with the skill 'medical'"
    assert nurse["client_name"] == day.nurse_client.full_name
    assert nurse["lon"] == pytest.approx(37.79) and nurse["lat"] == pytest.approx(55.755)
    assert nurse["services"][0]["code"] == "M01" and nurse["minutes"] == 20
    assert nurse["start"].endswith("+03:00") or nurse["start"].endswith("Z")
    route = next(r for r in plan["routes"] if r["worker_id"] == day.anna.id)
    assert route["worker_name"] == "Анна" and route["travel_mode"] == "walk"
    assert route["break_start"] is not None
    [unplanned] = plan["unplanned"]
    assert unplanned["client_id"] == day.unmapped.id
    assert unplanned["code"] == "no_location" and "map" in unplanned["reason"]
    assert plan["totals"]["planned"] == 7

    geo = api.get(f"/api/plans/{plan['id']}/geojson", headers=f.auth(day.supervisor)).json()
    kinds = [feature["properties"]["kind"] for feature in geo["features"]]
    assert kinds.count("stop") == 7 and kinds.count("route") == len(plan["routes"])
    line = next(x for x in geo["features"] if x["properties"]["kind"] == "route")
    assert len(line["geometry"]["coordinates"]) == line["properties"]["stops"] + 2

    versions = api.get(
        f"/api/offices/{day.office.id}/plans",
        params={"day": MONDAY.isoformat()},
        headers=f.auth(day.supervisor),
    ).json()
    assert [v["version"] for v in versions] == [1]


def test_roles(api: TestClient, db: Session, day: Day, queue_redis: redis.Redis) -> None:
    plan = _planned(api, day, queue_redis)
    manager = f.user(db, Role.MANAGER, region_id=day.office.region_id)
    stranger = f.user(db, Role.SUPERVISOR, offices=[f.office(db)])
    worker_login = f.user(db, Role.WORKER)
    body = {"day": MONDAY.isoformat()}
    assert api.get(f"/api/plans/{plan['id']}", headers=f.auth(manager)).status_code == 200
    post = f"/api/offices/{day.office.id}/plans"
    assert api.post(post, json=body, headers=f.auth(manager)).status_code == 403
    approve = f"/api/plans/{plan['id']}/approve"
    assert api.post(approve, headers=f.auth(manager)).status_code == 403
    assert api.get(f"/api/plans/{plan['id']}", headers=f.auth(stranger)).status_code == 404
    assert api.post(post, json=body, headers=f.auth(stranger)).status_code == 404
    assert api.get(f"/api/plans/{plan['id']}", headers=f.auth(worker_login)).status_code == 403
    assert api.post(post, json=body, headers=f.auth(worker_login)).status_code == 403
    assert api.get(f"/api/plans/{plan['id']}").status_code == 401


def test_websocket_streams_progress_then_the_plan_id(
    api: TestClient, day: Day, queue_redis: redis.Redis
) -> None:
    headers = f.auth(day.supervisor)
    started = api.post(
        f"/api/offices/{day.office.id}/plans",
        json={"day": MONDAY.isoformat(), "time_limit_s": 1.5},
        headers=headers,
    ).json()
    token = headers["Authorization"].split()[1]
    url = f"/api/plan-jobs/{started['job_id']}/ws?token={token}"
    received: list[dict[str, Any]] = []
    with api.websocket_connect(url) as ws:
        received.append(ws.receive_json())
        assert received[0]["status"] == "queued"

        def read() -> None:
            while received[-1]["status"] not in jobs.FINAL_STATES:
                received.append(ws.receive_json())

        reader = threading.Thread(target=read)
        reader.start()
        _work(queue_redis)  # the job runs while the socket listens
        reader.join(timeout=30)
    assert not reader.is_alive()
    assert any(m["status"] == "running" and "percent" in m for m in received)
    assert received[-1]["status"] == "finished" and received[-1]["plan_id"]

    bad = f"/api/plan-jobs/{started['job_id']}/ws?token=bad"
    with pytest.raises(WebSocketDisconnect) as closed, api.websocket_connect(bad) as ws:
        ws.receive_json()  # a bad token: the socket is closed before it opens
    assert closed.value.code == 4401


def test_approve_tells_the_phones(
    api: TestClient, day: Day, queue_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracking.live

    told: list[tuple[int, int, dict[str, Any]]] = []
    monkeypatch.setattr(
        tracking.live, "publish_plan_change", lambda o, w, change: told.append((o, w, change))
    )
    plan = _planned(api, day, queue_redis)
    answer = api.post(f"/api/plans/{plan['id']}/approve", headers=f.auth(day.supervisor))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "approved"
    assert {w for _, w, _ in told} == {r["worker_id"] for r in plan["routes"]}
    assert all(c["plan_id"] == plan["id"] for _, _, c in told)
    again = api.post(f"/api/plans/{plan['id']}/approve", headers=f.auth(day.supervisor))
    assert again.status_code == 409, again.text


def test_move_answers_times_or_the_broken_rule(
    api: TestClient, db: Session, day: Day, queue_redis: redis.Redis
) -> None:
    plan = _planned(api, day, queue_redis)
    headers = f.auth(day.supervisor)
    boris = next(r for r in plan["routes"] if r["worker_id"] == day.boris.id)
    stop = boris["stops"][0]
    url = f"/api/plans/{plan['id']}/move"
    body = {"stop_id": stop["id"], "to_worker_id": day.anna.id, "position": 0, "dry_run": True}
    # a visit the phone has begun (a check-in) or finished stays where it is
    for status, tapped in (("in_progress", True), ("done", True), ("refused", False)):
        begun = Visit(office_id=day.office.id, worker_id=day.boris.id,
                      client_id=stop["client_id"], day=MONDAY, status=status,
                      tapped_arrival=plan["routes"][0]["start"] if tapped else None,
                      services=[], minutes=0, confirmed=False, reason="", flags=[])  # fmt: skip
        db.add(begun)
        db.flush()
        for dry_run in (True, False):
            refused = api.post(url, json={**body, "dry_run": dry_run}, headers=headers)
            assert refused.status_code == 409, refused.text
            answer = refused.json()
            assert (answer["rule"], answer["visit_status"]) == ("started", status), answer
            assert answer["detail"].startswith(f"the visit has begun ({status})")
        db.delete(begun)
        db.flush()
    assert db.scalar(select(func.count()).select_from(Plan).where(Plan.day == MONDAY)) == 1
    preview = api.post(url, json=body, headers=headers)
    assert preview.status_code == 200, preview.text
    anna = next(r for r in preview.json()["routes"] if r["worker_id"] == day.anna.id)
    assert anna["stops"][0]["client_id"] == stop["client_id"]

    moved = api.post(url, json={**body, "dry_run": False}, headers=headers)
    assert moved.status_code == 200
    anna_route = next(r for r in moved.json()["plan"]["routes"] if r["worker_id"] == day.anna.id)
    assert anna_route["stops"][0]["client_id"] == stop["client_id"]
    assert anna_route["stops"][0]["why"].startswith("moved by hand")
    # The lunch the preview placed is the one stored, at a place, and no exception is raised.
    lunch = anna_route["lunch"]
    assert lunch is not None and lunch["place"] in ("start", "stop")
    assert lunch["after_client_id"] == anna["lunch_after_client_id"]
    assert lunch["start"] == anna["break_start"] and lunch["end"] == anna["break_end"]
    assert moved.json()["plan"]["exceptions"] == []

    edited = moved.json()["plan"]  # stops of an edited draft are new rows with new ids
    nurse = next(
        s for r in edited["routes"] for s in r["stops"] if s["client_id"] == day.nurse_client.id
    )
    refused = api.post(
        url,
        json={"stop_id": nurse["id"], "to_worker_id": day.boris.id, "position": 0},
        headers=headers,
    )
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["feasible"] is False and answer["rule"] == "skill"
    assert "'medical'" in answer["detail"]
    bad = api.post(url, json={"to_worker_id": day.boris.id}, headers=headers)
    assert bad.status_code == 422


def test_replan_job_makes_a_new_version(
    api: TestClient, day: Day, queue_redis: redis.Redis
) -> None:
    plan = _planned(api, day, queue_redis)
    headers = f.auth(day.supervisor)
    boris = next(r for r in plan["routes"] if r["worker_id"] == day.boris.id)
    started = api.post(
        f"/api/plans/{plan['id']}/replan",
        json={
            "exclude_worker_ids": [day.boris.id],
            "now": boris["stops"][0]["start"],
            "time_limit_s": 1,
        },
        headers=headers,
    )
    assert started.status_code == 202, started.text
    _work(queue_redis)
    job = api.get(f"/api/plan-jobs/{started.json()['job_id']}", headers=headers).json()
    assert job["status"] == "finished", job
    new = api.get(f"/api/plans/{job['plan_id']}", headers=headers).json()
    assert (new["version"], new["kind"]) == (2, "replan")
    boris_new = next(r for r in new["routes"] if r["worker_id"] == day.boris.id)
    assert [s["pinned"] for s in boris_new["stops"]] == [True]


def test_visits_due_over_a_week(api: TestClient, db: Session, day: Day) -> None:
    answer = api.get(
        f"/api/offices/{day.office.id}/visits-due",
        params={"start": "2026-03-02", "end": "2026-03-08"},
        headers=f.auth(day.supervisor),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["per_day"]) == 7  # every client is due daily
    assert body["per_day"]["2026-03-02"] == {"visits": 8, "minutes": 7 * 30 + 20}
    assert len(body["visits"]) == 7 * 8
    bad = api.get(
        f"/api/offices/{day.office.id}/visits-due",
        params={"start": "2026-03-08", "end": "2026-03-02"},
        headers=f.auth(day.supervisor),
    )
    assert bad.status_code == 422
