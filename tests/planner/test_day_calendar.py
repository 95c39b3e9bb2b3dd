"""The day planner on the working calendar (`planner.duty`, the week planner's rule): on a
public holiday only duty workers plan, and with nobody on duty the visits due stay unplanned
with the holiday named; a Saturday worked by decree is planned with the usual workers, and
absences still count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Office, Role, User
from planner import build, plans
from planner.problem import SolveParams
from registry.models import Client, Worker, WorkerAbsence, WorkerShift
from tests import factories as f

pytestmark = pytest.mark.db

NEW_YEAR = date(2027, 1, 1)  # a Friday, a public holiday
MOVED_SATURDAY = date(2027, 2, 20)  # worked by decree instead of Monday 22 February
MOVED_MONDAY_OFF = date(2027, 2, 22)
QUICK = SolveParams(time_limit_s=1.0, workers=1)


@dataclass
class Office1:
    office: Office
    supervisor: User
    anna: Worker  # Monday to Friday
    rota: Worker  # Monday to Sunday: the duty worker on holidays and weekends
    clients: list[Client]


def make_office(db: Session, *, with_duty: bool = True) -> Office1:
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    anna = f.worker(db, office, full_name="Анна Календарь")
    rota = f.worker(db, office, full_name="Дежурная Календарь", active=with_duty)
    rota.shifts += [
        WorkerShift(weekday=d, start=time(9), end=time(15), lunch_minutes=0) for d in (6, 7)
    ]
    meals = f.service(db, office, "D01", 20)
    clients = []
    for n in range(4):
        c = f.client(db, office, lonlat=(37.776 + 0.003 * n, 55.746 + 0.002 * n))
        f.care_plan(db, c, [(meals, "daily")])
        clients.append(c)
    db.flush()
    return Office1(office, supervisor, anna, rota, clients)


def _routes(plan) -> dict[int, set[int]]:  # type: ignore[no-untyped-def]
    return {r.worker_id: {s.client_id for s in r.stops} for r in plan.routes if r.stops}


def test_holiday_is_planned_by_the_duty_worker_alone(db: Session) -> None:
    o = make_office(db)
    built = build.build_problem(db, office_id=o.office.id, day=NEW_YEAR)
    assert [w.id for w in built.problem.workers] == [str(o.rota.id)]
    plan = plans.plan_day(db, office_id=o.office.id, day=NEW_YEAR, params=QUICK)
    assert set(_routes(plan)) == {o.rota.id}
    assert _routes(plan)[o.rota.id] == {c.id for c in o.clients}
    assert not plan.unplanned


def test_holiday_with_nobody_on_duty_keeps_visits_with_the_reason(db: Session) -> None:
    o = make_office(db, with_duty=False)
    plan = plans.plan_day(db, office_id=o.office.id, day=NEW_YEAR, params=QUICK)
    assert not _routes(plan)
    assert {u.client_id for u in plan.unplanned} == {c.id for c in o.clients}
    for row in plan.unplanned:
        assert row.code == "nobody_works"
        assert row.reason.startswith("holiday, nobody on duty: ")
        assert row.reason.endswith(": Новогодние каникулы (2027-01-01)")  # the pages' key
        assert row.services[0]["code"] == "D01"
    # a plain Saturday says weekend; Monday 22 February is a day off moved from Saturday 20
    saturday = plans.plan_day(db, office_id=o.office.id, day=date(2027, 1, 9), params=QUICK)
    assert {u.reason for u in saturday.unplanned} == {"weekend, nobody on duty"}
    moved_off = plans.plan_day(db, office_id=o.office.id, day=MOVED_MONDAY_OFF, params=QUICK)
    assert not _routes(moved_off) and {u.code for u in moved_off.unplanned} == {"nobody_works"}
    assert all(u.reason.startswith("holiday, nobody on duty") for u in moved_off.unplanned)


def test_moved_working_saturday_uses_the_usual_workers_and_absences(db: Session) -> None:
    o = make_office(db, with_duty=False)
    bella = f.worker(db, o.office, full_name="Белла Календарь")
    bella.absences = [
        WorkerAbsence(date_from=MOVED_SATURDAY, date_to=MOVED_SATURDAY, reason="отгул")
    ]
    db.flush()
    built = build.build_problem(db, office_id=o.office.id, day=MOVED_SATURDAY)
    workers = {w.id: w for w in built.problem.workers}
    assert set(workers) == {str(o.anna.id)}  # Bella is away; the rota worker is inactive
    anna = workers[str(o.anna.id)]
    assert (anna.shift_start, anna.shift_end) == (8 * 3600, 17 * 3600)  # her weekday shift
    plan = plans.plan_day(db, office_id=o.office.id, day=MOVED_SATURDAY, params=QUICK)
    assert _routes(plan) == {o.anna.id: {c.id for c in o.clients}}
    assert not plan.unplanned


def test_day_calendar_route_names_the_holiday(db: Session, api: TestClient) -> None:
    o = make_office(db)
    head = f.auth(o.supervisor)
    url = f"/api/offices/{o.office.id}/day-calendar"
    holiday = api.get(url, params={"day": NEW_YEAR.isoformat()}, headers=head)
    assert holiday.status_code == 200, holiday.text
    body = holiday.json()
    assert (body["working"], body["off"], body["on_duty"]) == (False, "holiday", 1)
    assert body["names"] == {"ru": "Новогодние каникулы", "en": "New Year Holidays"}
    moved = api.get(url, params={"day": MOVED_SATURDAY.isoformat()}, headers=head).json()
    assert (moved["working"], moved["off"], moved["moved_working_day"]) == (True, "", True)
    assert moved["on_duty"] == 2
    assert api.get(url, params={"day": "2027-02-30"}, headers=head).status_code == 422


def test_a_weekend_rota_worker_takes_a_monday_holidays_duty(db: Session) -> None:
    o = make_office(db, with_duty=False)
    rota = f.worker(db, o.office, full_name="Ротация Календарь")
    rota.shifts = [s for s in rota.shifts if s.weekday >= 3] + [
        WorkerShift(weekday=d, start=time(9), end=time(15), lunch_minutes=0) for d in (6, 7)
    ]  # Wednesday to Sunday
    db.flush()
    for day in (MOVED_MONDAY_OFF, date(2027, 1, 5)):  # a Monday and a Tuesday off
        built = build.build_problem(db, office_id=o.office.id, day=day)
        assert [(w.id, w.shift_start) for w in built.problem.workers] == [(str(rota.id), 8 * 3600)]
    # on an ordinary Monday the rota worker is off and the usual ones work
    usual = build.build_problem(db, office_id=o.office.id, day=date(2027, 2, 15))
    assert {w.id for w in usual.problem.workers} == {str(o.anna.id)}
