"""Every route of the API (each operation of the OpenAPI schema, and the websockets) asked by
each role about the objects of one office, against the answers written down here.

Roles: anonymous, a field worker of the office, the supervisor of another department (same
region), the office's supervisor, the region's manager, an admin. Every request is a real one
with a valid body, so an answer of 2xx/4xx-other-than-access means the role got through.

A route with no line in EXPECTED fails the test: a new route must say who may use it.

Codes in a line: 401 not logged in, 403 refused for the role, 404 out of reach (the object's
existence is not told), `ok` passed every access check (a 2xx, or a domain answer such as 400,
409 or 422 about the request itself). Device protocol routes authenticate the device, not the
user, so every role gets the same answer there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.security.conftest import ROLES, World

ACCESS_CODES = {401, 403, 404}

# route -> answers of: anonymous, worker, other supervisor, supervisor, manager, admin
EXPECTED: dict[str, str] = {
    "GET /health": "ok ok ok ok ok ok",
    "POST /api/auth/token": "401 401 401 401 401 401",  # wrong password for everyone
    "POST /api/auth/logout": "ok ok ok ok ok ok",  # clears the pages' login cookie
    "GET /api/auth/me": "401 ok ok ok ok ok",
    "POST /api/auth/password-with-code": "ok ok ok ok ok ok",  # a wrong code: 400 for anyone
    "POST /api/me/password": "401 ok ok ok ok ok",  # a wrong current password: 400
    "GET /api/users": "401 403 403 403 403 ok",
    "POST /api/users": "401 403 403 403 403 ok",
    "PATCH /api/users/{user_id}": "401 403 403 403 403 404",  # no such user
    "POST /api/users/{user_id}/reset-code": "401 403 403 403 403 404",
    "GET /api/regions": "401 403 ok ok ok ok",
    "POST /api/regions": "401 403 403 403 403 ok",
    "GET /api/offices": "401 ok ok ok ok ok",
    "POST /api/offices": "401 403 403 403 403 ok",
    "GET /api/offices/{office_id}": "401 ok 404 ok ok ok",
    "PATCH /api/offices/{office_id}": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/workers": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/workers": "401 403 404 ok 403 ok",
    "GET /api/workers/{worker_id}": "401 403 404 ok ok ok",
    "PATCH /api/workers/{worker_id}": "401 403 404 ok 403 ok",
    "DELETE /api/workers/{worker_id}": "401 403 404 ok 403 ok",
    "POST /api/workers/{worker_id}/absences": "401 403 404 ok 403 ok",
    "DELETE /api/workers/{worker_id}/absences/{absence_id}": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/clients": "401 ok 404 ok ok ok",
    "POST /api/offices/{office_id}/clients": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/clients/to-enrol": "401 403 404 ok ok ok",
    "GET /api/clients/{client_id}": "401 ok 404 ok ok ok",
    "PATCH /api/clients/{client_id}": "401 403 404 ok 403 ok",
    "DELETE /api/clients/{client_id}": "401 403 404 ok 403 ok",
    "POST /api/clients/{client_id}/status": "401 403 404 ok 403 ok",
    "GET /api/clients/{client_id}/status-history": "401 403 404 ok ok ok",
    "GET /api/offices/{office_id}/services": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/services": "401 403 404 ok 403 ok",
    "GET /api/services/{service_id}": "401 403 404 ok ok ok",
    "PATCH /api/services/{service_id}": "401 403 404 ok 403 ok",
    "DELETE /api/services/{service_id}": "401 403 404 ok 403 ok",
    "GET /api/clients/{client_id}/care-plan": "401 ok 404 ok ok ok",
    "PUT /api/clients/{client_id}/care-plan": "401 403 404 ok 403 ok",
    "POST /api/offices/{office_id}/imports/{kind}": "401 403 404 ok 403 ok",
    "GET /api/audit": "401 403 ok ok ok ok",
    "GET /api/offices/{office_id}/zones": "401 403 404 ok ok ok",
    "GET /api/offices/{office_id}/zones/clients": "401 403 404 ok ok ok",
    "GET /api/offices/{office_id}/zones/history": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/zones/preview": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/zones/moves": "401 403 404 ok 403 ok",
    "POST /api/offices/{office_id}/zones/lock": "401 403 404 ok 403 ok",
    "POST /api/offices/{office_id}/zones/rebalance": "401 403 404 ok ok ok",
    "GET /api/zone-sets/{zone_set_id}/geojson": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/plans": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/plans": "401 403 404 ok ok ok",
    "GET /api/plan-jobs/{job_id}": "401 403 404 ok ok ok",
    "GET /api/plans/{plan_id}": "401 403 404 ok ok ok",
    "GET /api/plans/{plan_id}/geojson": "401 403 404 ok ok ok",
    "POST /api/plans/{plan_id}/approve": "401 403 404 ok 403 ok",
    "POST /api/plans/{plan_id}/move": "401 403 404 ok 403 ok",
    "POST /api/plans/{plan_id}/replan": "401 403 404 ok 403 ok",
    "GET /api/plans/{plan_id}/changes": "401 403 404 ok ok ok",  # one version: 422 to compare
    "GET /api/workers/{worker_id}/day-track": "401 403 404 ok ok ok",
    "GET /api/offices/{office_id}/visits-due": "401 403 404 ok ok ok",
    "GET /api/offices/{office_id}/day-calendar": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/plan-weeks": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/plan-weeks": "401 403 404 ok ok ok",
    "GET /api/plan-weeks/{week_id}": "401 403 404 ok ok ok",
    "POST /api/plan-weeks/{week_id}/approve": "401 403 404 ok 403 ok",
    "POST /api/plan-weeks/{week_id}/days/{day}/replan": "401 403 404 ok 403 ok",
    "POST /api/plan-weeks/{week_id}/move": "401 403 404 ok 403 ok",  # refused: a 409
    "GET /api/plan-weeks/{week_id}/fit/{client_id}": "401 403 404 ok ok ok",
    "GET /api/plan-weeks/{week_id}/fits": "401 403 404 ok ok ok",
    "GET /api/reports/offices": "401 403 ok ok ok ok",
    "GET /api/reports/visits/{visit_id}/events": "401 403 404 404 404 404",  # no such visit
    "GET /api/reports/{name}": "401 403 404 ok ok ok",
    "GET /api/reports/{name}/export.{fmt}": "401 403 404 ok ok ok",
    "GET /api/reports/rollup": "401 403 404 ok ok ok",
    "GET /api/reports/rollup/export.{fmt}": "401 403 404 ok ok ok",
    "GET /api/reports/pivot": "401 403 404 ok ok ok",
    "GET /api/reports/pivot/export.{fmt}": "401 403 404 ok ok ok",
    "GET /api/reports/forms/{form}.xlsx": "401 403 404 ok ok ok",
    "POST /api/workers/{worker_id}/devices": "401 403 404 ok 403 ok",
    "PATCH /api/devices/{device_id}": "401 403 404 ok 403 ok",
    "POST /api/visits/{visit_id}/review": "401 403 404 404 403 404",  # no such visit
    "GET /api/clients/{client_id}/visit-codes": "401 403 404 ok 403 ok",
    # the head of department's review, ratings taken by telephone, the worker's monthly report
    "GET /api/offices/{office_id}/review": "401 403 404 ok 403 ok",
    "POST /api/offices/{office_id}/review/accept-unflagged": "401 403 404 ok 403 ok",
    "POST /api/visits/{visit_id}/rating": "401 403 404 404 403 404",  # no such visit
    "GET /api/workers/{worker_id}/monthly-report": "401 403 404 ok ok ok",
    "GET /api/workers/{worker_id}/monthly-report/export.xlsx": "401 403 404 ok ok ok",
    "POST /api/workers/{worker_id}/monthly-report/sign": "401 403 404 ok 403 ok",
    "POST /api/workers/{worker_id}/monthly-report/send-back": "401 403 404 ok 403 ok",
    "GET /api/me/monthly-report": "401 ok 403 403 403 403",  # one's own only
    "GET /api/me/monthly-report/export.xlsx": "401 ok 403 403 403 403",
    "POST /api/me/monthly-report/complete": "401 ok 403 403 403 403",
    "GET /api/workers/{worker_id}/devices": "401 403 404 ok ok ok",
    "POST /api/devices/{device_id}/revoke": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/visits": "401 403 404 ok ok ok",
    "POST /api/offices/{office_id}/inference": "401 403 404 ok 403 ok",
    "GET /api/offices/{office_id}/travel-speeds": "401 403 404 ok ok ok",
    "GET /api/me/devices": "401 ok 403 403 403 403",
    "POST /api/me/devices": "401 ok 403 403 403 403",
    "GET /api/me/route": "401 ok 403 403 403 403",
    "GET /api/me/clients/{client_id}": "401 ok 403 403 403 403",
    "POST /api/mobile/sync": "401 ok 403 403 403 403",  # a device token or a worker's login
    "GET /api/gps/osmand": "401 401 401 401 401 401",  # unknown device; logins do not count
    "POST /api/gps/osmand": "401 401 401 401 401 401",
    "POST /api/gps/owntracks": "401 401 401 401 401 401",
    "GET /api/offices/{office_id}/clients/queue": "401 403 404 ok ok ok",
    "POST /api/clients/{client_id}/queue-review": "401 403 404 ok 403 ok",
    "POST /api/clients/{client_id}/archive": "401 403 404 ok 403 ok",  # the spare client
    "GET /api/clients/{client_id}/visits": "401 403 404 ok ok ok",
    "GET /api/clients/{client_id}/care-plans": "401 403 404 ok ok ok",
    "GET /api/care-plans/{care_plan_id}": "401 403 404 ok ok ok",
    "POST /api/care-plans/{care_plan_id}/approve": "401 403 404 ok 403 ok",  # approved: 409
    "POST /api/care-plans/{care_plan_id}/close": "401 403 404 ok 403 ok",
    "GET /api/recurrence-words": "401 403 ok ok ok ok",
    "GET /api/config": "ok ok ok ok ok ok",
    "GET /api/basemap": "ok ok ok ok ok ok",
    # websockets: the first answer, or the close code's HTTP part
    "WS /api/plan-jobs/{job_id}/ws": "401 403 404 ok ok ok",
    "WS /api/mobile/ws": "401 401 401 401 401 401",  # a device token, not a login
}
# The live socket reads users on its own session, so it is checked on committed data in
# test_live_socket_roles below; it must still have its line here.
EXPECTED["WS /api/live/ws"] = "401 403 403 ok ok ok"

CLIENTS_CSV = "full_name;address\nИванова;ул. Ленина, 1\n".encode()
PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}
PIVOT = {**PERIOD, "rows": "client_status", "measure": "visits"}


def _bodies(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A valid request for each route that takes one (keyword arguments for the client)."""
    client = {"full_name": "Петрова Зинаида Михайловна", "address": "Москва, ул. Плеханова, 7"}
    worker = {"full_name": "Сидорова Анна Павловна"}
    service = {"code": "B07", "name": "Уборка жилого помещения", "standard_minutes": 40}
    day = ids["day"]
    return {
        "POST /api/auth/token": {"data": {"username": "nobody-here", "password": "wrong"}},
        "POST /api/auth/password-with-code": {
            "json": {"username": "nobody-here", "code": "0000", "password": "long enough pass"}
        },
        "POST /api/me/password": {
            "json": {"old_password": "not the one", "new_password": "another long one"}
        },
        "POST /api/users": {"json": {"username": "made.in.matrix", "role": "admin"}},
        "PATCH /api/users/{user_id}": {"json": {"full_name": "Новое имя"}},
        "POST /api/offices": {"json": {"region_id": ids["region_id"], "name": "ОСО №99"}},
        "POST /api/regions": {"json": {"name": "Регион из матрицы"}},
        "PATCH /api/offices/{office_id}": {"json": {"address": "Москва, ул. Новая, 1"}},
        "POST /api/offices/{office_id}/workers": {"json": worker},
        "PATCH /api/workers/{worker_id}": {"json": {"phone": "+7 916 000-00-01"}},
        "POST /api/workers/{worker_id}/absences": {
            "json": {"date_from": "2026-08-01", "date_to": "2026-08-03", "reason": "отпуск"}
        },
        "POST /api/offices/{office_id}/clients": {"json": client},
        "PATCH /api/clients/{client_id}": {"json": {"phone": "+7 495 000-00-02"}},
        "POST /api/clients/{client_id}/status": {"json": {"status": "suspended"}},
        "POST /api/offices/{office_id}/services": {"json": service},
        "PATCH /api/services/{service_id}": {"json": {"standard_minutes": 35}},
        "PUT /api/clients/{client_id}/care-plan": {
            "json": {
                "valid_from": "2026-01-01",
                "lines": [{"service_code": "A01", "recurrence": "weekdays:2,4"}],
            }
        },
        "POST /api/clients/{client_id}/archive": {"json": {"reason": "переезд"}},
        "POST /api/care-plans/{care_plan_id}/close": {"json": {"last_day": "2100-12-31"}},
        "GET /api/recurrence-words": {"params": {"rule": "weekdays:1,4"}},
        "POST /api/offices/{office_id}/imports/{kind}": {
            "params": {"mode": "check"},
            "files": {"file": ("clients.csv", CLIENTS_CSV)},
        },
        "POST /api/offices/{office_id}/zones/preview": {"json": {"moves": []}},
        "POST /api/offices/{office_id}/zones/moves": {
            "json": {"moves": [{"client_id": ids["client_id"], "zone_id": 2**31 - 1}]}
        },
        "POST /api/offices/{office_id}/zones/lock": {"json": {"client_ids": [ids["client_id"]]}},
        "POST /api/offices/{office_id}/zones/rebalance": {"json": {"time_limit_s": 1}},
        "POST /api/offices/{office_id}/plans": {"json": {"day": day, "time_limit_s": 1}},
        "GET /api/offices/{office_id}/plans": {"params": {"day": day}},
        "POST /api/plans/{plan_id}/move": {
            "json": {"stop_id": ids["stop_id"], "to_worker_id": ids["worker_id"], "dry_run": True}
        },
        "POST /api/plans/{plan_id}/replan": {"json": {"time_limit_s": 1}},
        "GET /api/workers/{worker_id}/day-track": {"params": {"day": day}},
        "GET /api/offices/{office_id}/visits-due": {"params": {"day": day}},
        "GET /api/offices/{office_id}/day-calendar": {"params": {"day": day}},
        "POST /api/offices/{office_id}/plan-weeks": {"json": {"start": day, "time_limit_s": 1}},
        "POST /api/plan-weeks/{week_id}/approve": {"json": {"day": day}},
        "POST /api/plan-weeks/{week_id}/days/{day}/replan": {"json": {"time_limit_s": 1}},
        "POST /api/plan-weeks/{week_id}/move": {
            "json": {
                "client_id": ids["client_id"],
                "from_day": day,
                "to_day": day,
                "to_worker_id": ids["worker_id"],
                "dry_run": True,
            }
        },
        "GET /api/reports/{name}": {"params": {**PERIOD, "office_id": ids["office_id"]}},
        "GET /api/reports/{name}/export.{fmt}": {
            "params": {**PERIOD, "office_id": ids["office_id"]}
        },
        "GET /api/reports/rollup": {"params": {**PERIOD, "office_id": ids["office_id"]}},
        "GET /api/reports/rollup/export.{fmt}": {
            "params": {**PERIOD, "office_id": ids["office_id"]}
        },
        "GET /api/reports/pivot": {"params": {**PIVOT, "office_id": ids["office_id"]}},
        "GET /api/reports/pivot/export.{fmt}": {"params": {**PIVOT, "office_id": ids["office_id"]}},
        "GET /api/reports/forms/{form}.xlsx": {"params": {**PERIOD, "office_id": ids["office_id"]}},
        "GET /api/offices/{office_id}/visits": {"params": {"day": day}},
        "POST /api/offices/{office_id}/inference": {"params": {"day": day}},
        "POST /api/me/devices": {"json": {"name": "телефон"}},
        "POST /api/workers/{worker_id}/devices": {"json": {"name": "телефон"}},
        "PATCH /api/devices/{device_id}": {"json": {"external_id": "traccar-7f3a9c2e"}},
        "POST /api/mobile/sync": {"json": {"pings": [], "events": []}},
        "GET /api/offices/{office_id}/review": {"params": {"day": day}},
        "POST /api/offices/{office_id}/review/accept-unflagged": {"json": {"day": day}},
        "POST /api/visits/{visit_id}/rating": {"json": {"rating": 5, "comment": "спасибо"}},
        "GET /api/workers/{worker_id}/monthly-report": {"params": {"month": "2026-10"}},
        "GET /api/workers/{worker_id}/monthly-report/export.xlsx": {"params": {"month": "2026-10"}},
        "POST /api/workers/{worker_id}/monthly-report/sign": {"json": {"month": "2026-10"}},
        "POST /api/workers/{worker_id}/monthly-report/send-back": {
            "json": {"month": "2026-10", "comment": "проверьте"}
        },
        "GET /api/me/monthly-report": {"params": {"month": "2026-10"}},
        "GET /api/me/monthly-report/export.xlsx": {"params": {"month": "2026-10"}},
        "POST /api/me/monthly-report/complete": {"json": {"month": "2026-10", "comment": "всё"}},
        "GET /api/gps/osmand": {"params": {"id": "000000", "lat": 55.75, "lon": 37.78}},
        "POST /api/gps/osmand": {"params": {"id": "000000", "lat": 55.75, "lon": 37.78}},
        "POST /api/gps/owntracks": {
            "json": {"_type": "location", "lat": 55.75, "lon": 37.78, "tst": 1},
            "headers": {"X-Limit-U": "nobody", "X-Limit-D": "000000"},
        },
    }


PATH_VALUES = {
    "kind": "clients",
    "name": "worker-timing",
    "fmt": "csv",
    "visit_id": 2**31 - 1,
    "user_id": 2**31 - 1,
    "form": "department-services",
}
# Routes that delete take the spare object, so the others stay for the rest of the run.
SPARE = {
    "DELETE /api/workers/{worker_id}": {"worker_id": "spare_worker_id"},
    "DELETE /api/clients/{client_id}": {"client_id": "spare_client_id"},
    "POST /api/clients/{client_id}/archive": {"client_id": "spare_client_id"},
    "DELETE /api/services/{service_id}": {"service_id": "spare_service_id"},
}


def operations(app: Any) -> list[str]:
    """Every operation of the app's OpenAPI schema and every websocket, as 'METHOD path'."""
    from fastapi.routing import APIWebSocketRoute

    schema = app.openapi()
    found = [f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops]
    from api.main import ROUTERS

    sockets = [r for router in ROUTERS for r in router.routes if isinstance(r, APIWebSocketRoute)]
    found += [f"WS {r.path}" for r in sockets]
    return found


def _path(key: str, ids: dict[str, Any]) -> str:
    path = key.split(" ", 1)[1]
    values = {**ids, **PATH_VALUES}
    for name, spare in SPARE.get(key, {}).items():
        values[name] = ids[spare]
    return path.format(**values)


def _ask(api: TestClient, key: str, world: World, role: str) -> int:
    method = key.split(" ", 1)[0]
    headers = world.headers(role)
    url = _path(key, world.ids)
    if method == "WS":
        return _ask_socket(api, url, headers)
    request = dict(_bodies(world.ids).get(key, {}))
    request["headers"] = {**request.get("headers", {}), **headers}
    answer = api.request(method, url, **request)
    assert answer.status_code < 500, (key, role, answer.text)
    return answer.status_code


def _ask_socket(api: TestClient, url: str, headers: dict[str, str]) -> int:
    token = headers.get("Authorization", " ").split(" ", 1)[1]
    joiner = "&" if "?" in url else "?"
    try:
        with api.websocket_connect(f"{url}{joiner}token={token}") as socket:
            first = socket.receive_json()
            if first.get("type") == "error":
                return int(socket.receive()["code"]) - 4000
            return 200
    except WebSocketDisconnect as exc:
        return exc.code - 4000


def _verdict(code: int) -> str:
    return str(code) if code in ACCESS_CODES else "ok"


def test_every_route_has_its_line() -> None:
    from api.main import app

    missing = [key for key in operations(app) if key not in EXPECTED]
    assert not missing, f"routes without a line in EXPECTED: {missing}"
    gone = [key for key in EXPECTED if key not in operations(app)]
    assert not gone, f"lines for routes that no longer exist: {gone}"


# Writes last, so the reads before them see the objects as built.
def _order(key: str) -> tuple[int, str]:
    method = key.split(" ", 1)[0]
    return ({"GET": 0, "WS": 1}.get(method, 2 if "DELETE" not in key else 3), key)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(
    api: TestClient, world: World, role: str
) -> None:
    from api.main import app

    column = ROLES.index(role)
    wrong = []
    for key in sorted(operations(app), key=_order):
        if key == "WS /api/live/ws":
            continue  # test_live_socket_roles
        expected = EXPECTED[key].split()[column]
        got = _verdict(_ask(api, key, world, role))
        if got != expected:
            wrong.append(f"{key}: expected {expected}, got {got}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.fixture
def committed_roles(migrated: None) -> Iterator[dict[str, Any]]:
    """Each role's login and an office, committed: the live socket reads on its own session."""
    from sqlalchemy.orm import Session

    from core.db import get_engine
    from core.models import Role
    from tests import factories as f
    from tests.browser.conftest import purge

    with Session(get_engine(), expire_on_commit=False) as session:
        region = f.region(session)
        office, other = f.office(session, region), f.office(session, region)
        worker_user = f.user(session, Role.WORKER)
        f.worker(session, office, worker_user)
        users = {
            "worker": worker_user,
            "other_supervisor": f.user(session, Role.SUPERVISOR, offices=[other]),
            "supervisor": f.user(session, Role.SUPERVISOR, offices=[office]),
            "manager": f.user(session, Role.MANAGER, region_id=region.id),
            "admin": f.user(session, Role.ADMIN),
        }
        session.commit()
    try:
        yield {"office_id": office.id, "users": users}
    finally:
        with get_engine().begin() as conn:
            purge(conn, "region", "id", [region.id])
            purge(conn, "app_user", "id", [u.id for u in users.values()])


def test_live_socket_roles(committed_roles: dict[str, Any]) -> None:
    from api.main import app
    from tests import factories as f

    column = EXPECTED["WS /api/live/ws"].split()
    url = f"/api/live/ws?office_id={committed_roles['office_id']}"
    with TestClient(app) as client:
        for role in ROLES:
            user = committed_roles["users"].get(role)
            headers = f.auth(user) if user is not None else {}
            got = _verdict(_ask_socket(client, url, headers))
            assert got == column[ROLES.index(role)], role
