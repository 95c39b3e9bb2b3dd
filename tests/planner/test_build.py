"""Registry -> Problem: who is on duty, which visits are due, continuity and travel."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy.orm import Session

from core.settings import Settings
from planner import build
from planner.problem import Break
from planner.problem import TravelMode as Mode
from planner.travel import OsrmHttpProvider, StraightLineProvider
from registry.models import ClientStatus, ClientStatusChange, TravelMode, WorkerAbsence
from tests import factories as f
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

pytestmark = pytest.mark.db

MONDAY = date(2026, 3, 2)
H = 3600


@pytest.fixture
def office_day(db: Session):  # type: ignore[no-untyped-def]
    office = f.office(db)
    walker = f.worker(db, office, full_name="Пешкова", skills=["medical"])
    driver = f.worker(db, office, full_name="Водителева", travel_mode=TravelMode.CAR)
    absent = f.worker(db, office, full_name="Отпускова")
    absent.absences = [WorkerAbsence(date_from=MONDAY, date_to=date(2026, 3, 6), reason="отпуск")]
    f.worker(db, office, full_name="Уволенова", active=False)
    shopping = f.service(db, office, "C01", 30)
    db.flush()
    return office, walker, driver, absent, shopping


def test_workers_on_duty_with_shift_and_lunch(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, walker, driver, _absent, _ = office_day
    built = build.build_problem(db, office_id=office.id, day=MONDAY)
    by_id = {w.id: w for w in built.problem.workers}
    assert set(by_id) == {str(walker.id), str(driver.id)}
    w = by_id[str(walker.id)]
    assert (w.shift_start, w.shift_end) == (8 * H, 17 * H)
    # lunch 45 min, starting between 12:00 and 13:15 (so it ends by 14:00)
    assert w.lunch == Break(earliest=12 * H, latest=13 * H + 15 * 60, duration=45 * 60)
    assert w.skills == frozenset({"medical"})
    assert by_id[str(driver.id)].travel_mode is Mode.CAR
    # Saturday: nobody has a shift template
    assert build.build_problem(db, office_id=office.id, day=date(2026, 3, 7)).problem.workers == ()


def test_due_visits_follow_care_plans_and_status(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, walker, _driver, _absent, shopping = office_day
    daily = f.client(db, office, lonlat=(37.79, 55.75), window_start=time(10), window_end=time(12))
    f.care_plan(db, daily, [(shopping, "daily")])
    tuesdays = f.client(db, office)
    f.care_plan(db, tuesdays, [(shopping, "weekdays:2")])
    suspended = f.client(db, office, status=ClientStatus.SUSPENDED)
    f.care_plan(db, suspended, [(shopping, "daily")])
    refused_this_week = f.client(db, office)
    f.care_plan(db, refused_this_week, [(shopping, "daily")])
    db.add(
        ClientStatusChange(
            client_id=refused_this_week.id,
            status=ClientStatus.REFUSED,
            since=date(2026, 3, 1),
            until=date(2026, 3, 3),
        )
    )
    nursing = f.service(db, office, "M01", 20)
    nursing.required_skill = "medical"
    unmapped = f.client(db, office, preferred_worker_id=walker.id)
    unmapped.location = None
    f.care_plan(db, unmapped, [(shopping, "daily"), (nursing, "daily")])
    db.flush()

    built = build.build_problem(db, office_id=office.id, day=MONDAY)
    assert [v.id for v in built.problem.visits] == [f"{daily.id}@2026-03-02"]
    visit = built.problem.visits[0]
    assert visit.duration == 30 * 60
    assert (visit.window_start, visit.window_end) == (10 * H, 12 * H)
    assert built.problem.locations[visit.location].lon == pytest.approx(37.79)
    assert built.drafts[visit.id].services[0]["code"] == "C01"
    assert [(s.client_id, s.code) for s in built.skipped] == [(unmapped.id, "no_location")]
    assert [s["code"] for s in built.skipped[0].services] == ["C01", "M01"]

    # the refusal ended on Wednesday 4 March; Tuesday's visit appears on Tuesday
    week = build.due_visits(db, office_id=office.id, start=MONDAY, end=date(2026, 3, 8))
    days = {(c.id, d.day.isoformat()) for c, d in week}
    assert (tuesdays.id, "2026-03-03") in days
    assert (tuesdays.id, "2026-03-02") not in days
    assert (refused_this_week.id, "2026-03-03") not in days
    assert (refused_this_week.id, "2026-03-04") in days
    assert not any(c.id == suspended.id for c, _ in week)
    nursing_visit = next(d for c, d in week if c.id == unmapped.id)
    assert nursing_visit.required_skills == frozenset({"medical"})


def test_continuity_from_client_then_active_zone(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, walker, driver, _absent, shopping = office_day
    own = f.client(db, office, preferred_worker_id=walker.id)
    zoned = f.client(db, office)
    loose = f.client(db, office)
    for c in (own, zoned, loose):
        f.care_plan(db, c, [(shopping, "daily")])
    zone_set = ZoneSet(office_id=office.id, version=1, status=ZoneSetStatus.ACTIVE)
    zone = Zone(worker_id=driver.id, name="Зона 1")
    zone_set.zones = [zone]
    db.add(zone_set)
    db.flush()
    db.add(ZoneClient(zone_set_id=zone_set.id, client_id=zoned.id, zone_id=zone.id))
    db.add(ZoneClient(zone_set_id=zone_set.id, client_id=own.id, zone_id=zone.id))
    db.flush()

    visits = {
        v.client_id: v
        for v in build.build_problem(db, office_id=office.id, day=MONDAY).problem.visits
    }
    assert visits[str(own.id)].preferred_worker == str(walker.id)  # the client's own choice wins
    assert visits[str(zoned.id)].preferred_worker == str(driver.id)
    assert visits[str(loose.id)].preferred_worker is None


def test_matrices_per_mode_in_use(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, _walker, _driver, _absent, shopping = office_day
    far = f.client(db, office, lonlat=(37.81, 55.76))
    f.care_plan(db, far, [(shopping, "daily")])
    problem = build.build_problem(db, office_id=office.id, day=MONDAY).problem
    assert set(problem.travel_time) == {Mode.WALK, Mode.CAR}
    n = len(problem.locations)
    assert n == 2  # every worker starts at the same point; one client
    walk = problem.travel_time[Mode.WALK][0][1]
    car = problem.travel_time[Mode.CAR][0][1]
    assert car < walk
    assert problem.distance is not None and problem.distance[0][1] > 1000


def test_provider_chosen_by_settings() -> None:
    assert isinstance(build.travel_provider(Settings(osrm_url="")), StraightLineProvider)
    osrm = build.travel_provider(Settings(osrm_url="http://osrm:5000"))
    assert isinstance(osrm, OsrmHttpProvider)


def test_urgent_visit_without_services_due_today(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, _walker, _driver, _absent, shopping = office_day
    client = f.client(db, office)
    f.care_plan(db, client, [(shopping, "weekdays:5")])
    draft = build.urgent_draft(db, client=client, day=MONDAY)
    assert draft.priority == build.URGENT
    assert [s["code"] for s in draft.services] == ["C01"]
    nobody = f.client(db, office)
    with pytest.raises(ValueError, match="no valid care plan"):
        build.urgent_draft(db, client=nobody, day=MONDAY)


def test_time_helpers_are_local() -> None:
    tz = build.local_tz(Settings(timezone="Europe/Moscow"))
    moment = build.at(MONDAY, 9 * H + 30 * 60, tz)
    assert moment.isoformat() == "2026-03-02T09:30:00+03:00"
    assert build.seconds_since_midnight(moment, MONDAY, tz) == 9 * H + 30 * 60


def test_measured_speeds_slow_the_walk(db: Session, office_day) -> None:  # type: ignore[no-untyped-def]
    office, _walker, _driver, _absent, shopping = office_day
    f.care_plan(db, f.client(db, office, lonlat=(37.81, 55.76)), [(shopping, "daily")])
    assert build.calibrated(None) is None
    slow = build.calibrated({"walk": (3.0, 1.5), "boat": (20.0, 1.0)})
    assert slow is not None and (slow.walk.speed_kmh, slow.walk.detour) == (3.0, 1.5)
    assert slow.car == build.StraightLineParams().car
    usual = build.build_problem(db, office_id=office.id, day=MONDAY).problem
    measured = build.build_problem(db, office_id=office.id, day=MONDAY, speeds=slow).problem
    assert measured.travel_time[Mode.WALK][0][1] > usual.travel_time[Mode.WALK][0][1]


def test_a_calibrated_mode_adds_no_fixed_time_twice() -> None:
    """Measured car speeds already hold the parking: the calibrated car adds none of its own."""
    measured = build.calibrated({"car": (11.0, 1.3)})
    assert measured is not None
    assert (measured.car.speed_kmh, measured.car.fixed_s) == (11.0, 0)
    assert measured.transit == build.StraightLineParams().transit  # not measured: unchanged
