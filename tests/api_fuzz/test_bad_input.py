"""Bad input found by fuzzing the API answers 4xx with a JSON `detail` naming the field, and
stores nothing. Each case here once answered 500 (or a 4xx without the field)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEntry, Office, Role
from registry.models import Client, Service, Worker, WorkerAbsence
from tests import factories as f

HUGE = 2**63  # overflows PostgreSQL integer and bigint alike
NUL = "\u0000"


@pytest.fixture
def office(db: Session) -> Office:
    return f.office(db)


@pytest.fixture
def admin(db: Session) -> dict[str, str]:
    return f.auth(f.user(db, Role.ADMIN))


def _stored(db: Session) -> tuple[int, ...]:
    """Row counts of what a bad write could leave behind."""
    models = (Office, Worker, WorkerAbsence, Client, Service, AuditEntry)
    return tuple(db.scalar(select(func.count()).select_from(m)) or 0 for m in models)


def _refused(answer: Any, field: str, status: int = 422) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert field in [e["field"] for e in body.get("errors", [])], body


@pytest.mark.parametrize(
    "path",
    [
        "/api/offices/{huge}",
        "/api/offices/{huge}/workers",
        "/api/offices/{huge}/clients/to-enrol",
        "/api/workers/{huge}",
        "/api/clients/{huge}",
        "/api/services/{huge}",
        "/api/plans/{huge}",
        "/api/zone-sets/{huge}/geojson",
        "/api/offices/{huge}/zones",
    ],
)
def test_ids_beyond_the_integer_column_are_refused(
    api: TestClient, admin: dict[str, str], path: str
) -> None:
    answer = api.get(path.format(huge=HUGE), headers=admin)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"].endswith("_id")


def test_page_offset_and_filters_beyond_range_are_refused(
    api: TestClient, admin: dict[str, str]
) -> None:
    _refused(api.get("/api/offices", params={"offset": HUGE}, headers=admin), "offset")
    _refused(api.get("/api/audit", params={"office_id": HUGE}, headers=admin), "office_id")


def test_zero_and_negative_ids_are_refused_not_looked_up(
    api: TestClient, admin: dict[str, str]
) -> None:
    _refused(api.get("/api/offices/0", headers=admin), "office_id")
    _refused(api.get("/api/clients/-5", headers=admin), "client_id")


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/offices", {"region_id": HUGE, "name": "Отделение"}, "region_id"),
        (
            "/api/offices/{office}/clients",
            {"full_name": "Иванова", "address": "ул. Ленина, 1", "preferred_worker_id": HUGE},
            "preferred_worker_id",
        ),
        ("/api/offices/{office}/workers", {"full_name": "Петрова", "user_id": HUGE}, "user_id"),
        ("/api/offices/{office}/zones/lock", {"client_ids": [HUGE]}, "client_ids.0"),
        (
            "/api/offices/{office}/zones/moves",
            {"moves": [{"client_id": 1, "zone_id": HUGE}]},
            "moves.0.zone_id",
        ),
        (
            "/api/offices/{office}/services",
            {"code": "C" + NUL, "name": "Уборка", "standard_minutes": 30},
            "code",
        ),
        (
            "/api/offices/{office}/clients",
            {"full_name": "Иван" + NUL, "address": "ул. Ленина, 1"},
            "full_name",
        ),
        (
            "/api/offices/{office}/clients",
            {"full_name": "Иванов", "address": "ул. Ленина, 1", "notes": "bell\u0007"},
            "notes",
        ),
        (
            "/api/offices/{office}/clients",
            {"full_name": "Иванов", "address": "ул. Ленина, 1", "window_start": "09:00+03:00"},
            "window_start",
        ),
        (
            "/api/offices/{office}/clients",
            {"full_name": "Иванов", "address": "ул. Ленина, 1", "window_start": "09:00+25:00"},
            "window_start",
        ),
        (
            "/api/offices/{office}/workers",
            {"full_name": "Петрова", "weekly_hours": 5e-324},
            "weekly_hours",
        ),
        (
            "/api/offices/{office}/workers",
            {"full_name": "Петрова", "skills": ["med" + NUL]},
            "skills.0",
        ),
        (
            "/api/offices/{office}/workers",
            {
                "full_name": "Петрова",
                "shifts": [{"weekday": 1, "start": "08:00+03:00", "end": "17:00"}],
            },
            "shifts.0.start",
        ),
        ("/api/offices/{office}/plans", {"day": "9999-12-31"}, "day"),
    ],
)
def test_bad_bodies_are_refused_and_store_nothing(
    api: TestClient,
    db: Session,
    office: Office,
    admin: dict[str, str],
    url: str,
    body: dict[str, Any],
    field: str,
) -> None:
    before = _stored(db)
    answer = api.post(url.format(office=office.id), json=body, headers=admin)
    _refused(answer, field)
    assert _stored(db) == before


def test_nan_coordinates_are_refused(
    api: TestClient, office: Office, admin: dict[str, str]
) -> None:
    # Python's JSON parser accepts the NaN literal, so the schema's bounds must catch it
    answer = api.patch(
        f"/api/offices/{office.id}",
        content='{"location": {"lon": NaN, "lat": 55.7}}',
        headers={**admin, "Content-Type": "application/json"},
    )
    _refused(answer, "location.lon")


def test_dates_far_off_are_refused(
    api: TestClient, db: Session, office: Office, admin: dict[str, str]
) -> None:
    worker = f.worker(db, office)
    before = _stored(db)
    answer = api.post(
        f"/api/workers/{worker.id}/absences",
        json={"date_from": "0010-04-26", "date_to": "2026-08-29"},
        headers=admin,
    )
    _refused(answer, "date_from")
    service = f.service(db, office)
    client = f.client(db, office)
    before = _stored(db)
    answer = api.put(
        f"/api/clients/{client.id}/care-plan",
        json={"valid_from": "2026-01-01", "lines": [
            {"service_id": service.id, "recurrence": "daily", "valid_to": "9999-12-31"}
        ]},
        headers=admin,
    )  # fmt: skip
    _refused(answer, "lines.0.valid_to")
    assert _stored(db) == before
    answer = api.get(
        f"/api/offices/{office.id}/visits-due",
        params={"start": "9999-12-01", "end": "9999-12-31"},
        headers=admin,
    )
    _refused(answer, "start")


def test_search_text_with_nul_is_refused(
    api: TestClient, office: Office, admin: dict[str, str]
) -> None:
    answer = api.get(f"/api/offices/{office.id}/workers", params={"q": "a\x00b"}, headers=admin)
    _refused(answer, "q")
    _refused(api.get("/api/audit", params={"entity": "client\x00"}, headers=admin), "entity")


def test_job_id_that_cannot_be_a_job_is_refused(api: TestClient, admin: dict[str, str]) -> None:
    _refused(api.get("/api/plan-jobs/a%00b", headers=admin), "job_id")
    missing = api.get("/api/plan-jobs/no-such-job", headers=admin)
    assert missing.status_code == 404 and missing.json()["detail"]


def test_zone_errors_name_the_field(
    api: TestClient, db: Session, office: Office, admin: dict[str, str]
) -> None:
    before = _stored(db)
    answer = api.post(f"/api/offices/{office.id}/zones/moves", json={"moves": []}, headers=admin)
    _refused(answer, "moves", status=400)
    assert _stored(db) == before


def test_rejected_import_says_what_is_wrong(
    api: TestClient, db: Session, office: Office, admin: dict[str, str]
) -> None:
    before = _stored(db)
    csv = "full_name;address;birth_date\nИванова;ул. Ленина, 1;not-a-date\n".encode()
    answer = api.post(
        f"/api/offices/{office.id}/imports/clients",
        files={"file": ("clients.csv", csv, "text/csv")},
        headers=admin,
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert "nothing written" in body["detail"]
    assert body["errors"][0]["field"] == "birth_date"
    assert _stored(db) == before
