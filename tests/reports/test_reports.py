"""Care-plan fulfilment, service calibration and client feedback on a small known week."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.reports import queries
from api.reports.schemas import Filters
from core.settings import get_settings
from tests import factories
from tracking.feedback import record_feedback
from tracking.models import Visit

MONDAY = date(2026, 10, 5)
TZ = ZoneInfo(get_settings().timezone)


def test_fulfilment_calibration_and_feedback(db: Session) -> None:
    office = factories.office(db)
    c01 = factories.service(db, office, "C01", 30)
    worker = factories.worker(db, office)
    client = factories.client(db, office)
    factories.care_plan(db, client, [(c01, "daily")])
    visits = []
    for offset, minutes in enumerate((30, 40, 50)):  # three of the seven days due
        start = datetime.combine(MONDAY + timedelta(days=offset), datetime.min.time(), TZ)
        start += timedelta(hours=10)
        visit = Visit(
            office_id=office.id,
            worker_id=worker.id,
            client_id=client.id,
            day=MONDAY + timedelta(days=offset),
            status="done",
            arrived_at=start,
            departed_at=start + timedelta(minutes=minutes),
            services=[{"code": "C01", "minutes": minutes}],
            minutes=minutes,
            confirmed=True,
            reason="",
            flags=[],
        )
        db.add(visit)
        visits.append(visit)
    db.flush()
    for visit, rating in zip(visits[:2], (5, 2), strict=True):
        record_feedback(
            db,
            office_id=office.id,
            client_id=client.id,
            worker_id=worker.id,
            rating=rating,
            visit_id=visit.id,
            service_code="C01",
            comment="опоздала" if rating == 2 else "",
            at=visit.departed_at,
        )
    week = Filters(office_ids=(office.id,), start=MONDAY, end=MONDAY + timedelta(days=6))

    [line] = queries.care_plan_fulfilment(db, filters=week)
    assert (line["due"], line["rendered"], line["shortfall"]) == (7, 3, 4)
    [service] = queries.calibration(db, filters=week)
    assert (service["observations"], service["median_min"], service["p90_min"]) == (3, 40.0, 48.0)
    assert service["ratio"] == 1.33
    [rated] = queries.feedback(db, filters=week)
    assert (rated["ratings"], rated["average"], rated["low"]) == (2, 3.5, 1)
    assert rated["last_comment"] == "опоздала"
    [rendered, total] = queries.services_rendered(db, filters=week)
    assert (rendered["rendered"], rendered["clients"], total["office_name"]) == (3, 1, "Итого")
