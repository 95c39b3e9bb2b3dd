"""The day's events through the API: an event, a re-plan from live positions on the job
queue, what changes for whom, then approval and the phones told (Redis, as in production)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from core.settings import get_settings
from tests import factories as f
from tests.planner import test_plans_api
from tests.planner.test_plans_api import _planned, _work
from tests.planner.test_service import Day

pytestmark = [pytest.mark.db, pytest.mark.redis]

# the plans API's fixtures: a day of two workers, jobs run on the test session
day = test_plans_api.day
queue_redis = test_plans_api.queue_redis


def _split(db: Session, day: Day) -> None:
    """Anna's and Boris's usual clients, so both have visits of their own."""
    for n, client in enumerate(day.clients):
        client.preferred_worker_id = (day.anna if n % 2 else day.boris).id
    db.flush()


def _approved(api: TestClient, db: Session, day: Day, conn: redis.Redis) -> dict[str, Any]:
    _split(db, day)
    plan = _planned(api, day, conn)
    answer = api.post(f"/api/plans/{plan['id']}/approve", headers=f.auth(day.supervisor))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _replanned(
    api: TestClient, day: Day, conn: redis.Redis, plan_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    headers = f.auth(day.supervisor)
    started = api.post(f"/api/plans/{plan_id}/replan", json=body, headers=headers)
    assert started.status_code == 202, started.text
    _work(conn)
    job = api.get(f"/api/plan-jobs/{started.json()['job_id']}", headers=headers).json()
    assert job["status"] == "finished", job
    return api.get(f"/api/plans/{job['plan_id']}", headers=headers).json()


def _route(plan: dict[str, Any], worker_id: int) -> dict[str, Any] | None:
    return next((r for r in plan["routes"] if r["worker_id"] == worker_id), None)


def test_a_worker_off_sick_then_approval_tells_the_phones(
    api: TestClient,
    db: Session,
    day: Day,
    queue_redis: redis.Redis,
) -> None:
    plan = _approved(api, db, day, queue_redis)
    boris = _route(plan, day.boris.id)
    assert boris is not None and len(boris["stops"]) >= 2, plan
    finished = boris["stops"][0]
    rest = {s["client_id"] for s in boris["stops"][1:]}
    now = datetime.fromisoformat(finished["end"]) + timedelta(minutes=1)

    new = _replanned(
        api,
        day,
        queue_redis,
        plan["id"],
        {"exclude_worker_ids": [day.boris.id], "now": now.isoformat(), "time_limit_s": 1},
    )
    kept = _route(new, day.boris.id)
    assert kept is not None
    assert [(s["client_id"], s["pinned"]) for s in kept["stops"]] == [(finished["client_id"], True)]
    assert kept["stops"][0]["start"] == finished["start"]  # a finished visit stays as it was
    anna = _route(new, day.anna.id)
    moved = {s["client_id"] for s in anna["stops"]} & rest if anna else set()
    unplanned = {u["client_id"]: u for u in new["unplanned"]}
    assert moved | (rest & set(unplanned)) == rest  # each went to Anna or is listed
    assert moved, "Anna takes over at least one of Boris's visits"
    assert all(unplanned[c]["reason"] for c in rest & set(unplanned))

    headers = f.auth(day.supervisor)
    changes = api.get(f"/api/plans/{new['id']}/changes", headers=headers)
    assert changes.status_code == 200, changes.text
    body = changes.json()
    assert body["against_id"] == plan["id"]
    by_worker = {w["worker_id"]: w for w in body["workers"]}
    off = by_worker[day.boris.id]
    assert off["off_duty"] is True
    assert {c["client_id"] for c in off["removed"]} == rest
    assert finished["client_id"] not in {c["client_id"] for c in off["removed"]}
    taken = by_worker[day.anna.id]
    assert {c["client_id"] for c in taken["added"]} == moved
    assert all(
        c["other_worker_id"] == day.boris.id for c in taken["added"] if c["client_id"] in rest
    )
    assert {u["client_id"] for u in body["unplanned"] if u["was_worker_id"] == day.boris.id} == (
        rest - moved
    )

    listener = redis.Redis.from_url(get_settings().redis_url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(f"live:worker:{day.anna.id}", f"live:worker:{day.boris.id}")
    try:
        approved = api.post(f"/api/plans/{new['id']}/approve", headers=headers)
        assert approved.status_code == 200, approved.text
        told: dict[int, dict[str, Any]] = {}
        deadline = datetime.now() + timedelta(seconds=5)
        while len(told) < 2 and datetime.now() < deadline:
            message = pubsub.get_message(timeout=0.5)
            if message is not None:
                data = orjson.loads(message["data"])
                told[data["worker_id"]] = data["change"]
    finally:
        pubsub.close()
        listener.close()
    assert told[day.anna.id]["plan_id"] == new["id"]
    assert told[day.anna.id]["stops"] == len(anna["stops"])
    assert told[day.boris.id]["stops"] == 1  # the sick worker's phone learns too


def test_urgent_visit_no_access_and_a_long_visit(
    api: TestClient,
    db: Session,
    day: Day,
    queue_redis: redis.Redis,
) -> None:
    plan = _approved(api, db, day, queue_redis)
    anna = _route(plan, day.anna.id)
    assert anna is not None and len(anna["stops"]) >= 2
    first, last = anna["stops"][0], anna["stops"][-1]
    now = datetime.fromisoformat(first["start"]) + timedelta(minutes=5)
    newcomer = f.client(db, day.office, lonlat=(37.78, 55.75))
    f.care_plan(db, newcomer, [])
    db.flush()
    deadline = now.replace(hour=16, minute=0)
    body = {
        "now": now.isoformat(),
        "time_limit_s": 1,
        "overruns": [{"client_id": first["client_id"], "minutes": 40}],
        "no_access_client_ids": [last["client_id"]],
        "urgent": [
            {"client_id": newcomer.id, "service_codes": ["C01"], "deadline": deadline.isoformat()}
        ],
    }
    new = _replanned(api, day, queue_redis, plan["id"], body)
    stops = {s["client_id"]: s for r in new["routes"] for s in r["stops"]}
    long_one = stops[first["client_id"]]
    assert long_one["pinned"] is True
    assert datetime.fromisoformat(long_one["end"]) == datetime.fromisoformat(
        first["end"]
    ) + timedelta(minutes=40)
    anna_new = _route(new, day.anna.id)
    assert anna_new is not None
    for stop in anna_new["stops"][1:]:  # her next visits wait for the long one to end
        assert datetime.fromisoformat(stop["arrival"]) >= datetime.fromisoformat(long_one["end"])
    assert last["client_id"] not in stops
    [gone] = [u for u in new["unplanned"] if u["client_id"] == last["client_id"]]
    assert gone["code"] == "no_access"
    urgent = stops[newcomer.id]
    assert [s["code"] for s in urgent["services"]] == ["C01"]
    assert datetime.fromisoformat(urgent["end"]) <= deadline

    changes = api.get(f"/api/plans/{new['id']}/changes", headers=f.auth(day.supervisor)).json()
    added = {c["client_id"] for w in changes["workers"] for c in w["added"]}
    assert newcomer.id in added
    assert any(u["code"] == "no_access" for u in changes["unplanned"])


def test_events_that_name_nothing_are_refused_before_queueing(
    api: TestClient,
    db: Session,
    day: Day,
    queue_redis: redis.Redis,
) -> None:
    plan = _approved(api, db, day, queue_redis)
    headers = {**f.auth(day.supervisor), "Accept-Language": "en"}
    url = f"/api/plans/{plan['id']}/replan"
    other = f.worker(db, f.office(db))
    stranger = f.client(db, f.office(db))
    db.flush()
    cases = [
        ({"exclude_worker_ids": [other.id]}, 422, "replan.worker_not_in_plan"),
        ({"no_access_client_ids": [stranger.id]}, 422, "replan.client_not_in_plan"),
        ({"urgent": [{"client_id": stranger.id}]}, 404, "replan.client_not_found"),
        (
            {"urgent": [{"client_id": day.clients[0].id, "service_codes": ["ZZZ"]}]},
            422,
            "replan.unknown_service",
        ),
        ({"overruns": [{"client_id": day.clients[0].id, "minutes": 0}]}, 422, "invalid_input"),
    ]
    for body, code, error in cases:
        answer = api.post(url, json=body, headers=headers)
        assert answer.status_code == code, (body, answer.text)
        assert answer.json()["code"] == error
    assert queue_redis.llen("rq:queue:planning") == 0  # nothing was queued

    worker_login = f.user(db, Role.WORKER)
    assert (
        api.get(f"/api/plans/{plan['id']}/changes", headers=f.auth(worker_login)).status_code == 403
    )
