"""A worker corrects their own visit of today (a finished one, or one marked "nobody home")
until a supervisor reviews it: the correction undoes what ended the visit, keeps the arrival,
is audited, and is refused for another day's visit or a reviewed one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import get_engine
from tests.factories import auth
from tests.gateway.conftest import World, device_auth

NEAR = {"lat": 55.7512, "lon": 37.7851}


@pytest.fixture
def audited(world: World) -> Iterator[World]:
    """The world, with its audit rows removed before the world goes."""
    yield world
    users = [world.supervisor.id, world.worker_user.id]
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE user_id = ANY(:u)"), {"u": users})


def _event(world: World, kind: str, t: datetime, **extra: Any) -> dict[str, Any]:
    return (
        {
            "uuid": str(uuid.uuid4()),
            "type": kind,
            "t": t.isoformat(),
            "client_id": world.client.id,
        }
        | NEAR
        | extra
    )


def _sync(client: TestClient, world: World, *events: dict[str, Any]) -> list[dict[str, Any]]:
    answer = client.post(
        "/api/mobile/sync", json={"events": list(events)}, headers=device_auth(world.token)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


def _visit(world: World, day: Any) -> dict[str, Any]:
    with get_engine().connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, status, tapped_arrival, tapped_departure, reason, confirmed, flags "
                "FROM visit WHERE worker_id = :w AND client_id = :c AND day = :d"
            ),
            {"w": world.worker.id, "c": world.client.id, "d": day},
        ).one()
    return dict(row._mapping)


def _local_day(moment: datetime) -> Any:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Moscow")).date()


def test_a_worker_corrects_a_finished_visit_of_today(
    app_client: TestClient, audited: World
) -> None:
    world = audited
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(minutes=4)  # every event below is in the past, today
    if _local_day(start) != _local_day(now):
        pytest.skip("the local day began less than four minutes ago")
    verdicts = _sync(
        app_client,
        world,
        _event(world, "arrived", start),
        _event(world, "departed", start + timedelta(seconds=60)),
    )
    assert {v["status"] for v in verdicts} == {"accepted"}
    day = _local_day(start)
    assert _visit(world, day)["status"] == "done"

    (verdict,) = _sync(app_client, world, _event(world, "reopened", start + timedelta(seconds=90)))
    assert verdict["status"] == "accepted", verdict
    visit = _visit(world, day)
    assert visit["status"] == "in_progress"  # the arrival stays, the departure is undone
    assert visit["tapped_arrival"] is not None and visit["tapped_departure"] is None
    with get_engine().connect() as conn:
        entry = conn.execute(
            text(
                "SELECT user_id, changes FROM audit_log WHERE action = 'correct' "
                "AND entity = 'visit' AND entity_id = :v"
            ),
            {"v": str(visit["id"])},
        ).one()
    assert entry.user_id == world.worker_user.id
    assert entry.changes["status"] == {"from": "done", "to": "reopened"}

    # filled in again: nobody was home after all
    _sync(
        app_client,
        world,
        _event(world, "no_show", start + timedelta(seconds=120), reason="дверь не открыли"),
    )
    assert _visit(world, day)["status"] == "no_show"
    (again,) = _sync(app_client, world, _event(world, "reopened", start + timedelta(seconds=150)))
    assert again["status"] == "accepted"
    visit = _visit(world, day)
    assert visit["status"] == "in_progress" and visit["reason"] == ""

    # once the head has reviewed the visit, the worker no longer corrects it
    _sync(app_client, world, _event(world, "departed", start + timedelta(seconds=180)))
    reviewed = app_client.post(f"/api/visits/{visit['id']}/review", headers=auth(world.supervisor))
    assert reviewed.status_code == 200, reviewed.text
    (refused,) = _sync(app_client, world, _event(world, "reopened", start + timedelta(seconds=210)))
    assert (refused["status"], refused["reason"]) == ("rejected", "visit_reviewed")
    assert _visit(world, day)["status"] == "done"


def test_a_correction_of_another_day_or_of_nothing_is_refused(
    app_client: TestClient, audited: World
) -> None:
    world = audited
    now = datetime.now(UTC).replace(microsecond=0)
    (nothing,) = _sync(app_client, world, _event(world, "reopened", now - timedelta(minutes=1)))
    assert (nothing["status"], nothing["reason"]) == ("rejected", "nothing_to_correct")

    yesterday = now - timedelta(days=1)
    _sync(
        app_client,
        world,
        _event(world, "arrived", yesterday),
        _event(world, "departed", yesterday + timedelta(minutes=30)),
    )
    (late,) = _sync(app_client, world, _event(world, "reopened", yesterday + timedelta(minutes=31)))
    assert (late["status"], late["reason"]) == ("rejected", "correction_not_today")
    assert _visit(world, _local_day(yesterday))["status"] == "done"
