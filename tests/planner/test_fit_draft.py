"""Where a queued client fits, read from their draft programme (real PostGIS and Redis): the
advice is built from the lines of the client's newest draft, as if it were approved, and the
to-enrol list of the week shows who fits now."""

from __future__ import annotations

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.models import CarePlanStatus, ClientStatus
from tests import factories as f
from tests.planner.test_week_service import (  # noqa: F401 (fixtures)
    MONDAY,
    _plan_week,
    in_test_session,
    make_office,
    queue_redis,
)

pytestmark = [pytest.mark.db, pytest.mark.redis]


def test_queued_client_with_a_draft_programme_gets_advice_from_its_lines(
    in_test_session: Session,  # noqa: F811
    queue_redis: redis.Redis,  # noqa: F811
    api: TestClient,
) -> None:
    db = in_test_session
    o = make_office(db)
    cleaning = f.service(db, o.office, "K05", 60)
    shopping = f.service(db, o.office, "S05", 40)
    # a new client: only a draft programme (nothing approved, so nothing planned yet)
    newcomer = f.client(db, o.office, lonlat=(37.783, 55.75), status=ClientStatus.QUEUED)
    f.care_plan(db, newcomer, [(cleaning, "weekly:1;move")], status=CarePlanStatus.DRAFT)
    # a client back in the queue: an approved programme and a newer draft from the week's start
    returning = f.client(db, o.office, lonlat=(37.779, 55.747), status=ClientStatus.QUEUED)
    f.care_plan(db, returning, [(shopping, "weekly:2;move")])
    draft = f.care_plan(
        db, returning, [(cleaning, "weekly:1;move"), (shopping, "weekly:1;move")],
        status=CarePlanStatus.DRAFT,
    )  # fmt: skip
    draft.version = 2
    draft.valid_from = MONDAY
    for line in draft.lines:
        line.valid_from = MONDAY
    db.flush()
    week = _plan_week(db, queue_redis, o)
    head = f.auth(o.supervisor)

    advice = api.get(f"/api/plan-weeks/{week.id}/fit/{newcomer.id}", headers=head).json()
    assert advice["fits"], advice
    assert advice["tasks"] == 1 and advice["options"][0]["minutes"] == 60
    assert len(advice["options"][0]["days"]) == 1

    advice = api.get(f"/api/plan-weeks/{week.id}/fit/{returning.id}", headers=head).json()
    assert advice["fits"], advice
    # the draft's two lines (60 + 40 min, once each), not the approved twice-weekly shopping
    assert advice["tasks"] == 2 and advice["options"][0]["minutes"] == 100

    listed = api.get(f"/api/plan-weeks/{week.id}/fits", headers=head)
    assert listed.status_code == 200, listed.text
    fits = {c["client_id"]: c for c in listed.json()}
    assert {o.queued.id, newcomer.id, returning.id} <= set(fits)
    assert fits[newcomer.id]["fits"] and fits[newcomer.id]["options"][0]["minutes"] == 60
