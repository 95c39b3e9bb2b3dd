"""The audit log records every registry change with its diff, and shows it to the staff of the
office concerned only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from registry.models import TravelMode
from tests import factories as f


def test_client_edit_is_recorded_with_the_diff(api: TestClient, db: Session) -> None:
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office], username="nadezhda.k")
    headers = f.auth(supervisor)
    client = f.client(db, office, phone="+7 495 000-00-01")
    answer = api.patch(
        f"/api/clients/{client.id}",
        json={"phone": "+7 495 000-00-02", "notes": "домофон не работает"},
        headers=headers,
    )
    assert answer.status_code == 200

    log = api.get(
        "/api/audit", params={"entity": "client", "entity_id": client.id}, headers=headers
    ).json()
    assert log["total"] == 1
    entry = log["items"][0]
    assert (entry["action"], entry["username"], entry["office_id"]) == (
        "update",
        "nadezhda.k",
        office.id,
    )
    assert entry["changes"] == {
        "notes": {"from": "", "to": "домофон не работает"},
        "phone": {"from": "+7 495 000-00-01", "to": "+7 495 000-00-02"},
    }


def test_status_and_care_plan_changes_are_recorded(api: TestClient, db: Session) -> None:
    office = f.office(db)
    headers = f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))
    f.service(db, office, "C01")
    client = f.client(db, office)
    api.post(
        f"/api/clients/{client.id}/status",
        json={"status": "suspended", "reason": "больница"},
        headers=headers,
    )
    plan = {"valid_from": "2026-01-01", "lines": [{"service_code": "C01", "recurrence": "daily"}]}
    assert (
        api.put(f"/api/clients/{client.id}/care-plan", json=plan, headers=headers).status_code
        == 200
    )

    status = api.get(
        "/api/audit", params={"entity": "client", "entity_id": client.id}, headers=headers
    ).json()
    assert status["items"][0]["action"] == "status"
    assert status["items"][0]["changes"]["status"] == {"from": "enrolled", "to": "suspended"}
    assert status["items"][0]["changes"]["reason"] == "больница"
    plans = api.get(
        "/api/audit", params={"entity": "care_plan", "entity_id": client.id}, headers=headers
    ).json()
    assert plans["items"][0]["action"] == "create"
    assert plans["items"][0]["changes"]["lines"]["to"] == ["C01 daily 2026-01-01.."]


def test_audit_is_shown_only_for_own_offices(api: TestClient, db: Session) -> None:
    office_a, office_b = f.office(db), f.office(db)
    headers_a = f.auth(f.user(db, Role.SUPERVISOR, offices=[office_a]))
    headers_b = f.auth(f.user(db, Role.SUPERVISOR, offices=[office_b]))
    client = f.client(db, office_a)
    api.patch(f"/api/clients/{client.id}", json={"phone": "1"}, headers=headers_a)
    params = {"entity": "client", "entity_id": client.id}
    assert api.get("/api/audit", params=params, headers=headers_a).json()["total"] == 1
    assert api.get("/api/audit", params=params, headers=headers_b).json()["total"] == 0


def test_worker_and_service_edits_are_recorded(api: TestClient, db: Session) -> None:
    office = f.office(db)
    headers = f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))
    worker = f.worker(db, office, travel_mode=TravelMode.WALK)
    service = f.service(db, office, "C05", 30)
    api.patch(f"/api/workers/{worker.id}", json={"travel_mode": "car"}, headers=headers)
    api.patch(f"/api/services/{service.id}", json={"standard_minutes": 40}, headers=headers)
    api.delete(f"/api/services/{service.id}", headers=headers)

    def log(entity: str, entity_id: int) -> list[dict]:  # type: ignore[type-arg]
        params = {"entity": entity, "entity_id": entity_id}
        return api.get("/api/audit", params=params, headers=headers).json()["items"]

    assert log("worker", worker.id)[0]["changes"] == {"travel_mode": {"from": "walk", "to": "car"}}
    assert [(e["action"], e["changes"]) for e in log("service", service.id)] == [
        ("delete", {"active": {"from": True, "to": False}}),
        ("update", {"standard_minutes": {"from": 30, "to": 40}}),
    ]


def test_deleting_a_client_is_recorded_with_what_was_lost(api: TestClient, db: Session) -> None:
    office = f.office(db)
    headers = f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))
    client = f.client(db, office, full_name="Ошибочно Внесённая Запись")
    client_id = client.id
    assert api.delete(f"/api/clients/{client_id}", headers=headers).status_code == 204
    assert api.get(f"/api/clients/{client_id}", headers=headers).status_code == 404
    params = {"entity": "client", "entity_id": client_id}
    entry = api.get("/api/audit", params=params, headers=headers).json()["items"][0]
    assert entry["action"] == "delete"
    assert entry["changes"]["full_name"] == {"from": "Ошибочно Внесённая Запись", "to": None}
