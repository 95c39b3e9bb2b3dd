"""The registry's API on the real PostGIS: offices, workers, clients, services and care plans,
validation that names the field and changes nothing, status history and pagination."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Role
from registry.models import CarePlan, Client, ClientStatus
from tests import factories as f


def _supervised_office(db: Session):  # type: ignore[no-untyped-def]
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    return office, f.auth(supervisor)


CLIENT = {
    "full_name": "Петрова Зинаида Михайловна",
    "birth_date": "1936-02-11",
    "phone": "+7 495 123-45-67",
    "address": "Москва, ул. Плеханова, д. 7, кв. 40",
    "location": {"lon": 37.79, "lat": 55.752},
    "categories": ["инвалид I группы", "одиноко проживающий"],
    "window_start": "09:00",
    "window_end": "13:00",
}


def test_client_create_read_update_and_search(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    created = api.post(f"/api/offices/{office.id}/clients", json=CLIENT, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["location"] == {"lon": 37.79, "lat": 55.752}
    assert body["location_status"] == "ok"
    assert len(body["confirmation_code"]) == 6

    patched = api.patch(
        f"/api/clients/{body['id']}", json={"phone": "+7 916 000-00-00"}, headers=headers
    )
    assert patched.status_code == 200
    assert patched.json()["phone"] == "+7 916 000-00-00"
    assert patched.json()["full_name"] == CLIENT["full_name"]  # fields not sent stay

    found = api.get(
        f"/api/offices/{office.id}/clients",
        params={"q": "плеханова", "category": "инвалид I группы"},
        headers=headers,
    ).json()
    assert [c["id"] for c in found["items"]] == [body["id"]]
    none = api.get(
        f"/api/offices/{office.id}/clients", params={"category": "ветеран ВОВ"}, headers=headers
    ).json()
    assert none["total"] == 0


def test_client_without_location_needs_one(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    data = {k: v for k, v in CLIENT.items() if k != "location"}
    body = api.post(f"/api/offices/{office.id}/clients", json=data, headers=headers).json()
    assert body["location"] is None
    assert body["location_status"] == "needs_location"
    listed = api.get(
        f"/api/offices/{office.id}/clients", params={"needs_location": True}, headers=headers
    ).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    placed = api.patch(
        f"/api/clients/{body['id']}",
        json={"location": {"lon": 37.8, "lat": 55.75}},
        headers=headers,
    ).json()
    assert placed["location_status"] == "manual"  # placed by a person


def _client_count(db: Session, office_id: int) -> int:
    query = select(func.count()).select_from(Client).where(Client.office_id == office_id)
    return db.scalar(query) or 0


def test_bad_client_input_names_the_field_and_stores_nothing(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    before = _client_count(db, office.id)
    cases = {
        "location.lat": {**CLIENT, "location": {"lon": 37.7, "lat": 95.0}},
        "location.lon": {**CLIENT, "location": {"lon": 237.7, "lat": 55.0}},
        "full_name": {**CLIENT, "full_name": "Я" * 201},
        "address": {**CLIENT, "address": ""},
        "workers_needed": {**CLIENT, "workers_needed": 3},
        "birth_date": {**CLIENT, "birth_date": "2999-01-01"},
        "categories.0": {**CLIENT, "categories": ["x" * 61]},
    }
    for field, data in cases.items():
        answer = api.post(f"/api/offices/{office.id}/clients", json=data, headers=headers)
        assert answer.status_code == 422, field
        assert field in [e["field"] for e in answer.json()["errors"]], answer.json()
    assert _client_count(db, office.id) == before


def test_preferred_worker_must_be_of_the_same_office(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    other_worker = f.worker(db, f.office(db))
    before = _client_count(db, office.id)
    answer = api.post(
        f"/api/offices/{office.id}/clients",
        json={**CLIENT, "preferred_worker_id": other_worker.id},
        headers=headers,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "preferred_worker_id"
    assert _client_count(db, office.id) == before
    own = f.worker(db, office)
    ok = api.post(
        f"/api/offices/{office.id}/clients",
        json={**CLIENT, "preferred_worker_id": own.id},
        headers=headers,
    )
    assert ok.status_code == 201


def test_pagination_reports_the_total(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    for n in range(7):
        f.client(db, office, full_name=f"Клиент {n:02d}")
    first = api.get(
        f"/api/offices/{office.id}/clients", params={"limit": 3}, headers=headers
    ).json()
    last = api.get(
        f"/api/offices/{office.id}/clients", params={"limit": 3, "offset": 6}, headers=headers
    ).json()
    assert (first["total"], len(first["items"])) == (7, 3)
    assert (last["total"], len(last["items"]), last["offset"]) == (7, 1, 6)
    assert [c["full_name"] for c in first["items"]] == ["Клиент 00", "Клиент 01", "Клиент 02"]
    too_big = api.get(f"/api/offices/{office.id}/clients", params={"limit": 5000}, headers=headers)
    assert too_big.status_code == 422


def test_status_change_keeps_history_and_to_enrol_list(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    queued = api.post(
        f"/api/offices/{office.id}/clients", json={**CLIENT, "status": "queued"}, headers=headers
    ).json()
    enrolled = f.client(db, office)
    url = f"/api/offices/{office.id}/clients/to-enrol"
    assert [i["client"]["id"] for i in api.get(url, headers=headers).json()["items"]] == [
        queued["id"]
    ]

    # The queued client refuses for a month: off the list, and back on it when the month ends.
    until = date.today() + timedelta(days=30)
    change = api.post(
        f"/api/clients/{queued['id']}/status",
        json={"status": "refused", "reason": "уехала к дочери", "until": until.isoformat()},
        headers=headers,
    )
    assert change.status_code == 201, change.text
    assert api.get(url, headers=headers).json()["total"] == 0
    later = api.get(url, params={"today": until.isoformat()}, headers=headers).json()
    assert [(i["client"]["id"], i["why"]) for i in later["items"]] == [
        (queued["id"], "period_ended")
    ]
    assert enrolled.id not in [i["client"]["id"] for i in later["items"]]

    history = api.get(f"/api/clients/{queued['id']}/status-history", headers=headers).json()
    assert [h["status"] for h in history["items"]] == ["queued", "refused"]
    assert history["items"][1]["reason"] == "уехала к дочери"
    assert db.get(Client, queued["id"]).status == ClientStatus.REFUSED


def test_status_until_before_since_is_refused(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    client = f.client(db, office)
    answer = api.post(
        f"/api/clients/{client.id}/status",
        json={"status": "suspended", "since": "2026-03-10", "until": "2026-03-01"},
        headers=headers,
    )
    assert answer.status_code == 422
    assert db.get(Client, client.id).status == ClientStatus.ENROLLED


def test_service_catalogue_codes_are_unique_per_office(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    service = {"code": "C01", "name": "Покупка продуктов", "standard_minutes": 30}
    assert (
        api.post(f"/api/offices/{office.id}/services", json=service, headers=headers).status_code
        == 201
    )
    again = api.post(f"/api/offices/{office.id}/services", json=service, headers=headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "code"
    too_long = api.post(
        f"/api/offices/{office.id}/services",
        json={**service, "code": "C02", "standard_minutes": 601},
        headers=headers,
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "standard_minutes"


def _plan(codes: list[str], recurrence: str = "weekdays:1,3,5") -> dict:  # type: ignore[type-arg]
    return {
        "number": "ИППСУ-2026/17",
        "valid_from": "2026-01-01",
        "lines": [{"service_code": c, "recurrence": recurrence} for c in codes],
    }


def test_care_plan_is_created_replaced_and_read(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    f.service(db, office, "C01", 30)
    f.service(db, office, "C02", 20)
    client = f.client(db, office)
    url = f"/api/clients/{client.id}/care-plan"
    created = api.put(url, json=_plan(["C01", "C02"], "every:2"), headers=headers)
    assert created.status_code == 200, created.text
    replaced = api.put(url, json=_plan(["C02"], " Weekdays:5,1 "), headers=headers)
    assert replaced.json()["id"] == created.json()["id"]
    got = api.get(url, headers=headers).json()
    assert [(ln["service_code"], ln["recurrence"]) for ln in got["lines"]] == [
        ("C02", "weekdays:1,5")
    ]
    assert got["lines"][0]["standard_minutes"] == 20


def test_care_plan_lines_take_movable_rules_with_a_tolerance(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    f.service(db, office, "C01", 30)
    client = f.client(db, office)
    url = f"/api/clients/{client.id}/care-plan"
    stored = api.put(url, json=_plan(["C01"], "Every:7; tol=2; move"), headers=headers)
    assert stored.status_code == 200, stored.text
    assert stored.json()["lines"][0]["recurrence"] == "every:7;move;tol=2"  # canonical
    wide = api.put(url, json=_plan(["C01"], "every:3;move;tol=2"), headers=headers)
    assert wide.status_code == 422
    assert "wider than the interval" in wide.text


def test_care_plan_errors_name_the_line_and_keep_the_old_plan(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    f.service(db, office, "C01", 30)
    f.service(db, f.office(db), "C09", 30)  # a code of another office
    client = f.client(db, office)
    url = f"/api/clients/{client.id}/care-plan"
    assert api.put(url, json=_plan(["C01"]), headers=headers).status_code == 200

    unknown = api.put(url, json=_plan(["C01", "C01", "C09"]), headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "lines.2.service_code"

    bad = _plan(["C01"])
    bad["lines"][0]["recurrence"] = "every:0"
    malformed = api.put(url, json=bad, headers=headers)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "lines.0.recurrence"

    plans = db.scalars(select(CarePlan).where(CarePlan.client_id == client.id)).all()
    assert len(plans) == 1
    db.refresh(plans[0])
    assert [line.recurrence for line in plans[0].lines] == ["weekdays:1,3,5"]


def test_worker_crud_with_shifts_and_absences(api: TestClient, db: Session) -> None:
    office, headers = _supervised_office(db)
    login = f.user(db, Role.WORKER)
    data = {
        "full_name": "Кузнецова Ольга Викторовна",
        "skills": ["medical"],
        "travel_mode": "transit",
        "start_location": {"lon": 37.78, "lat": 55.75},
        "weekly_hours": 36,
        "user_id": login.id,
        "shifts": [
            {
                "weekday": d,
                "start": "08:00",
                "end": "17:00",
                "lunch_from": "12:00",
                "lunch_to": "14:00",
                "lunch_minutes": 45,
            }
            for d in range(1, 6)
        ],
    }
    created = api.post(f"/api/offices/{office.id}/workers", json=data, headers=headers)
    assert created.status_code == 201, created.text
    worker = created.json()
    assert [s["weekday"] for s in worker["shifts"]] == [1, 2, 3, 4, 5]

    bad_lunch = api.patch(
        f"/api/workers/{worker['id']}",
        json={
            "shifts": [
                {
                    "weekday": 1,
                    "start": "08:00",
                    "end": "12:00",
                    "lunch_from": "13:00",
                    "lunch_to": "14:00",
                    "lunch_minutes": 30,
                }
            ]
        },
        headers=headers,
    )
    assert bad_lunch.status_code == 422
    assert bad_lunch.json()["errors"][0]["field"].startswith("shifts.0")

    absence = api.post(
        f"/api/workers/{worker['id']}/absences",
        json={"date_from": "2026-07-01", "date_to": "2026-07-14", "reason": "отпуск"},
        headers=headers,
    ).json()
    assert [a["reason"] for a in absence["absences"]] == ["отпуск"]
    removed = api.delete(
        f"/api/workers/{worker['id']}/absences/{absence['absences'][0]['id']}", headers=headers
    ).json()
    assert removed["absences"] == []

    second = api.post(f"/api/offices/{office.id}/workers", json=data, headers=headers)
    assert second.status_code == 409  # the login already belongs to the first worker
    assert second.json()["errors"][0]["field"] == "user_id"


def test_a_changed_list_of_shifts_replaces_the_old_one_in_one_request(
    api: TestClient, db: Session
) -> None:
    office, headers = _supervised_office(db)
    shifts = [{"weekday": d, "start": "08:00", "end": "17:00"} for d in range(1, 6)]
    data = {"full_name": "Смирнова Анна", "shifts": shifts}
    worker = api.post(f"/api/offices/{office.id}/workers", json=data, headers=headers).json()
    changed = [{"weekday": d, "start": "09:00", "end": "15:00"} for d in (1, 3, 6)]
    answer = api.patch(f"/api/workers/{worker['id']}", json={"shifts": changed}, headers=headers)
    assert answer.status_code == 200, answer.text
    got = [(s["weekday"], s["start"][:5], s["end"][:5]) for s in answer.json()["shifts"]]
    assert got == [(1, "09:00", "15:00"), (3, "09:00", "15:00"), (6, "09:00", "15:00")]


def test_office_service_area_is_geojson(api: TestClient, db: Session) -> None:
    region = f.region(db)
    admin = f.auth(f.user(db, Role.ADMIN))
    square = {
        "type": "Polygon",
        "coordinates": [[[37.7, 55.7], [37.8, 55.7], [37.8, 55.8], [37.7, 55.8], [37.7, 55.7]]],
    }
    created = api.post(
        "/api/offices",
        json={"region_id": region.id, "name": "ОСО №3", "service_area": square},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["service_area"]["type"] == "MultiPolygon"
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[37.7, 55.7], [37.8, 55.8], [37.8, 55.7], [37.7, 55.8], [37.7, 55.7]]],
    }
    bad = api.patch(
        f"/api/offices/{created.json()['id']}", json={"service_area": bowtie}, headers=admin
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "service_area"
