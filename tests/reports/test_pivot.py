"""Breakdowns of three hand-made visits: each dimension and measure gives the figures the visits
were made of, totals over client categories count a visit once, services share their visit's
minutes by their standards, and exports never carry a formula."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.models import Role
from core.settings import get_settings
from registry.models import TravelMode
from tests import factories
from tracking.inference import attach_travel

TZ = ZoneInfo(get_settings().timezone)
MON, TUE, WED = date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)
PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}
HOSTILE = '=HYPERLINK("http://x")'


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


@pytest.fixture
def month(db: Session) -> dict[str, Any]:
    office = factories.office(db)
    s1 = factories.service(db, office, "S1", 30)
    s1.name, s1.category = "Покупка продуктов", "социально-бытовые"
    s2 = factories.service(db, office, "S2", 10)
    s2.name, s2.category = "Измерение давления", "социально-медицинские"
    s2.level = 2
    w1 = factories.worker(db, office, full_name=HOSTILE, travel_mode=TravelMode.WALK)
    w2 = factories.worker(db, office, full_name="Иванова Анна", travel_mode=TravelMode.CAR)
    c1 = factories.client(db, office, categories=["ветеран труда", "инвалид II группы"])
    c2 = factories.client(db, office, categories=[])
    db.flush()
    visits = {}
    # (name, worker, client, day, planned from-to, arrived, minutes on site, services, travel)
    for name, worker, client, day, planned, arrived, minutes, codes, travel in (
        ("v1", w1, c1, MON, ((10, 0), (10, 40)), (10, 20), 40, ["S1", "S2"], 12),
        ("v2", w2, c2, TUE, ((10, 0), (10, 30)), (10, 5), 20, ["S2"], 0),
        ("v3", w1, c2, TUE, ((12, 0), (12, 30)), (12, 0), 30, ["S1"], 8),
        ("no_show", w2, c1, TUE, ((9, 0), (9, 30)), (9, 0), 0, [], 5),
    ):
        start = _at(day, *arrived)
        visits[name] = db.execute(
            text(
                "INSERT INTO visit (office_id, worker_id, client_id, day, status, planned_start, "
                "planned_end, arrived_at, departed_at, services, minutes, confirmed, reason, flags)"
                " VALUES (:o, :w, :c, :d, :st, :ps, :pe, :a, :b, CAST(:s AS jsonb), 0, true, '',"
                " '{}') RETURNING id"
            ),
            {
                "o": office.id,
                "w": worker.id,
                "c": client.id,
                "d": day,
                "st": "no_show" if name == "no_show" else "done",
                "ps": _at(day, *planned[0]),
                "pe": _at(day, *planned[1]),
                "a": start,
                "b": None if name == "no_show" else start + timedelta(minutes=minutes),
                "s": json.dumps([{"code": c} for c in codes]),
            },
        ).scalar_one()
        if travel:
            db.execute(
                text(
                    "INSERT INTO travel_leg (office_id, worker_id, mode, day, from_client_id, "
                    "to_client_id, depart, arrive, straight_m, path_m) VALUES (:o, :w, 'walk', "
                    ":d, 0, :c, :a, :b, 100, 120)"
                ),
                {
                    "o": office.id,
                    "w": worker.id,
                    "d": day,
                    "c": client.id,
                    "a": start - timedelta(minutes=travel),
                    "b": start,
                },
            )
    for visit, code, rating in (("v1", None, 4), ("v1", "S2", 2), ("v3", "S1", 5)):
        client_id = c1.id if visit == "v1" else c2.id
        db.execute(
            text(
                "INSERT INTO client_feedback (office_id, visit_id, client_id, worker_id, "
                "service_code, rating, comment, at) VALUES (:o, :v, :c, :w, :s, :r, '', now())"
            ),
            {
                "o": office.id,
                "v": visits[visit],
                "c": client_id,
                "w": w1.id,
                "s": code,
                "r": rating,
            },
        )
    # each visit keeps the trips that ended at it, as inference keeps them
    attach_travel(db, office_ids=[office.id], start=date(2026, 10, 1), end=date(2026, 10, 31))
    db.flush()
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=office.region_id))
    return {"office": office, "manager": manager, "w2": w2, "c1": c1}


def _pivot(api: TestClient, month: dict[str, Any], **params: str) -> dict[str, Any]:
    answer = api.get(
        "/api/reports/pivot",
        params={**PERIOD, "office_id": month["office"].id, **params},
        headers=month["manager"],
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _column(table: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(table["row_labels"], table["row_totals"], strict=True))


def test_every_measure_by_one_dimension(api: TestClient, month: dict[str, Any]) -> None:
    by = lambda rows, measure: _column(_pivot(api, month, rows=rows, measure=measure))  # noqa: E731
    assert by("worker", "visits") == {HOSTILE: 2, "Иванова Анна": 1}
    assert by("worker", "services") == {HOSTILE: 3, "Иванова Анна": 1}
    # v1's 40 minutes shared 30 : 10 by the standards, v1's 12 minutes on the road 9 : 3
    assert by("service", "minutes_actual") == {
        "S1 Покупка продуктов": 60,
        "S2 Измерение давления": 30,
    }
    assert by("service_category", "travel") == {"социально-бытовые": 17,
                                                "социально-медицинские": 3}  # fmt: skip
    assert by("service_level", "visits") == {"1": 2, "2": 2}
    assert by("weekday", "minutes_planned") == {"пн": 40, "вт": 60}
    assert by("travel_mode", "late") == {"пешком": 1, "автомобиль": 0}
    # marks: v1 as a whole 4 and its S2 2, v3's S1 5
    assert by("worker", "rating") == {HOSTILE: 3.67, "Иванова Анна": None}
    assert by("service", "rating") == {"S1 Покупка продуктов": 4.5, "S2 Измерение давления": 2}
    assert by("client_status", "visits") == {"на обслуживании": 3}
    assert by("zone", "visits") == {"не указано": 3}
    assert _pivot(api, month, rows="worker", measure="visits")["total"] == 3


def test_categories_count_under_each_but_totals_once(
    api: TestClient, month: dict[str, Any]
) -> None:
    table = _pivot(api, month, rows="client_category", columns="weekday", measure="visits")
    assert table["row_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
    assert table["column_labels"] == ["пн", "вт"]
    assert table["cells"] == [[1, None], [1, None], [None, 2]]
    assert table["row_totals"] == [1, 1, 2]
    assert table["column_totals"] == [1, 2]  # v1 once on Monday, though under two categories
    assert table["total"] == 3
    english = _pivot(api, month, rows="weekday", measure="visits", locale="en")
    assert english["row_labels"] == ["Mon", "Tue"]


def test_services_split_under_each_category(api: TestClient, month: dict[str, Any]) -> None:
    """v1 (c1: two categories) 40 minutes as S1 30 + S2 10; v2 and v3 (c2: none) S2 20, S1 30."""
    table = _pivot(api, month, rows="client_category", columns="service_category",
                   measure="minutes_actual")  # fmt: skip
    assert table["row_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
    assert table["column_labels"] == ["социально-бытовые", "социально-медицинские"]
    assert table["cells"] == [[30, 10], [30, 10], [30, 20]]
    assert table["row_totals"] == [40, 40, 50]
    assert table["column_totals"] == [60, 30]  # each visit once, though under two categories
    assert table["total"] == 90
    services = _pivot(api, month, rows="worker", columns="service", measure="services")
    assert services["cells"] == [[2, 1], [None, 1]]
    assert services["row_totals"] == [3, 1] and services["total"] == 4
    travel = _pivot(api, month, rows="zone", columns="service_level", measure="travel")
    assert travel["cells"] == [[17, 3]] and travel["total"] == 20
    # marks: v1 as a whole 4 (to its first service, S1) and its S2 2, v3's S1 5; Иванова none
    rating = _pivot(api, month, rows="worker", columns="service", measure="rating")
    assert rating["cells"] == [[4.5, 2], [None, None]]
    assert rating["row_totals"] == [3.67, None] and rating["column_totals"] == [4.5, 2]


def test_the_service_dimension_first_and_categories_with_marks(
    api: TestClient, month: dict[str, Any]
) -> None:
    """The same figures with the service dimension as the rows and client categories as the
    columns: each cell keeps its own row and column, marks included."""
    rating = _pivot(api, month, rows="service", columns="worker", measure="rating")
    assert rating["row_labels"] == ["S1 Покупка продуктов", "S2 Измерение давления"]
    assert rating["column_labels"] == [HOSTILE, "Иванова Анна"]
    assert rating["cells"] == [[4.5, None], [2, None]]  # Иванова's S2 (v2) has no mark
    assert rating["row_totals"] == [4.5, 2] and rating["column_totals"] == [3.67, None]
    assert rating["total"] == 3.67
    # c1's two categories each get v1's marks (4 to S1, 2 to S2); the totals count them once
    by_category = _pivot(api, month, rows="client_category", columns="service",
                         measure="rating")  # fmt: skip
    assert by_category["row_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
    assert by_category["cells"] == [[4, 2], [4, 2], [5, None]]
    assert by_category["row_totals"] == [3, 3, 5]
    assert by_category["column_totals"] == [4.5, 2] and by_category["total"] == 3.67
    minutes = _pivot(api, month, rows="service_category", columns="client_category",
                     measure="minutes_actual")  # fmt: skip
    assert minutes["row_labels"] == ["социально-бытовые", "социально-медицинские"]
    assert minutes["column_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
    assert minutes["cells"] == [[30, 30, 30], [10, 10, 20]]
    assert minutes["row_totals"] == [60, 30] and minutes["column_totals"] == [40, 40, 50]
    assert minutes["total"] == 90


def test_counts_by_service_count_a_visit_once_per_value(
    api: TestClient, db: Session, month: dict[str, Any]
) -> None:
    """v4 (c1: two categories, Wednesday, late, accepted) has S1 and S3, both of one kind and
    level: it counts once under that kind and level, under each of c1's categories, and once in
    the totals; v1 (c1, late) has S1 and S2 of two kinds, v2 and v3 (c2: none) one service each."""
    s3 = factories.service(db, month["office"], "S3", 20)
    s3.name = "Уборка жилого помещения"
    db.execute(
        text(
            "INSERT INTO visit (office_id, worker_id, client_id, day, status, planned_start, "
            "planned_end, arrived_at, departed_at, services, minutes, confirmed, reason, flags, "
            "review) VALUES (:o, :w, :c, :d, 'done', :ps, :pe, :a, :b, CAST(:s AS jsonb), 0, "
            "true, '', '{}', 'accepted')"
        ),
        {
            "o": month["office"].id,
            "w": month["w2"].id,
            "c": month["c1"].id,
            "d": WED,
            "ps": _at(WED, 14, 0),
            "pe": _at(WED, 14, 40),
            "a": _at(WED, 14, 30),
            "b": _at(WED, 15, 10),
            "s": json.dumps([{"code": "S1"}, {"code": "S3"}]),
        },
    )
    db.flush()
    kinds = ["социально-бытовые", "социально-медицинские"]
    for measure, cells, row_totals, column_totals, total in (
        ("visits", [[2, 1], [2, 1], [1, 1]], [2, 2, 2], [3, 2], 4),
        ("late", [[2, 1], [2, 1], [0, 0]], [2, 2, 0], [2, 1], 2),
        ("unreviewed", [[1, 1], [1, 1], [1, 1]], [1, 1, 2], [2, 2], 3),
    ):
        table = _pivot(api, month, rows="client_category", columns="service_category",
                       measure=measure)  # fmt: skip
        assert table["row_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
        assert table["column_labels"] == kinds
        assert table["cells"] == cells, measure
        assert table["row_totals"] == row_totals, measure
        assert table["column_totals"] == column_totals, measure
        assert table["total"] == total, measure
    # two service dimensions: each cell, row and column counts the visits once
    levels = _pivot(api, month, rows="service", columns="service_level", measure="visits")
    assert levels["row_labels"] == ["S1 Покупка продуктов", "S2 Измерение давления",
                                    "S3 Уборка жилого помещения"]  # fmt: skip
    assert levels["column_labels"] == ["1", "2"]
    assert levels["cells"] == [[3, None], [None, 2], [1, None]]
    assert levels["row_totals"] == [3, 2, 1] and levels["column_totals"] == [3, 2]
    assert levels["total"] == 4
    # by kind alone: v4 once under its kind (the services rendered count both of its services)
    assert _column(_pivot(api, month, rows="service_category", measure="visits")) == {
        "социально-бытовые": 3, "социально-медицинские": 2}  # fmt: skip
    services = _pivot(api, month, rows="service_category", measure="services")
    assert _column(services) == {"социально-бытовые": 4, "социально-медицинские": 2}


def test_categories_without_services_sum_visits_with_their_marks_and_travel(
    api: TestClient, month: dict[str, Any]
) -> None:
    """By category and a dimension of the visit: every mark of a visit goes with it (v1: 4 and
    2, v3: 5), travel ends at the visit (v1 12, v3 8 minutes), the totals count v1 once."""
    rating = _pivot(api, month, rows="client_category", columns="worker", measure="rating")
    assert rating["row_labels"] == ["ветеран труда", "инвалид II группы", "не указано"]
    assert rating["column_labels"] == [HOSTILE, "Иванова Анна"]
    assert rating["cells"] == [[3, None], [3, None], [5, None]]
    assert rating["row_totals"] == [3, 3, 5] and rating["column_totals"] == [3.67, None]
    assert rating["total"] == 3.67
    travel = _pivot(api, month, rows="zone", columns="client_category", measure="travel")
    assert travel["cells"] == [[12, 12, 8]]
    assert travel["row_totals"] == [20] and travel["column_totals"] == [12, 12, 8]
    assert travel["total"] == 20
    late = _pivot(api, month, rows="client_category", columns="weekday", measure="late")
    assert late["cells"] == [[1, None], [1, None], [None, 0]]
    assert late["column_totals"] == [1, 0] and late["total"] == 1


def test_unknown_dimensions_and_other_regions_are_refused(
    api: TestClient, db: Session, month: dict[str, Any]
) -> None:
    bad = api.get("/api/reports/pivot", params={"rows": "password", "measure": "visits"},
                  headers=month["manager"])  # fmt: skip
    assert bad.status_code == 422
    stranger = factories.auth(factories.user(db, Role.MANAGER, region_id=factories.region(db).id))
    answer = api.get(
        "/api/reports/pivot",
        params={**PERIOD, "office_id": month["office"].id, "rows": "worker", "measure": "visits"},
        headers=stranger,
    )
    assert answer.status_code == 404
    worker = factories.user(db, Role.WORKER)
    factories.worker(db, month["office"], worker)
    for path in ("/api/reports/pivot", "/api/reports/pivot/export.csv"):
        refused = api.get(path, params={"rows": "worker", "measure": "visits"},
                          headers=factories.auth(worker))  # fmt: skip
        assert refused.status_code == 403


def test_exports_escape_formulas(api: TestClient, month: dict[str, Any]) -> None:
    params = {**PERIOD, "office_id": month["office"].id, "rows": "worker", "columns": "weekday",
              "measure": "minutes_actual"}  # fmt: skip
    csv = api.get("/api/reports/pivot/export.csv", params=params, headers=month["manager"])
    assert csv.status_code == 200
    body = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body and "\n=HYPERLINK" not in body
    assert "1:10" in body  # the hostile worker's 70 minutes on site in total
    xlsx = api.get("/api/reports/pivot/export.xlsx", params=params, headers=month["manager"])
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"'{HOSTILE}" in texts and not any(t.startswith("=") for t in texts)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _sheet_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_department_form_on_services_rendered(api: TestClient, month: dict[str, Any]) -> None:
    answer = api.get(
        "/api/reports/forms/department-services.xlsx",
        params={**PERIOD, "office_id": month["office"].id},
        headers=month["manager"],
    )
    assert answer.status_code == 200, answer.text
    rows = _sheet_rows(answer.content)
    assert rows[3][0] == "ОТЧЁТ об оказанных социальных услугах"
    assert rows[4][0] == "за период с 01.10.2026 по 31.10.2026"
    table = [r for r in rows if len(r) > 5 and r[3] is not None]
    services = {r[1]: r[3:6] for r in table if r[1] in ("S1", "S2")}
    hour = timedelta(hours=1)
    # S1 in v1 and v3 (two clients, 30 min each); S2 in v1 and v2 (two clients, 10 min each)
    assert services == {"S1": [2, 2, hour], "S2": [2, 2, timedelta(minutes=20)]}
    totals = {r[2]: r[3:6] for r in table if isinstance(r[2], str) and "итого" in r[2].lower()}
    assert totals["Итого: социально-бытовые"] == [2, 2, hour]
    assert totals["ИТОГО"] == [4, 2, timedelta(minutes=80)]
    assert any(isinstance(r[0], str) and r[0].startswith("Заведующий") for r in rows)


def test_the_centre_form_on_clients_by_category_and_kind(
    api: TestClient, month: dict[str, Any]
) -> None:
    answer = api.get(
        "/api/reports/forms/centre-clients.xlsx",
        params={**PERIOD, "office_id": month["office"].id},
        headers=month["manager"],
    )
    assert answer.status_code == 200, answer.text
    rows = _sheet_rows(answer.content)
    head = next(r for r in rows if r[0] == "№ п/п")
    assert head[3:] == ["социально-бытовые: получателей", "социально-бытовые: оказано услуг",
                        "социально-медицинские: получателей",
                        "социально-медицинские: оказано услуг"]  # fmt: skip
    by_category = {r[1]: r[2:] for r in rows if isinstance(r[0], int) and r[1] != 1}
    # c1 (two categories) had v1 (S1, S2); c2 (none) had v2 (S2) and v3 (S1)
    assert by_category["ветеран труда"] == [1, 1, 1, 1, 1]
    assert by_category["инвалид II группы"] == [1, 1, 1, 1, 1]
    assert by_category["—"] == [1, 1, 1, 1, 1]
    total = next(r for r in rows if isinstance(r[1], str) and r[1].startswith("ИТОГО"))
    assert total[2:] == [2, 2, 2, 2, 2]  # each client and service once
    office = next(r for r in rows if r[1] == month["office"].name)
    assert office[2:] == [2, 2, 2, 2, 2]


def test_forms_of_other_regions_are_not_found(
    api: TestClient, db: Session, month: dict[str, Any]
) -> None:
    stranger = factories.auth(factories.user(db, Role.MANAGER, region_id=factories.region(db).id))
    for form in ("department-services", "centre-clients"):
        answer = api.get(f"/api/reports/forms/{form}.xlsx", headers=stranger,
                         params={**PERIOD, "office_id": month["office"].id})  # fmt: skip
        assert answer.status_code == 404
    worker = factories.user(db, Role.WORKER)
    factories.worker(db, month["office"], worker)
    refused = api.get("/api/reports/forms/centre-clients.xlsx", headers=factories.auth(worker),
                      params={**PERIOD, "office_id": month["office"].id})  # fmt: skip
    assert refused.status_code == 403
