"""Small builders of registry rows for tests: realistic defaults, override what matters."""

from __future__ import annotations

import secrets
from datetime import date, time
from itertools import count

from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy.orm import Session

from core.models import Office, Region, Role, User
from core.security import create_access_token, hash_password
from registry.models import (
    CarePlan,
    CarePlanLine,
    CarePlanStatus,
    Client,
    Service,
    TravelMode,
    Worker,
    WorkerShift,
)

_n = count(1)
# Names unique across runs too: tests that commit (ingest, browser) may leave rows behind.
_run = secrets.token_hex(3)
PEROVO = (37.785, 55.751)


def point(lon: float = PEROVO[0], lat: float = PEROVO[1]):  # type: ignore[no-untyped-def]
    return from_shape(Point(lon, lat), srid=4326)


def region(db: Session, name: str | None = None) -> Region:
    row = Region(name=name or f"Регион {_run}-{next(_n)}")
    db.add(row)
    db.flush()
    return row


def office(db: Session, region_row: Region | None = None, name: str | None = None) -> Office:
    region_row = region_row or region(db)
    area = MultiPolygon([box(37.75, 55.73, 37.82, 55.77)])
    row = Office(
        region_id=region_row.id,
        centre="ГБУ ТЦСО «Перово»",
        name=name or f"Отделение социального обслуживания на дому №{next(_n)}",
        location=point(),
        service_area=from_shape(area, srid=4326),
    )
    db.add(row)
    db.flush()
    return row


def user(
    db: Session,
    role: Role,
    offices: list[Office] | None = None,
    region_id: int | None = None,
    username: str | None = None,
) -> User:
    row = User(
        username=username or f"{role.value}-{_run}-{next(_n)}",
        full_name="Тестовый Пользователь",
        password_hash=hash_password("secret-pass"),
        role=role,
        region_id=region_id,
    )
    row.offices = list(offices or [])
    db.add(row)
    db.flush()
    return row


def worker(db: Session, office_row: Office, user_row: User | None = None, **fields) -> Worker:  # type: ignore[no-untyped-def]
    row = Worker(
        office_id=office_row.id,
        user_id=user_row.id if user_row else None,
        full_name=fields.pop("full_name", f"Иванова Мария Петровна {next(_n)}"),
        travel_mode=fields.pop("travel_mode", TravelMode.WALK),
        start_location=point(),
        end_location=point(),
        skills=fields.pop("skills", []),
        **fields,
    )
    row.shifts = [
        WorkerShift(
            weekday=d,
            start=time(8),
            end=time(17),
            lunch_from=time(12),
            lunch_to=time(14),
            lunch_minutes=45,
        )
        for d in range(1, 6)
    ]
    db.add(row)
    db.flush()
    return row


def client(db: Session, office_row: Office, **fields) -> Client:  # type: ignore[no-untyped-def]
    lon, lat = fields.pop("lonlat", PEROVO)
    row = Client(
        office_id=office_row.id,
        full_name=fields.pop("full_name", f"Смирнова Анна Ивановна {next(_n)}"),
        birth_date=date(1938, 5, 17),
        address=fields.pop("address", "Москва, Зелёный проспект, д. 20, кв. 15"),
        location=point(lon, lat),
        **fields,
    )
    db.add(row)
    db.flush()
    return row


def service(db: Session, office_row: Office, code: str = "C01", minutes: int = 30) -> Service:
    row = Service(
        office_id=office_row.id,
        code=code,
        name="Покупка за счёт средств получателя и доставка на дом продуктов питания",
        category="социально-бытовые",
        standard_minutes=minutes,
    )
    db.add(row)
    db.flush()
    return row


def care_plan(
    db: Session,
    client_row: Client,
    lines: list[tuple[Service, str]],
    status: CarePlanStatus = CarePlanStatus.APPROVED,
) -> CarePlan:
    """A programme in force (approved) unless told otherwise: only approved ones are planned."""
    row = CarePlan(client_id=client_row.id, valid_from=date(2026, 1, 1), status=status)
    row.lines = [
        CarePlanLine(service_id=s.id, recurrence=r, valid_from=date(2026, 1, 1)) for s, r in lines
    ]
    db.add(row)
    db.flush()
    return row


def auth(user_row: User) -> dict[str, str]:
    token = create_access_token(user_row.id, user_row.role.value, version=user_row.token_version)
    return {"Authorization": f"Bearer {token}"}


def login(api: TestClient, username: str, password: str = "secret-pass") -> dict[str, str]:
    answer = api.post("/api/auth/token", data={"username": username, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
