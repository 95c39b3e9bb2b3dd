"""A visit done on the phone stays done on the live board when the plan is approved again:
the new version gives every stop a new id, but the visit is the client's visit of the day."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.db import get_engine
from planner.copying import copy_plan
from planner.models import Plan, PlanStatus, PlanStop
from tests.browser.conftest import OfficeData, approved_route
from tests.browser.test_supervisor import open_supervisor
from tracking.models import Visit


def test_a_finished_visit_survives_a_new_version(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, zoned_office)
        first = session.get_one(PlanStop, stop_ids[0])
        arrived = first.start
        session.add(
            Visit(
                office_id=zoned_office.office_id,
                worker_id=first.worker_id,
                client_id=first.client_id,
                day=arrived.date(),
                plan_stop_id=first.id,
                planned_start=first.start,
                planned_end=first.end,
                status="done",
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=50),
                services=first.services,
                minutes=50,
                confirmed=True,
            )
        )
        old = session.get_one(Plan, first.plan_id)
        old.status = PlanStatus.SUPERSEDED
        session.flush()
        again = copy_plan(
            session,
            old,
            version=2,
            status=PlanStatus.APPROVED,
            params={"kind": "edit", "from_plan": old.id},
        )
        again.approved_at = datetime.now(arrived.tzinfo)
        new_ids = {s.id for r in again.routes for s in r.stops}
        session.commit()
    assert not new_ids & set(stop_ids)  # the new version's stops are new rows

    page = open_supervisor(context, zoned_office.supervisor, "?tab=live")
    page.wait_for_selector("#live-totals .badge[data-kind=done]:has-text('Выполнено: 1')")
    page.screenshot(path=str(artifacts / "live-visit-after-new-version.png"))
    assert not page.errors
