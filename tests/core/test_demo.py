"""The demo region loads on the real PostGIS, stays inside its ranges, and loads only once.

Loading takes seconds, so the module loads it once inside a transaction that is rolled back at
the end; tests that change it (reload, reset, wipe) run in a savepoint of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office, Region, Role, User
from core.security import verify_password
from demo import load as demo_module
from demo.data.care import MAX_VISIT_MINUTES
from demo.data.region import REGION_NAME, build_region
from demo.load import (
    DEMO_PASSWORD,
    DemoConflict,
    DemoSummary,
    format_summary,
    load_demo,
    wipe_demo,
)
from registry.models import CarePlan, CarePlanLine, Client, ClientStatus, ClientStatusChange, Worker
from registry.recurrence import parse_recurrence
from tests import factories
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def shared(migrated: None) -> Iterator[Connection]:
    with get_engine().connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture(scope="module")
def loaded(shared: Connection) -> tuple[Session, DemoSummary]:
    session = Session(bind=shared, join_transaction_mode="create_savepoint")
    summary = load_demo(session, seed=7, today=TODAY)
    session.commit()  # releases the session's savepoint; the module's transaction stays open
    return session, summary


@pytest.fixture
def db(loaded: tuple[Session, DemoSummary]) -> Session:
    """The session holding the loaded demo (read-only tests)."""
    return loaded[0]


@pytest.fixture
def demo(loaded: tuple[Session, DemoSummary]) -> DemoSummary:
    return loaded[1]


@pytest.fixture
def scratch(shared: Connection, loaded: tuple[Session, DemoSummary]) -> Iterator[Session]:
    """A session over the loaded demo whose changes are undone after the test."""
    savepoint = shared.begin_nested()
    session = Session(bind=shared, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    savepoint.rollback()


def test_demo_counts_are_in_range(db: Session, demo: DemoSummary) -> None:
    assert demo.created
    assert len(demo.office_ids) == 2
    assert 36 <= demo.workers <= 44
    assert 450 <= demo.clients <= 550
    by_status = demo.clients_by_status
    assert by_status["enrolled"] > 0.75 * demo.clients
    assert {"queued", "suspended", "refused"} <= set(by_status)
    assert 30 <= demo.services <= 40  # 15-20 per office
    assert demo.zones == demo.workers
    for office_id in demo.office_ids:
        workers = db.scalar(select(func.count()).where(Worker.office_id == office_id))
        clients = db.scalar(select(func.count()).where(Client.office_id == office_id))
        assert 18 <= workers <= 22
        assert 220 <= clients <= 280


def test_enrolled_clients_live_in_their_office_area_and_have_plans(
    db: Session, demo: DemoSummary
) -> None:
    outside = db.scalar(
        select(func.count())
        .select_from(Client)
        .join(Office, Office.id == Client.office_id)
        .where(
            Office.id.in_(demo.office_ids),
            Client.status == ClientStatus.ENROLLED,
            ~func.ST_Contains(Office.service_area, Client.location),
        )
    )
    assert outside == 0
    without_plan = db.scalar(
        select(func.count())
        .select_from(Client)
        .where(
            Client.office_id.in_(demo.office_ids),
            Client.status == ClientStatus.ENROLLED,
            ~Client.id.in_(select(CarePlan.client_id)),
        )
    )
    assert without_plan == 0


def test_care_plans_parse_and_hold_two_to_six_lines(db: Session, demo: DemoSummary) -> None:
    plans = db.scalars(
        select(CarePlan).join(Client).where(Client.office_id.in_(demo.office_ids))
    ).all()
    assert len(plans) == demo.care_plans
    for plan in plans:
        assert 2 <= len(plan.lines) <= 6
        assert plan.valid_to is not None and plan.valid_to > TODAY
    recurrences = db.scalars(select(CarePlanLine.recurrence).distinct()).all()
    for rule in recurrences:
        parse_recurrence(rule)  # raises on a malformed string


def test_addresses_look_real(db: Session, demo: DemoSummary) -> None:
    clients = db.scalars(select(Client).where(Client.office_id.in_(demo.office_ids))).all()
    for client in clients:
        assert client.address.startswith("Москва, ")
        assert ", д. " in client.address and ", кв. " in client.address
        assert len(client.full_name.split()) == 3
        assert len(client.confirmation_code) == 4 and client.confirmation_code.isdigit()
    # Clients cluster in apartment blocks: far fewer houses than clients.
    houses = {c.address.rsplit(", кв.", 1)[0] for c in clients}
    assert len(houses) < 0.6 * len(clients)


def test_status_history_explains_each_status(db: Session, demo: DemoSummary) -> None:
    clients = db.scalars(select(Client).where(Client.office_id.in_(demo.office_ids))).all()
    last_status = dict(
        db.execute(
            select(ClientStatusChange.client_id, ClientStatusChange.status)
            .where(ClientStatusChange.until.is_(None) | (ClientStatusChange.status == "refused"))
            .order_by(ClientStatusChange.since)
        ).all()
    )
    assert all(last_status[c.id] == c.status for c in clients)


def test_zones_cover_every_served_client_once(db: Session, demo: DemoSummary) -> None:
    assert demo.zoning == "zones service"
    check_zones(db, demo)


def check_zones(db: Session, demo: DemoSummary) -> None:
    """One active zone set per office; each served client in one zone, nurses' clients with a
    nurse, and four in five with their zone's worker as preferred worker."""
    for office_id in demo.office_ids:
        zone_set = db.scalar(
            select(ZoneSet).where(
                ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE
            )
        )
        assert zone_set is not None
        colours = {zone.color for zone in zone_set.zones}
        assert len(colours) == len(zone_set.zones)
        assert all(zone.name.startswith("Участок ") for zone in zone_set.zones)
        assert all(zone.polygon is not None for zone in zone_set.zones)
        zoned = db.scalars(
            select(ZoneClient.client_id).where(ZoneClient.zone_set_id == zone_set.id)
        ).all()
        enrolled = db.scalars(
            select(Client.id).where(
                Client.office_id == office_id, Client.status == ClientStatus.ENROLLED
            )
        ).all()
        assert len(zoned) == len(set(zoned))
        assert set(enrolled) <= set(zoned)
        preferred = db.scalar(
            select(func.count())
            .select_from(ZoneClient)
            .join(Zone, Zone.id == ZoneClient.zone_id)
            .join(Client, Client.id == ZoneClient.client_id)
            .where(
                ZoneClient.zone_set_id == zone_set.id, Client.preferred_worker_id == Zone.worker_id
            )
        )
        assert 0.75 * len(zoned) <= preferred <= 0.85 * len(zoned)
    nurses_clients = db.execute(
        select(Client.required_skills, Worker.skills)
        .join(ZoneClient, ZoneClient.client_id == Client.id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .join(ZoneSet, ZoneSet.id == Zone.zone_set_id)
        .join(Worker, Worker.id == Zone.worker_id)
        .where(
            Client.office_id.in_(demo.office_ids),
            ZoneSet.status == ZoneSetStatus.ACTIVE,
            Client.required_skills.contains(["medical"]),
        )
    ).all()
    assert nurses_clients
    assert all(set(needed) <= set(skills) for needed, skills in nurses_clients)


def test_second_load_changes_nothing(scratch: Session, demo: DemoSummary) -> None:
    db = scratch
    again = load_demo(db, seed=7, today=TODAY)
    assert not again.created
    assert again.region_id == demo.region_id
    assert (again.workers, again.clients, again.care_plans) == (
        demo.workers,
        demo.clients,
        demo.care_plans,
    )
    assert db.scalar(select(func.count()).where(Region.name == REGION_NAME)) == 1
    assert {login.username for login in again.logins} == {login.username for login in demo.logins}


def test_demo_never_takes_over_someone_elses_login(scratch: Session, demo: DemoSummary) -> None:
    db = scratch
    wipe_demo(db)
    office = factories.office(db)
    factories.user(db, Role.SUPERVISOR, offices=[office], username="supervisor2")
    with pytest.raises(DemoConflict, match="supervisor2"):
        load_demo(db, seed=7, today=TODAY)


def test_wipe_removes_everything_of_the_region(scratch: Session, demo: DemoSummary) -> None:
    from tracking.partitions import ensure_partitions

    db = scratch
    offices = demo.office_ids
    ensure_partitions([TODAY])
    worker = db.scalars(select(Worker).where(Worker.office_id == offices[0])).first()
    assert worker is not None
    ping = (
        "INSERT INTO ping (device_id, t, worker_id, office_id, location, accuracy, flags, source)"
        " VALUES (0, :t, :w, :o, 'SRID=4326;POINT(37.78 55.75)', 5, 0, 'sync')"
    )
    db.execute(text(ping), {"t": f"{TODAY}T09:00:00+03:00", "w": worker.id, "o": offices[0]})
    wipe_demo(db)
    pings = "SELECT count(*) FROM ping WHERE office_id = ANY(:o)"
    assert db.scalar(text(pings), {"o": offices}) == 0  # no foreign key: removed by hand
    assert db.scalar(select(func.count()).where(Client.office_id.in_(offices))) == 0
    assert db.scalar(select(func.count()).where(Worker.office_id.in_(offices))) == 0
    assert db.scalar(select(func.count()).where(ZoneSet.office_id.in_(offices))) == 0
    assert db.scalar(select(func.count()).where(Office.id.in_(offices))) == 0
    assert db.scalar(select(User).where(User.username == "worker01")) is None
    assert db.scalar(select(User).where(User.username == "admin")) is not None


def test_logins_work_with_the_demo_password(db: Session, demo: DemoSummary) -> None:
    usernames = {login.username for login in demo.logins}
    assert {"admin", "manager", "supervisor1", "supervisor2", "worker01", "worker40"} <= usernames
    users = db.scalars(select(User).where(User.username.in_(usernames))).all()
    assert len(users) == len(usernames)
    for password_hash in {user.password_hash for user in users}:  # argon2 is slow: once each
        assert verify_password(DEMO_PASSWORD, password_hash)
        assert not verify_password("wrong", password_hash)
    supervisor = next(u for u in users if u.username == "supervisor1")
    assert [o.id for o in supervisor.offices] == [demo.office_ids[0]]
    manager = next(u for u in users if u.username == "manager")
    assert manager.region_id == demo.region_id
    worker_users = db.scalars(select(Worker.user_id).where(Worker.office_id.in_(demo.office_ids)))
    assert len(set(worker_users)) == demo.workers


def test_api_login_with_demo_password(scratch: Session, demo: DemoSummary) -> None:
    from api.main import app
    from core.deps import get_session

    def _session() -> Iterator[Session]:
        yield scratch

    app.dependency_overrides[get_session] = _session
    try:
        with TestClient(app) as api:
            good = api.post("/api/auth/token", data={"username": "supervisor2", "password": "demo"})
            bad = api.post("/api/auth/token", data={"username": "supervisor2", "password": "x"})
    finally:
        app.dependency_overrides.clear()
    assert good.status_code == 200 and "access_token" in good.json()
    assert bad.status_code == 401


def test_summary_prints_the_logins(demo: DemoSummary) -> None:
    text = format_summary(demo)
    assert "supervisor1" in text and "worker40" in text and "'demo'" in text


def test_main_reports_an_existing_region(
    scratch: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contextlib import contextmanager

    @contextmanager
    def _scope() -> Iterator[Session]:
        yield scratch

    monkeypatch.setattr("core.db.session_scope", _scope)
    assert demo_module.main(["--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "already present" in out and "worker01" in out
    assert demo_module.main(["--quiet"]) == 0
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- pure: the built region


def test_same_seed_same_region() -> None:
    first = build_region(seed=3, today=TODAY)
    second = build_region(seed=3, today=TODAY)
    other = build_region(seed=4, today=TODAY)
    names = [c.full_name for o in first.offices for c in o.clients]
    assert names == [c.full_name for o in second.offices for c in o.clients]
    assert names != [c.full_name for o in other.offices for c in o.clients]


def test_daily_load_is_believable() -> None:
    """5-12 visits a worker on duty: a Moscow home-care day, with room for travel and lunch."""
    region = build_region(seed=7, today=TODAY)
    for office in region.offices:
        for offset in range(5):  # Monday to Friday
            day = TODAY + timedelta(days=offset)
            lengths = [
                plan.minutes_on(day)
                for index, plan in office.plans.items()
                if office.clients[index].status == "enrolled"
            ]
            visits = [m for m in lengths if m > 0]
            at_work = [
                w
                for w in office.workers
                if any(s.weekday == day.isoweekday() for s in w.shifts)
                and not any(begin <= day <= end for begin, end, _ in w.absences)
            ]
            assert 5 <= len(visits) / len(at_work) <= 12, (day, len(visits), len(at_work))
            assert min(visits) >= 15
            assert max(visits) <= MAX_VISIT_MINUTES


def test_weekdays_carry_the_same_load_and_few_clients_need_windows() -> None:
    """An office spreads its visits over the week; hard windows are the exception, and
    clients served by two workers take whatever hour two workers can come."""
    region = build_region(seed=7, today=TODAY)
    for office in region.offices:
        served = [i for i in office.plans if office.clients[i].status == "enrolled"]
        per_day = [
            sum(office.plans[i].minutes_on(TODAY + timedelta(days=offset)) > 0 for i in served)
            for offset in range(-28, 0)
            if (TODAY + timedelta(days=offset)).isoweekday() <= 5
        ]
        assert max(per_day) <= 1.25 * min(per_day), per_day
        windows = [office.clients[i].window for i in served]
        assert sum(w is not None for w in windows) <= 0.2 * len(served)
        assert all(c.window is None for c in office.clients if c.workers_needed > 1)


def test_service_areas_do_not_overlap_and_hold_their_offices() -> None:
    region = build_region(seed=7, today=TODAY)
    north, south = (office.area for office in region.offices)
    assert north.intersection(south).area < 1e-9
    for office in region.offices:
        assert office.area.contains(Point(office.building.lon, office.building.lat))


def test_geometry_is_stored_in_4326(db: Session, demo: DemoSummary) -> None:
    office = db.get(Office, demo.office_ids[0])
    assert office is not None
    area = to_shape(office.service_area)
    assert 37.7 < area.centroid.x < 37.9 and 55.7 < area.centroid.y < 55.8
