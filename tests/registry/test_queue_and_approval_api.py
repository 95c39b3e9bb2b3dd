"""Nobody gets lost, and only approved programmes are planned: the queue, archiving instead of
deleting, and a programme's approval, through the API on the real PostGIS."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEntry, Role
from planner.build import due_visits
from registry.models import CarePlan, CarePlanStatus, Client, ClientStatus
from tests import factories as f

MONDAY, TUESDAY = date(2026, 12, 7), date(2026, 12, 8)


def _office(db: Session):  # type: ignore[no-untyped-def]
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    return office, f.auth(supervisor), supervisor


def _new_client(api: TestClient, office_id: int, headers: dict[str, str], **extra) -> int:  # type: ignore[no-untyped-def]
    body = {"full_name": "Орлова Вера Петровна", "address": "Москва, ул. Плеханова, д. 9"}
    answer = api.post(f"/api/offices/{office_id}/clients", json={**body, **extra}, headers=headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_a_queued_client_is_never_deleted_only_archived(api: TestClient, db: Session) -> None:
    office, headers, _ = _office(db)
    queued = _new_client(api, office.id, headers, status="queued")
    refused = api.delete(f"/api/clients/{queued}", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "clients.has_history"
    assert db.get(Client, queued) is not None

    archived = api.post(
        f"/api/clients/{queued}/archive", json={"reason": "переехала к дочери"}, headers=headers
    )
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived_at"] is not None
    assert archived.json()["status"] == "discharged"
    again = api.post(f"/api/clients/{queued}/archive", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409
    # out of the everyday list, still found among the archived, with the whole history
    listed = api.get(f"/api/offices/{office.id}/clients", headers=headers).json()
    assert queued not in [c["id"] for c in listed["items"]]
    kept = api.get(
        f"/api/offices/{office.id}/clients", params={"archived": True}, headers=headers
    ).json()
    assert [c["id"] for c in kept["items"]] == [queued]
    history = api.get(f"/api/clients/{queued}/status-history", headers=headers).json()["items"]
    assert [(h["status"], h["reason"]) for h in history] == [
        ("queued", "registered"),
        ("discharged", "переехала к дочери"),
    ]
    actions = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "client", AuditEntry.entity_id == str(queued)
        )
    ).all()
    assert "archive" in actions

    # a decision brings the client back from the archive
    back = api.post(f"/api/clients/{queued}/status", json={"status": "queued"}, headers=headers)
    assert back.status_code == 201
    assert api.get(f"/api/clients/{queued}", headers=headers).json()["archived_at"] is None


def test_a_client_with_a_programme_or_status_changes_is_not_deleted(
    api: TestClient, db: Session
) -> None:
    office, headers, _ = _office(db)
    with_plan = f.client(db, office)
    f.care_plan(db, with_plan, [(f.service(db, office), "daily")])
    moved = _new_client(api, office.id, headers)
    api.post(f"/api/clients/{moved}/status", json={"status": "suspended"}, headers=headers)
    for client_id in (with_plan.id, moved):
        answer = api.delete(f"/api/clients/{client_id}", headers=headers)
        assert answer.status_code == 409, answer.text
        assert "archive" in answer.json()["detail"]
        assert db.get(Client, client_id) is not None
    mistake = _new_client(api, office.id, headers)  # enrolled, nothing else on record
    assert api.delete(f"/api/clients/{mistake}", headers=headers).status_code == 204


def test_refused_without_an_end_date_stays_on_the_to_enrol_list_and_the_queue(
    api: TestClient, db: Session
) -> None:
    office, headers, supervisor = _office(db)
    client_id = _new_client(api, office.id, headers, status="queued")
    to_enrol = f"/api/offices/{office.id}/clients/to-enrol"
    queue = f"/api/offices/{office.id}/clients/queue"
    [item] = api.get(to_enrol, headers=headers).json()["items"]
    assert (item["client"]["id"], item["why"]) == (client_id, "queued")

    refused = api.post(
        f"/api/clients/{client_id}/status",
        json={"status": "refused", "reason": "отказ по телефону"},
        headers=headers,
    )
    assert refused.status_code == 201
    [item] = api.get(to_enrol, headers=headers).json()["items"]
    assert (item["client"]["id"], item["why"]) == (client_id, "no_end_date")
    [waiting] = api.get(queue, headers=headers).json()["items"]
    assert (waiting["client"]["id"], waiting["why"], waiting["reviewed_at"]) == (
        client_id,
        "refused",
        None,
    )
    assert waiting["reason"] == "отказ по телефону"

    # looked at: stays on the queue with the date, behind those never looked at
    seen = api.post(f"/api/clients/{client_id}/queue-review", headers=headers)
    assert seen.status_code == 200
    other = _new_client(api, office.id, headers, status="queued")
    items = api.get(queue, headers=headers).json()["items"]
    assert [i["client"]["id"] for i in items] == [other, client_id]
    assert items[1]["reviewed_at"] is not None
    assert items[1]["reviewed_by_name"] == supervisor.full_name

    # a refusal with an end date still to come leaves to-enrol until then, never the queue
    api.post(
        f"/api/clients/{client_id}/status",
        json={"status": "refused", "until": "2100-01-01"},
        headers=headers,
    )
    assert client_id not in [
        i["client"]["id"] for i in api.get(to_enrol, headers=headers).json()["items"]
    ]
    assert client_id in [i["client"]["id"] for i in api.get(queue, headers=headers).json()["items"]]


def _put_plan(api: TestClient, client_id: int, headers: dict[str, str], rule: str):  # type: ignore[no-untyped-def]
    body = {
        "number": "ИППСУ-2026/5",
        "valid_from": "2026-12-01",
        "lines": [{"service_code": "C01", "recurrence": rule}],
    }
    answer = api.put(f"/api/clients/{client_id}/care-plan", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _due(db: Session, office_id: int, day: date) -> list[int]:
    return [client.id for client, _ in due_visits(db, office_id=office_id, start=day, end=day)]


def test_only_approved_programmes_are_planned(api: TestClient, db: Session) -> None:
    office, headers, supervisor = _office(db)
    f.service(db, office, "C01", 30)
    client = f.client(db, office)

    draft = _put_plan(api, client.id, headers, "weekdays:1")  # Mondays
    assert (draft["status"], draft["version"]) == ("draft", 1)
    assert draft["lines"][0]["recurrence_ru"]
    assert _due(db, office.id, MONDAY) == [], "a draft is never planned"

    approved = api.post(f"/api/care-plans/{draft['id']}/approve", headers=headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by_name"] == supervisor.full_name
    assert _due(db, office.id, MONDAY) == [client.id]

    # an edit of the approved programme is a new draft: the approved one is still what is planned
    change = _put_plan(api, client.id, headers, "weekdays:2")  # Tuesdays instead
    assert (change["status"], change["version"], change["replaces_id"]) == (
        "draft",
        2,
        draft["id"],
    )
    assert change["id"] != draft["id"]
    assert _due(db, office.id, MONDAY) == [client.id]
    assert _due(db, office.id, TUESDAY) == []
    again = _put_plan(api, client.id, headers, "weekdays:2,4")  # the draft is edited in place
    assert again["id"] == change["id"]

    answer = api.post(f"/api/care-plans/{change['id']}/approve", headers=headers)
    assert answer.status_code == 200
    assert _due(db, office.id, MONDAY) == []
    assert _due(db, office.id, TUESDAY) == [client.id]
    old = db.get(CarePlan, draft["id"])
    assert old is not None
    db.refresh(old)
    assert old.status == CarePlanStatus.CLOSED
    assert old.valid_to == date(2026, 11, 30)  # the day before the new version starts

    versions = api.get(f"/api/clients/{client.id}/care-plans", headers=headers).json()
    assert [(v["version"], v["status"]) for v in versions] == [(2, "approved"), (1, "closed")]
    twice = api.post(f"/api/care-plans/{change['id']}/approve", headers=headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "programmes.wrong_state")

    closed = api.post(
        f"/api/care-plans/{change['id']}/close", json={"last_day": "2026-12-07"}, headers=headers
    )
    assert closed.status_code == 200
    assert _due(db, office.id, TUESDAY) == []
    audit = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "care_plan", AuditEntry.entity_id == str(client.id)
        )
    ).all()
    assert {"approve", "close"} <= set(audit)


def test_only_the_offices_head_approves(api: TestClient, db: Session) -> None:
    office, headers, _ = _office(db)
    f.service(db, office, "C01", 30)
    client = f.client(db, office)
    draft = _put_plan(api, client.id, headers, "daily")
    manager = f.auth(f.user(db, Role.MANAGER, region_id=office.region_id))
    other = f.auth(f.user(db, Role.SUPERVISOR, offices=[f.office(db)]))
    assert api.post(f"/api/care-plans/{draft['id']}/approve", headers=manager).status_code == 403
    assert api.post(f"/api/care-plans/{draft['id']}/approve", headers=other).status_code == 404
    assert (
        db.scalar(
            select(func.count()).where(
                CarePlan.status == CarePlanStatus.APPROVED, CarePlan.client_id == client.id
            )
        )
        == 0
    )


def test_recurrence_in_words_and_a_bad_rule(api: TestClient, db: Session) -> None:
    _, headers, _ = _office(db)
    words = api.get("/api/recurrence-words", params={"rule": "Weekdays:5,1"}, headers=headers)
    assert words.status_code == 200
    assert words.json()["rule"] == "weekdays:1,5"
    assert words.json()["ru"] and words.json()["en"] and words.json()["ru"] != words.json()["en"]
    bad = api.get("/api/recurrence-words", params={"rule": "every:0"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "rule"


def test_the_client_list_filters_and_answers_fast_for_two_thousand_clients(
    api: TestClient, db: Session
) -> None:
    import time

    office, headers, _ = _office(db)
    worker = f.worker(db, office)
    db.add_all(
        Client(
            office_id=office.id,
            full_name=f"Клиент {n:04d}",
            address=f"Москва, Зелёный проспект, д. {n % 90}",
            categories=["ветеран труда"] if n % 3 == 0 else [],
            status=ClientStatus.QUEUED if n % 10 == 0 else ClientStatus.ENROLLED,
            preferred_worker_id=worker.id if n % 50 == 0 else None,
        )
        for n in range(2000)
    )
    db.flush()
    url = f"/api/offices/{office.id}/clients"
    started = time.perf_counter()
    found = api.get(url, params={"q": "проспект, д. 1", "limit": 50}, headers=headers).json()
    elapsed = time.perf_counter() - started
    assert found["total"] > 50 and len(found["items"]) == 50
    assert elapsed < 2.0, f"a search over 2,000 clients took {elapsed:.2f} s"
    queued = api.get(url, params={"status": "queued"}, headers=headers).json()
    assert queued["total"] == 200
    veterans = api.get(url, params={"category": "ветеран труда"}, headers=headers).json()
    assert veterans["total"] == 667
    own = api.get(url, params={"worker_id": worker.id}, headers=headers).json()
    assert own["total"] == 40


def test_the_card_lists_visits_with_flags_and_ratings(api: TestClient, db: Session) -> None:
    from datetime import UTC, datetime

    from tracking.feedback import ClientFeedback
    from tracking.models import Visit

    office, headers, _ = _office(db)
    worker = f.worker(db, office)
    client = f.client(db, office)
    older = Visit(office_id=office.id, worker_id=worker.id, client_id=client.id,
                  day=date(2026, 12, 1), flags=[], minutes=30)  # fmt: skip
    newer = Visit(office_id=office.id, worker_id=worker.id, client_id=client.id,
                  day=date(2026, 12, 3), flags=["late", "unverified"], minutes=55)  # fmt: skip
    db.add_all([older, newer])
    db.flush()
    db.add(ClientFeedback(office_id=office.id, visit_id=newer.id, client_id=client.id,
                          worker_id=worker.id, rating=2, comment="поздно",
                          at=datetime(2026, 12, 3, 12, tzinfo=UTC)))  # fmt: skip
    db.flush()
    page = api.get(f"/api/clients/{client.id}/visits", headers=headers).json()
    assert page["total"] == 2
    first, second = page["items"]
    assert (first["day"], first["flags"], first["worker_name"]) == (
        "2026-12-03",
        ["late", "unverified"],
        worker.full_name,
    )
    assert [(r["rating"], r["comment"]) for r in first["ratings"]] == [(2, "поздно")]
    assert second["ratings"] == []
