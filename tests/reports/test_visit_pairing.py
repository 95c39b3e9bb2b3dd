"""A planned stop and a visit fact are one visit even when another worker did it: the
drill-down, the worker timing report and the review read the same visit.

One approved day, yesterday:
- K1 is planned for B, but A covered and did it: in B's list it is done by A (not missed), in
  A's list it is A's visit with the planned times of B's stop, and neither is counted missed
  or unplanned;
- K2 is a two-worker visit of C and D, each does their part: each fact stays with its own stop;
- K4 is a two-worker visit of C and D where only C came: D's part is missed, C's fact is not
  taken for it;
- K6 is a two-worker visit of C and D where A came in D's place: D's stop takes A's fact;
- K3 is planned for A and nobody came: missed;
- K5 is A's own visit, done as planned.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.reports import queries
from api.reports.schemas import Filters
from api.reports.visits import visits_of_day
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Worker
from tests import factories
from tracking import review
from tracking import visits as visits_module
from tracking.models import Visit

TZ = ZoneInfo(get_settings().timezone)
DAY = datetime.now(TZ).date() - timedelta(days=1)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), TZ)


def _route(plan: Plan, worker: Worker, stops: list[tuple[int, int, int]]) -> PlanRoute:
    """A route with stops (client id, start hour, seq), each 30 minutes long."""
    route = PlanRoute(plan_id=plan.id, worker_id=worker.id, start=at(8), end=at(16),
                      travel_s=0, service_s=30 * 60 * len(stops), wait_s=0)  # fmt: skip
    route.stops = [
        PlanStop(
            plan_id=plan.id,
            worker_id=worker.id,
            client_id=client_id,
            seq=seq,
            arrival=at(hour),
            start=at(hour),
            end=at(hour, 30),
            travel_s=0,
            wait_s=0,
            services=[{"code": "C01", "minutes": 30}],
        )
        for client_id, hour, seq in stops
    ]
    return route


def _done(db: Session, office_id: int, worker: Worker, client_id: int, hour: int) -> Visit:
    visit = Visit(office_id=office_id, worker_id=worker.id, client_id=client_id, day=DAY,
                  status="done", arrived_at=at(hour, 5), departed_at=at(hour, 35),
                  tapped_arrival=at(hour, 5), tapped_departure=at(hour, 35),
                  arrival_source="tapped", departure_source="tapped",
                  services=[{"code": "C01", "minutes": 30}], minutes=30, confirmed=True,
                  reason="", flags=[])  # fmt: skip
    db.add(visit)
    return visit


def _by_client(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["client_id"]: row for row in rows}


def _day_row(rows: list[dict[str, Any]], worker_id: int) -> dict[str, Any]:
    return next(r for r in rows if r["level"] == "day" and r["worker_id"] == worker_id)


def test_covered_two_worker_and_missed_visits_read_the_same_everywhere(db: Session) -> None:
    office = factories.office(db)
    factories.service(db, office, "C01", 30)
    a, b, c, d = (factories.worker(db, office, full_name=f"Работник {n}") for n in "ABCD")
    k1, k2, k3, k4, k5, k6 = (factories.client(db, office).id for _ in range(6))
    plan = Plan(office_id=office.id, day=DAY, version=1, status=PlanStatus.APPROVED)
    db.add(plan)
    db.flush()
    plan.routes = [
        _route(plan, a, [(k5, 9, 1), (k3, 13, 2)]),
        _route(plan, b, [(k1, 10, 1)]),
        _route(plan, c, [(k2, 11, 1), (k4, 14, 2), (k6, 15, 3)]),
        _route(plan, d, [(k2, 11, 1), (k4, 14, 2), (k6, 15, 3)]),
    ]
    covered = _done(db, office.id, a, k1, 10)
    _done(db, office.id, a, k5, 9)
    _done(db, office.id, c, k2, 11)
    _done(db, office.id, d, k2, 11)
    _done(db, office.id, c, k4, 14)
    _done(db, office.id, c, k6, 15)
    _done(db, office.id, a, k6, 15)
    db.flush()

    def visits(worker: Worker) -> dict[int, dict[str, Any]]:
        filters = Filters(office_ids=(office.id,), start=DAY, end=DAY, worker_id=worker.id)
        return _by_client(visits_of_day(db, filters=filters))

    of_b = visits(b)
    assert list(of_b) == [k1]
    assert of_b[k1]["status"] == "covered", of_b[k1]
    assert (of_b[k1]["done_by_id"], of_b[k1]["done_by"]) == (a.id, "Работник A")
    assert of_b[k1]["visit_id"] is None  # A's visit, counted in A's list only

    of_a = visits(a)
    assert set(of_a) == {k1, k3, k5, k6}
    assert of_a[k1]["status"] == "done" and of_a[k1]["visit_id"] == covered.id
    assert (of_a[k1]["planned_start"], of_a[k1]["planned_end"]) == (at(10), at(10, 30))
    assert of_a[k1]["done_by"] is None
    assert of_a[k3]["status"] == "missed" and of_a[k5]["status"] == "done"
    assert of_a[k6]["planned_start"] == at(15) and of_a[k6]["status"] == "done"

    of_c, of_d = visits(c), visits(d)
    assert {k: r["status"] for k, r in of_c.items()} == {k2: "done", k4: "done", k6: "done"}
    assert {k: r["status"] for k, r in of_d.items()} == {k2: "done", k4: "missed", k6: "covered"}
    assert of_d[k4]["done_by"] is None and of_d[k6]["done_by_id"] == a.id
    assert of_c[k2]["visit_id"] != of_d[k2]["visit_id"]

    # The timing report counts the same, for the whole office and worker by worker.
    expected = {  # worker: (planned, done, missed, unplanned)
        a.id: (2, 3, 1, 0), b.id: (1, 0, 0, 0), c.id: (3, 3, 0, 0), d.id: (3, 1, 1, 0),
    }  # fmt: skip
    whole = queries.worker_timing(db, filters=Filters(office_ids=(office.id,), start=DAY, end=DAY))
    for worker_id, figures in expected.items():
        one = queries.worker_timing(
            db, filters=Filters(office_ids=(office.id,), start=DAY, end=DAY, worker_id=worker_id)
        )
        for rows in (whole, one):
            row = _day_row(rows, worker_id)
            keys = ("visits_planned", "visits_done", "visits_missed", "visits_unplanned")
            got = tuple(row[k] for k in keys)
            assert got == figures, (worker_id, got)
    total = next(r for r in whole if r["level"] == "total")
    assert (total["visits_missed"], total["visits_unplanned"]) == (2, 0)

    # The facts follow the approved plan by the same rule, so the review shows A's covered
    # visits with the planned starts of B's and D's stops.
    visits_module.follow_approved_plan(db, plan, geofence_m=get_settings().geofence_m)
    listed = review.visits_for_review(db, office_id=office.id, start=DAY, end=DAY, worker_id=a.id)
    planned = {r["client_id"]: r["planned_start"] for r in listed}
    assert planned == {k1: at(10), k5: at(9), k6: at(15)}
    of_a_again = visits(a)
    assert (of_a_again[k6]["planned_start"], of_a_again[k6]["status"]) == (at(15), "done")
