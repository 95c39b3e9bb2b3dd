"""Who reads which reports: managers every office of their region, supervisors their own
(others are not found), workers none."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from tests import factories

PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}


def _offices(api: TestClient, headers: dict[str, str]) -> set[int]:
    answer = api.get("/api/reports/offices", headers=headers)
    assert answer.status_code == 200, answer.text
    return {o["id"] for o in answer.json()}


def test_manager_sees_every_office_of_the_region_only(api: TestClient, db: Session) -> None:
    region = factories.region(db)
    first, second = factories.office(db, region), factories.office(db, region)
    elsewhere = factories.office(db)
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=region.id))

    assert _offices(api, manager) == {first.id, second.id}
    table = api.get("/api/reports/worker-timing", params=PERIOD, headers=manager).json()
    assert set(table["office_ids"]) == {first.id, second.id}
    answer = api.get(
        "/api/reports/services", params={**PERIOD, "office_id": elsewhere.id}, headers=manager
    )
    assert answer.status_code == 404


def test_supervisor_sees_own_offices_and_others_are_not_found(api: TestClient, db: Session) -> None:
    region = factories.region(db)
    own, other = factories.office(db, region), factories.office(db, region)
    stranger = factories.worker(db, other)
    supervisor = factories.auth(factories.user(db, Role.SUPERVISOR, offices=[own]))

    assert _offices(api, supervisor) == {own.id}
    for params in ({"office_id": other.id}, {"worker_id": stranger.id}):
        answer = api.get(
            "/api/reports/worker-timing", params={**PERIOD, **params}, headers=supervisor
        )
        assert answer.status_code == 404, params
    export = api.get(
        "/api/reports/clients/export.csv",
        params={**PERIOD, "office_id": other.id},
        headers=supervisor,
    )
    assert export.status_code == 404
    answer = api.get(
        "/api/reports/worker-timing", params={**PERIOD, "office_id": own.id}, headers=supervisor
    )
    assert answer.status_code == 200 and answer.json()["office_ids"] == [own.id]


def test_workers_get_no_reports(api: TestClient, db: Session) -> None:
    office = factories.office(db)
    user = factories.user(db, Role.WORKER)
    factories.worker(db, office, user)
    headers = factories.auth(user)
    for path in (
        "/api/reports/offices",
        "/api/reports/worker-timing",
        "/api/reports/worker-timing/export.xlsx",
    ):
        assert api.get(path, params=PERIOD, headers=headers).status_code == 403, path
    page = api.get("/reports/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_periods_and_unknown_reports_are_refused_in_words(api: TestClient, db: Session) -> None:
    office = factories.office(db)
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=office.region_id))
    backwards = api.get(
        "/api/reports/worker-timing",
        params={"start": "2026-10-31", "end": "2026-10-01"},
        headers=manager,
    )
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "end"
    preset = api.get("/api/reports/worker-timing", params={"period": "last_month"}, headers=manager)
    assert preset.status_code == 200
    assert api.get("/api/reports/nonsense", params=PERIOD, headers=manager).status_code == 404
