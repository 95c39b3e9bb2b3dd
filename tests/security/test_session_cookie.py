"""The pages' login cookie: set by the login route (HttpOnly, SameSite=Strict, Secure over
https), accepted in place of a Bearer token, refused on a request that changes something unless
it comes from this server's own pages (Origin, else Referer), and cleared by logging out.
Bearer tokens (API clients) and device tokens (phones) need no origin."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.deps import SESSION_COOKIE
from core.models import Role
from tests import factories as f

OWN = {"Origin": "http://testserver"}


def _log_in(api: TestClient, db: Session, role: Role = Role.SUPERVISOR) -> Any:
    office = f.office(db)
    user = f.user(db, role, offices=[office])
    answer = api.post(
        "/api/auth/token", data={"username": user.username, "password": "secret-pass"}
    )
    assert answer.status_code == 200, answer.text
    return answer, office


def test_login_sets_an_httponly_strict_cookie_that_authenticates(
    api: TestClient, db: Session
) -> None:
    answer, _ = _log_in(api, db)
    header = answer.headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Secure" not in header  # plain http; Secure when the request came over https
    assert api.get("/api/auth/me").status_code == 200  # the cookie alone


def test_over_https_the_cookie_is_secure(db: Session, api: TestClient) -> None:
    from api.main import app

    user = f.user(db, Role.ADMIN)
    with TestClient(app, base_url="https://testserver") as secure:
        answer = secure.post(
            "/api/auth/token", data={"username": user.username, "password": "secret-pass"}
        )
    assert answer.status_code == 200
    assert "Secure" in answer.headers["set-cookie"]


def test_a_cookie_write_from_elsewhere_is_refused_and_changes_nothing(
    api: TestClient, db: Session
) -> None:
    _, office = _log_in(api, db)
    url = f"/api/offices/{office.id}"
    for headers in ({}, {"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Referer": "http://testserver.evil.example/x"}):  # fmt: skip
        refused = api.patch(url, json={"address": "чужой адрес"}, headers=headers)
        assert refused.status_code == 403, (headers, refused.text)
    assert api.get(url).json()["address"] != "чужой адрес"
    assert api.patch(url, json={"address": "ул. Своя, 1"}, headers=OWN).status_code == 200
    referer = {"Referer": "http://testserver/supervisor/"}
    assert api.patch(url, json={"address": "ул. Своя, 2"}, headers=referer).status_code == 200


def test_bearer_tokens_need_no_origin(api: TestClient, db: Session) -> None:
    office = f.office(db)
    headers = f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))
    answer = api.patch(
        f"/api/offices/{office.id}", json={"address": "ул. Новая, 3"}, headers=headers
    )
    assert answer.status_code == 200


def test_the_phone_page_syncs_with_its_cookie_and_device_id(api: TestClient, db: Session) -> None:
    office = f.office(db)
    user = f.user(db, Role.WORKER)
    f.worker(db, office, user)
    login = api.post("/api/auth/token", data={"username": user.username, "password": "secret-pass"})
    assert login.status_code == 200
    device = api.post("/api/me/devices", json={"name": "телефон"}, headers=OWN).json()
    batch = {"pings": [], "events": []}
    named = {**OWN, "X-Device-Id": str(device["id"])}
    assert api.post("/api/mobile/sync", json=batch, headers=named).status_code == 200
    forged = api.post("/api/mobile/sync", json=batch, headers={"X-Device-Id": str(device["id"])})
    assert forged.status_code == 403  # no origin: a cross-site form could have sent it


def test_logout_clears_the_cookie(api: TestClient, db: Session) -> None:
    _log_in(api, db)
    assert api.get("/api/auth/me").status_code == 200
    answer = api.post("/api/auth/logout", headers=OWN)
    assert answer.status_code == 204
    assert f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert api.get("/api/auth/me").status_code == 401


def test_a_socket_takes_the_cookie_only_from_its_own_pages() -> None:
    from starlette.requests import HTTPConnection

    from core.deps import socket_token

    def opened(origin: str) -> HTTPConnection:
        headers = [(b"host", b"careroute.example"), (b"cookie", f"{SESSION_COOKIE}=abc".encode())]
        if origin:
            headers.append((b"origin", origin.encode()))
        return HTTPConnection({"type": "websocket", "headers": headers, "path": "/api/live/ws"})

    assert socket_token(opened("https://careroute.example"), None) == "abc"
    assert socket_token(opened("https://evil.example"), None) is None  # socket hijacking
    assert socket_token(opened(""), None) is None
    assert socket_token(opened("https://evil.example"), "query-token") == "query-token"


def test_behind_a_proxy_the_forwarded_host_is_the_pages_own() -> None:
    from core.deps import same_origin

    proxied = {"host": "127.0.0.1:8000", "x-forwarded-host": "careroute.example"}
    assert same_origin({**proxied, "origin": "https://careroute.example"})
    assert not same_origin({**proxied, "origin": "https://evil.example"})
    assert not same_origin(
        {"host": "careroute.example", "origin": "https://careroute.example.evil"}
    )
