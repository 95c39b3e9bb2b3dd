"""Generated cross-object probes: two worlds in two regions (each an office and another
department, with every kind of object), and every role of one world asks every route that
takes an object for each object of the other world, both ways: reads, changes and deletes,
with valid requests. Any answer but 401/403/404 is a leak. Lists must not name a foreign
office.

The number of probes is printed (`-s`) and must be at least 1,000."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.security.conftest import World, build_world
from tests.security.test_role_matrix import PATH_VALUES, _bodies, operations

ACCESS_CODES = {401, 403, 404}
PROBING_ROLES = ("worker", "other_supervisor", "supervisor", "manager")
# Routes that take no object of an office: the device protocols, pages' settings, health.
NOT_OBJECTS = {
    "GET /health", "POST /api/auth/token", "GET /api/config", "GET /api/basemap",
    "POST /api/mobile/sync", "GET /api/gps/osmand", "POST /api/gps/osmand",
    "POST /api/gps/owntracks", "GET /api/me/devices", "POST /api/me/devices", "GET /api/me/route",
    "GET /api/auth/me", "GET /api/regions", "GET /api/offices", "GET /api/audit",
    "GET /api/reports/offices", "GET /api/reports/visits/{visit_id}/events",
    "POST /api/auth/password-with-code", "POST /api/me/password",  # one's own account
    "POST /api/auth/logout",  # clears the caller's own cookie
    "GET /api/recurrence-words",  # a rule put into words
    "GET /api/me/monthly-report", "GET /api/me/monthly-report/export.xlsx",  # one's own report
    "POST /api/me/monthly-report/complete",
}  # fmt: skip
SPARES = {"worker_id": "spare_worker_id", "client_id": "spare_client_id",
          "service_id": "spare_service_id"}  # fmt: skip
REPORTS = ("worker-timing", "clients")
PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}


def _variants(ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The office's main objects, and its spare ones in their place."""
    spare = {**ids, **{name: ids[other] for name, other in SPARES.items()}}
    return [ids, spare]


def _fields(path: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(path) if name}


def probes(target: World) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(route, url, request) for every object of `target` each route takes."""
    from api.main import app

    for key in operations(app):
        method, path = key.split(" ", 1)
        if method == "WS" or key in NOT_OBJECTS:
            continue
        seen: set[str] = set()
        for office in (target.ids, target.other):
            for values in _variants(office):
                request = dict(_bodies(values).get(key, {}))
                names = REPORTS if "{name}" in path else (PATH_VALUES["name"],)
                for name in names:
                    url = path.format(**{**values, **PATH_VALUES, "name": name})
                    if "/api/reports/" in path:
                        params = {**request.get("params", {}), "office_id": values["office_id"]}
                        request = {**request, "params": params}
                    signature = f"{url}?{sorted(request.get('params', {}).items())}"
                    if signature in seen:
                        continue
                    seen.add(signature)
                    yield key, url, request
        if "{name}" in path:  # the timing reports take a worker: a foreign one in the filters
            for office in (target.ids, target.other):
                params = {
                    "start": "2026-10-01",
                    "end": "2026-10-31",
                    "worker_id": office["worker_id"],
                }
                url = path.format(**{**office, **PATH_VALUES})
                yield key, url, {"params": params}


@pytest.fixture
def two_worlds(db: Session) -> Iterator[tuple[World, World]]:
    first, second = build_world(db), build_world(db)
    try:
        yield first, second
    finally:
        from planner import jobs

        for job in first.jobs + second.jobs:
            job.delete()
        jobs.planning_queue().empty()


def test_no_role_reaches_another_worlds_objects(
    api: TestClient, two_worlds: tuple[World, World]
) -> None:
    tried = 0
    leaks: list[str] = []
    for asking, target in (two_worlds, two_worlds[::-1]):
        for role in PROBING_ROLES:
            headers = asking.headers(role)
            for key, url, request in probes(target):
                method = key.split(" ", 1)[0]
                sent = {**request, "headers": {**request.get("headers", {}), **headers}}
                answer = api.request(method, url, **sent)
                tried += 1
                if answer.status_code not in ACCESS_CODES:
                    leaks.append(f"{role} {method} {url}: {answer.status_code}")
            tried += _lists_name_no_foreign_office(api, headers, target, leaks, role)
    print(f"\ncross-object probes tried: {tried}, leaks: {len(leaks)}")
    assert tried >= 1000
    assert not leaks, "\n".join(leaks[:50])


def _lists_name_no_foreign_office(
    api: TestClient, headers: dict[str, str], target: World, leaks: list[str], role: str
) -> int:
    """Lists a role reads with no object named: none may hold the other world's offices."""
    foreign = {target.ids["office_id"], target.other["office_id"]}
    offices = api.get("/api/offices", headers=headers, params={"limit": 200}).json()["items"]
    reports = api.get("/api/reports/offices", headers=headers)
    audit = api.get("/api/audit", headers=headers, params={"limit": 200})
    seen = {o["id"] for o in offices}
    if reports.status_code == 200:
        seen |= {o["id"] for o in reports.json()}
    if audit.status_code == 200:
        items = audit.json().get("items", audit.json()) if isinstance(audit.json(), dict) else []
        seen |= {e.get("office_id") for e in items if isinstance(e, dict)}
    if seen & foreign:
        leaks.append(f"{role} lists foreign offices {sorted(seen & foreign)}")
    return 3
