"""Accounts through the API: the administrator makes a worker's login bound to their record,
the worker sets a password with the one-time code and logs in; a leaver's login is disabled
and their token stops working; only administrators manage accounts; everything is audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEntry, Role, User
from registry.models import Worker
from tests import factories as f


def _login(api: TestClient, username: str, password: str) -> dict[str, str]:
    answer = api.post("/api/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_worker_login_from_creation_to_leaving(api: TestClient, db: Session) -> None:
    office = f.office(db)
    record = f.worker(db, office)
    admin = f.auth(f.user(db, Role.ADMIN))
    made = api.post(
        "/api/users",
        json={"username": "ivanova.a", "full_name": "Иванова А.", "role": "worker",
              "worker_id": record.id},
        headers=admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    code, user_id = made.json()["code"], made.json()["user"]["id"]
    assert made.json()["user"]["last_login_at"] is None
    assert db.get(Worker, record.id).user_id == user_id  # type: ignore[union-attr]

    bad = {"username": "ivanova.a", "code": "0000-0000-0000", "password": "my own password"}
    assert api.post("/api/auth/password-with-code", json=bad).status_code == 400
    good = {**bad, "code": code}
    assert api.post("/api/auth/password-with-code", json=good).status_code == 204
    assert api.post("/api/auth/password-with-code", json=good).status_code == 400  # spent

    worker = _login(api, "ivanova.a", "my own password")
    me = api.get("/api/auth/me", headers=worker).json()
    assert me["worker_id"] == record.id and me["role"] == "worker"
    listed = {u["username"]: u for u in api.get("/api/users", headers=admin).json()}
    assert listed["ivanova.a"]["last_login_at"] is not None

    changed = {"old_password": "my own password", "new_password": "another long one"}
    assert api.post("/api/me/password", json=changed, headers=worker).status_code == 204
    worker = _login(api, "ivanova.a", "another long one")

    left = api.patch(f"/api/users/{user_id}", json={"active": False}, headers=admin)
    assert left.status_code == 200 and left.json()["active"] is False
    assert api.get("/api/auth/me", headers=worker).status_code == 401
    refused = api.post(
        "/api/auth/token", data={"username": "ivanova.a", "password": "another long one"}
    )
    assert refused.status_code == 401

    actions = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id)
        )
    ).all()
    assert {"create", "password", "update"} <= set(actions)


def test_roles_and_rules(api: TestClient, db: Session) -> None:
    office = f.office(db)
    admin_row = f.user(db, Role.ADMIN)
    admin = f.auth(admin_row)
    head = f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))
    for headers in (head, f.auth(f.user(db, Role.MANAGER, region_id=office.region_id))):
        assert api.get("/api/users", headers=headers).status_code == 403
        body = {"username": "x.y", "role": "admin"}
        assert api.post("/api/users", json=body, headers=headers).status_code == 403
    assert api.get("/api/users").status_code == 401

    supervisor = {"username": "head.two", "role": "supervisor", "office_ids": [office.id]}
    made = api.post("/api/users", json=supervisor, headers=admin)
    assert made.status_code == 201 and made.json()["user"]["office_ids"] == [office.id]
    again = api.post("/api/users", json=supervisor, headers=admin)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "username"
    no_office = api.post("/api/users", json={"username": "h3", "role": "supervisor"}, headers=admin)
    assert no_office.status_code == 422
    no_record = api.post("/api/users", json={"username": "w9", "role": "worker"}, headers=admin)
    assert no_record.status_code == 422
    own = api.patch(f"/api/users/{admin_row.id}", json={"active": False}, headers=admin)
    assert own.status_code == 409
    short = {"username": "head.two", "code": "x", "password": "short"}
    assert api.post("/api/auth/password-with-code", json=short).status_code == 422
    assert db.scalars(select(User).where(User.username == "h3")).first() is None


def test_guessing_codes_is_throttled(api: TestClient, db: Session) -> None:
    admin = f.auth(f.user(db, Role.ADMIN))
    name = f"guessed.{db.scalar(select(User.id).order_by(User.id.desc()).limit(1))}"
    made = api.post("/api/users", json={"username": name, "role": "admin"}, headers=admin)
    code = made.json()["code"]
    guess = {"username": name, "code": "0000-0000-0000", "password": "long enough pass"}
    answers = [api.post("/api/auth/password-with-code", json=guess).status_code for _ in range(6)]
    assert answers[:4] == [400] * 4 and answers[-1] == 429
    # while it waits even the right code is refused: guessing gains nothing
    right = {**guess, "code": code}
    assert api.post("/api/auth/password-with-code", json=right).status_code == 429
