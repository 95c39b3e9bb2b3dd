"""The demo region: a Moscow social-services centre with two home-care offices in Perovo,
40 social workers, 500 clients on real streets, a service catalogue, care plans, zones and
logins. Every page and report can be tried on it.

`load_demo(session)` loads it once (a second call finds it and changes nothing; `reset=True`
replaces it); `careroute demo` runs `main`. Every demo login has the password `demo`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2 import WKTElement
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Office, Region, Role, User
from core.security import hash_password
from core.settings import get_settings
from demo.data.care import DemoPlan, catalogue
from demo.data.people import DemoClient, DemoWorker
from demo.data.region import REGION_NAME, DemoOffice, DemoRegion, build_region
from demo.data.store_zones import store_zones
from demo.data.summary import (
    DEMO_PASSWORD,
    DemoLogin,
    DemoSummary,
    demo_user_ids,
    format_summary,
    next_workday_visits,
    stored_logins,
    summarise,
)
from demo.data.wipe import delete_rows
from registry.models import (
    CarePlan,
    CarePlanLine,
    CarePlanStatus,
    Client,
    ClientStatus,
    ClientStatusChange,
    LocationStatus,
    Service,
    TravelMode,
    Worker,
    WorkerAbsence,
    WorkerShift,
)

__all__ = [
    "DEMO_PASSWORD",
    "DemoConflict",
    "DemoLogin",
    "DemoSummary",
    "format_summary",
    "load_demo",
    "main",
    "wipe_demo",
]

log = logging.getLogger(__name__)


class DemoConflict(RuntimeError):
    """The demo cannot load without touching data that is not the demo's."""


def load_demo(
    session: Session, *, seed: int = 7, reset: bool = False, today: date | None = None
) -> DemoSummary:
    """Load the demo region once; with `reset`, wipe it first and load it afresh."""
    started = time.perf_counter()
    today = today or datetime.now(ZoneInfo(get_settings().timezone)).date()
    existing = session.scalar(select(Region).where(Region.name == REGION_NAME))
    if existing is not None and not reset:
        return summarise(session, existing, created=False, logins=stored_logins(session, existing))
    if existing is not None:
        wipe_demo(session)
    region = build_region(seed=seed, today=today)
    summary = _store(session, region, today=today)
    summary.seconds = time.perf_counter() - started
    return summary


def wipe_demo(session: Session) -> None:
    """Remove the demo region with its offices, people, plans, zones and demo logins."""
    region = session.scalar(select(Region).where(Region.name == REGION_NAME))
    if region is None:
        return
    office_ids = list(session.scalars(select(Office.id).where(Office.region_id == region.id)))
    user_ids = demo_user_ids(session, region.id, office_ids)
    session.flush()
    params = {"region_id": region.id, "offices": office_ids, "users": user_ids}
    delete_rows(session, "audit_log", "office_id = ANY(:offices)", params)
    # pings and drop counts hold worker ids without a foreign key (a partitioned, append-only
    # table): removed by hand, or every reset would leave the old region's month of pings
    worker_ids = "SELECT id FROM worker WHERE office_id = ANY(:offices)"
    delete_rows(session, "ping", "office_id = ANY(:offices)", params)
    delete_rows(session, "ping_drop", f"worker_id IN ({worker_ids})", params)
    delete_rows(session, "ping_refusal", f"worker_id IN ({worker_ids})", params)
    delete_rows(session, "region", "id = :region_id", params)
    delete_rows(session, "app_user", "id = ANY(:users)", params)
    session.expunge_all()


# ---------------------------------------------------------------- storing


def _point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon:.7f} {lat:.7f})", srid=4326)


def area(shape: MultiPolygon) -> Any:
    """A shapely multipolygon as a value for a MULTIPOLYGON 4326 column."""
    return from_shape(shape, srid=4326)


def _store(session: Session, demo: DemoRegion, *, today: date) -> DemoSummary:
    region = Region(name=demo.name)
    session.add(region)
    session.flush()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: argon2 is slow on purpose
    logins = [_ensure_admin(session, password_hash)]
    manager = _user(session, "manager", Role.MANAGER, demo.manager, password_hash, region.id)
    logins.append(DemoLogin(manager.username, manager.role.value, manager.full_name))
    methods: set[str] = set()
    for number, office_data in enumerate(demo.offices, start=1):
        office = _store_office(session, region, demo, office_data)
        head = _user(
            session, f"supervisor{number}", Role.SUPERVISOR, office_data.head, password_hash
        )
        head.offices = [office]
        logins.append(DemoLogin(head.username, head.role.value, head.full_name, office.name))
        services = _store_services(session, office)
        workers = _store_workers(session, office, office_data, password_hash, logins)
        clients = _store_clients(session, office, office_data)
        _store_plans(session, office_data, clients, services)
        methods.add(
            store_zones(
                session,
                office=office,
                head=head,
                data=office_data,
                workers=workers,
                clients=clients,
                today=today,
            )
        )
    session.flush()
    summary = summarise(session, region, created=True, logins=logins)
    summary.zoning = ", ".join(sorted(methods))
    summary.visits_next_workday = next_workday_visits(demo, today)
    log.info("demo region loaded", extra={"region_id": region.id, "clients": summary.clients})
    return summary


def _ensure_admin(session: Session, password_hash: str) -> DemoLogin:
    """The `admin` login: created if missing; an existing admin keeps its password."""
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None:
        admin = User(
            username="admin",
            full_name="Администратор системы",
            password_hash=password_hash,
            role=Role.ADMIN,
        )
        session.add(admin)
        session.flush()
    return DemoLogin(admin.username, admin.role.value, admin.full_name)


def _user(
    session: Session,
    username: str,
    role: Role,
    full_name: str,
    password_hash: str,
    region_id: int | None = None,
) -> User:
    """A demo login; a leftover of an earlier demo (same role, tied to nothing) is reused."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username)
        session.add(user)
    elif not _is_leftover(session, user, role):
        raise DemoConflict(
            f"the login {username!r} belongs to someone outside the demo; "
            "rename or remove it before loading the demo"
        )
    user.full_name = full_name
    user.role = role
    user.region_id = region_id
    user.password_hash = password_hash
    user.is_active = True
    session.flush()
    return user


def _is_leftover(session: Session, user: User, role: Role) -> bool:
    """A user of that role whom no region, office or worker refers to."""
    linked = session.scalar(select(Worker.id).where(Worker.user_id == user.id).limit(1))
    return user.role == role and user.region_id is None and not user.offices and linked is None


def _store_office(session: Session, region: Region, demo: DemoRegion, data: DemoOffice) -> Office:
    office = Office(
        region_id=region.id,
        centre=demo.centre,
        name=data.name,
        address=data.building.address,
        location=_point(data.building.lon, data.building.lat),
        service_area=area(data.area),
    )
    session.add(office)
    session.flush()
    return office


def _store_services(session: Session, office: Office) -> dict[str, Service]:
    services = {
        item["key"]: Service(
            office_id=office.id,
            code=item["code"],
            name=item["name"],
            category=item["category"],
            level=item["level"],
            standard_minutes=item["minutes"],
            required_skill=item.get("skill"),
        )
        for item in catalogue()
    }
    session.add_all(services.values())
    session.flush()
    return services


def _store_workers(
    session: Session,
    office: Office,
    data: DemoOffice,
    password_hash: str,
    logins: list[DemoLogin],
) -> list[Worker]:
    workers: list[Worker] = []
    for item in data.workers:
        user = _user(session, item.login, Role.WORKER, item.full_name, password_hash)
        logins.append(DemoLogin(user.username, user.role.value, user.full_name, office.name))
        workers.append(_worker_row(office, item, user.id, data))
    session.add_all(workers)
    session.flush()
    return workers


def _worker_row(office: Office, item: DemoWorker, user_id: int, data: DemoOffice) -> Worker:
    start = item.home if item.starts_at_home else data.building
    worker = Worker(
        office_id=office.id,
        user_id=user_id,
        full_name=item.full_name,
        phone=item.phone,
        position=item.position,
        skills=item.skills,
        travel_mode=TravelMode(item.travel_mode),
        start_location=_point(start.lon, start.lat),
        end_location=_point(start.lon, start.lat),
        weekly_hours=item.weekly_hours,
    )
    worker.shifts = [
        WorkerShift(
            weekday=shift.weekday,
            start=shift.start,
            end=shift.end,
            lunch_from=shift.start.replace(hour=12) if shift.lunch else None,
            lunch_to=shift.start.replace(hour=14) if shift.lunch else None,
            lunch_minutes=45 if shift.lunch else 0,
        )
        for shift in item.shifts
    ]
    worker.absences = [
        WorkerAbsence(date_from=begin, date_to=end, reason=reason)
        for begin, end, reason in item.absences
    ]
    return worker


def _store_clients(session: Session, office: Office, data: DemoOffice) -> list[Client]:
    clients = [_client_row(office, item) for item in data.clients]
    session.add_all(clients)
    session.flush()
    session.add_all(
        ClientStatusChange(
            client_id=row.id, status=ClientStatus(status), since=since, until=until, reason=reason
        )
        for row, item in zip(clients, data.clients, strict=True)
        for status, since, until, reason in item.history
    )
    return clients


def _client_row(office: Office, item: DemoClient) -> Client:
    return Client(
        office_id=office.id,
        full_name=item.full_name,
        birth_date=item.birth_date,
        phone=item.phone,
        address=item.address,
        location=_point(item.building.lon, item.building.lat),
        location_status=LocationStatus.OK,
        categories=item.categories,
        status=ClientStatus(item.status),
        window_start=item.window[0] if item.window else None,
        window_end=item.window[1] if item.window else None,
        required_skills=item.required_skills,
        workers_needed=item.workers_needed,
        confirmation_code=item.code,
        notes=item.notes,
    )


def _store_plans(
    session: Session, data: DemoOffice, clients: list[Client], services: dict[str, Service]
) -> None:
    session.add_all(
        _plan_row(clients[index].id, plan, services) for index, plan in data.plans.items()
    )


def _plan_row(client_id: int, plan: DemoPlan, services: dict[str, Service]) -> CarePlan:
    row = CarePlan(
        client_id=client_id,
        number=plan.number,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        status=CarePlanStatus.APPROVED,  # the demo office's programmes are in force
        approved_at=datetime(*plan.valid_from.timetuple()[:3], 9, tzinfo=ZoneInfo("UTC")),
    )
    row.lines = [
        CarePlanLine(
            service=services[line.service],  # the object, so nothing is loaded back
            recurrence=line.recurrence,
            valid_from=line.valid_from,
            valid_to=plan.valid_to,
        )
        for line in plan.lines
    ]
    return row


def main(argv: Sequence[str] | None = None) -> int:
    """`careroute demo`: load the demo region and print its logins."""
    parser = argparse.ArgumentParser(
        prog="careroute demo",
        description="Load the demo region (a home-care centre in Perovo); print its logins.",
    )
    parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same region")
    parser.add_argument("--reset", action="store_true", help="wipe the demo region first")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    from core.db import session_scope

    try:
        with session_scope() as session:
            summary = load_demo(session, seed=args.seed, reset=args.reset)
    except DemoConflict as exc:
        print(f"careroute demo: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(format_summary(summary))
    return 0
